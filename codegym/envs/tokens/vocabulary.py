"""The vocabulary of ``CodeGenTokens-v0``: task slot bindings, the :class:`Tokenizer` protocol, the default
:class:`CodeVocabulary` and :class:`HFTokenizerAdapter`.

The default vocabulary is made of whole code tokens (keywords, operators, builtins, common local names) plus
*slot* tokens bound per task -- ``<arg0>`` is the task's first parameter, ``<num0>`` the first number in its
description, ``<str0>`` its first quoted string, ``<fn>`` the function's name -- so that a level-0/1 micro task
(:mod:`codegym.tasks.micro`) is a handful of actions, e.g. ``return <arg0> + <num0> <newline> <eos>``. Indentation
is automatic after a line ending in ``:``; ``<dedent>`` closes a block. Any tokenizer implementing
:class:`Tokenizer` can replace it (:class:`HFTokenizerAdapter` wraps a Hugging Face tokenizer).
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from codegym.envs.tokens.grammar import (
    ARG_SLOTS,
    DEDENT,
    EOS,
    FN,
    N_SLOTS,
    NEWLINE,
    NUM_SLOTS,
    PAD,
    SEP,
    STR_SLOTS,
    TOKEN_CLASSES,
    UNK,
    LineGrammar,
    classify,
)
from codegym.errors import EnvConfigError
from codegym.parsing import literal_eval, parse_python

if TYPE_CHECKING:
    from codegym.tasks.model import Task

#: Code tokens every vocabulary has (beyond what :meth:`CodeVocabulary.from_tasks` harvests).
BASE_CODE_TOKENS: tuple[str, ...] = (
    "return", "if", "elif", "else", "for", "in", "while", "not", "and", "or", "is", "None", "True", "False",
    "pass", "break", "continue", "lambda",
    "+", "-", "*", "/", "//", "%", "**", "=", "==", "!=", "<", ">", "<=", ">=", "+=", "-=", "*=",
    "(", ")", "[", "]", "{", "}", ",", ":", ".",
    "len", "range", "sum", "max", "min", "abs", "int", "str", "list", "sorted", "reversed", "enumerate", "zip",
    "any", "all", "bool", "float", "round",
    "upper", "lower", "isdigit", "isalpha", "append", "join", "split", "count", "replace", "startswith",
    "endswith", "strip",
    "total", "result", "count", "best", "smallest", "running", "sign", "ch", "word", "v", "i", "j", "k", "x",
    "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "100", "''", "' '", "'aeiou'",
)

_WORD = re.compile(r"[A-Za-z_][A-Za-z_0-9]*|\d+(?:\.\d+)?|'[^'\n]*'|\"[^\"\n]*\"|[^\sA-Za-z_0-9]")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")
_QUOTED = re.compile(r"'([^'\\\n]*)'|\"([^\"\\\n]*)\"")


@dataclass(frozen=True)
class TaskBinding:
    """What a task binds the slot tokens to, and how its prompt reads as tokens."""

    function: str
    params: tuple[str, ...]
    numbers: tuple[str, ...]
    strings: tuple[str, ...]  # Python literals (repr) of the quoted strings
    summary: str

    def slot_text(self, token: str) -> str | None:
        """The source text a slot token stands for in this task (None: the slot is unbound)."""
        for slots, values in ((ARG_SLOTS, self.params), (NUM_SLOTS, self.numbers), (STR_SLOTS, self.strings)):
            if token in slots:
                index = slots.index(token)
                return values[index] if index < len(values) else None
        if token == FN:
            return self.function
        return None


def bind_task(task: Task) -> TaskBinding:
    """Slot bindings of ``task``: parameters from its signature, numbers and quoted strings from its description."""
    function = (task.entry_point or "").split(".")[-1].split("(")[0] or "f"
    params: tuple[str, ...] = ()
    prefix = task.completion_prefix if task.completion_prefix is not None else task.prompt
    docstring = ""
    try:
        tree = parse_python(prefix + "\n    pass\n")
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and (node.name == function or not params):
                params = tuple(a.arg for a in node.args.args if a.arg != "self")
                docstring = ast.get_docstring(node) or ""
                function = node.name
                if node.name == (task.entry_point or node.name):
                    break
    except SyntaxError:
        docstring = task.prompt
    summary = docstring.split(">>>")[0].strip() if docstring else task.prompt.strip()
    numbers = tuple(dict.fromkeys(_NUMBER.findall(summary)))
    strings = tuple(dict.fromkeys(repr(a if a or not b else b) for a, b in _QUOTED.findall(summary)))
    return TaskBinding(function, params, numbers[:N_SLOTS], strings[:N_SLOTS], summary)


@runtime_checkable
class Tokenizer(Protocol):
    """What ``CodeGenTokens-v0`` needs from a tokenizer.

    Actions are ``0..n_actions-1``; observation ids are ``0..vocab_size-1``.
    """

    vocab_size: int
    n_actions: int
    pad_id: int

    def action_token(self, action: int) -> str:
        """Name of an action's token (for rendering)."""

    def eos_action(self) -> int:
        """The action that ends the program."""

    def encode_prompt(self, task: Task, binding: TaskBinding) -> list[int]:
        """The task as observation ids."""

    def action_to_obs_id(self, action: int) -> int:
        """The observation id of an emitted action."""

    def decode_body(self, actions: list[int], binding: TaskBinding) -> tuple[str, list[int]]:
        """The function body for the actions, and for each action the 0-based body line it ends (-1 if none)."""

    def action_mask(self, actions: list[int], binding: TaskBinding) -> np.ndarray:
        """Boolean mask over actions of what may come next."""


class CodeVocabulary:
    """Whole-code-token vocabulary with per-task slots (the default tokenizer of ``CodeGenTokens-v0``).

    Ids ``0..n_actions-1`` are the tokens an agent may emit (``<eos>``, ``<newline>``, ``<dedent>``, the slots and
    the code tokens); the remaining ids (``<pad>``, ``<sep>``, ``<unk>`` and prose words of task descriptions)
    appear only in observations.
    """

    def __init__(self, code_tokens: list[str] | tuple[str, ...], prose_words: list[str] | tuple[str, ...] = ()) -> None:
        specials = [EOS, NEWLINE, DEDENT, FN, *ARG_SLOTS, *NUM_SLOTS, *STR_SLOTS]
        code = [t for t in dict.fromkeys(code_tokens) if t not in specials]
        self.action_tokens: list[str] = specials + code
        taken = set(self.action_tokens)
        extra = [PAD, SEP, UNK] + [w for w in dict.fromkeys(prose_words) if w not in taken and w not in (PAD, SEP, UNK)]
        self.tokens: list[str] = self.action_tokens + extra
        self.ids: dict[str, int] = {t: i for i, t in enumerate(self.tokens)}
        self.vocab_size = len(self.tokens)
        self.n_actions = len(self.action_tokens)
        self.pad_id = self.ids[PAD]
        self.unk_id = self.ids[UNK]
        self.sep_id = self.ids[SEP]
        self._classes: dict[str, np.ndarray] | None = None  # grammar class of each action token, built on first use

    # -- building --------------------------------------------------------------------------------------------------
    @classmethod
    def from_tasks(cls, tasks: list[Task], base: tuple[str, ...] = BASE_CODE_TOKENS) -> CodeVocabulary:
        """Base tokens plus every code token of the tasks' reference bodies and every word of their prompts."""
        code: list[str] = list(base)
        prose: list[str] = []
        for task in tasks:
            binding = bind_task(task)
            if task.reference and task.completion_prefix and task.reference.startswith(task.completion_prefix):
                try:
                    code += [t for t in tokenize_body(task.reference[len(task.completion_prefix):], binding)
                             if t != UNK]
                except (SyntaxError, tokenize.TokenError):
                    pass
            prose += prompt_words(binding)
        return cls(code, sorted(set(prose)))

    @classmethod
    def default(cls) -> CodeVocabulary:
        """The general vocabulary: :data:`BASE_CODE_TOKENS` plus what 250 generated micro tasks of every level
        (seed 0) use -- enough for every micro level (120 actions)."""
        return _default_vocabulary()

    @classmethod
    def for_micro_levels(cls, levels: tuple[int, ...] = (0, 1)) -> CodeVocabulary:
        """A compact vocabulary: only the code tokens that micro tasks of ``levels`` use (no extra base).

        For levels 0-1 this is 39 actions (``return``, the slots, a few operators, digits and literals), which keeps random
        exploration short enough for PPO from scratch. Tasks of other levels may need tokens it lacks.
        """
        return _micro_vocabulary(tuple(sorted(set(levels))))

    # -- Tokenizer protocol ------------------------------------------------------------------------------------
    def action_token(self, action: int) -> str:
        return self.action_tokens[action]

    def eos_action(self) -> int:
        return 0

    def action_to_obs_id(self, action: int) -> int:
        return action

    def encode_prompt(self, task: Task, binding: TaskBinding) -> list[int]:
        """Signature tokens (``<fn> ( <arg0> , ... )``), ``<sep>``, then the description's words."""
        ids = [self.ids[FN], self.ids["("]]
        for i in range(len(binding.params[:N_SLOTS])):
            if i:
                ids.append(self.ids[","])
            ids.append(self.ids[ARG_SLOTS[i]])
        ids += [self.ids[")"], self.sep_id]
        ids += [self.ids.get(w, self.unk_id) for w in prompt_words(binding)]
        return ids

    def encode_body(self, body: str, binding: TaskBinding) -> list[int]:
        """Actions that write ``body`` (indented source of a function body), ending with ``<eos>``."""
        return [self.ids.get(t, self.unk_id) for t in tokenize_body(body, binding)] + [self.eos_action()]

    def decode_body(self, actions: list[int], binding: TaskBinding) -> tuple[str, list[int]]:
        lines: list[str] = []
        current: list[str] = []
        level = 1
        ends: list[int] = []
        for action in actions:
            token = self.action_tokens[action]
            ends.append(-1)
            if token == EOS:
                break
            if token == NEWLINE:
                if current:
                    lines.append("    " * level + " ".join(current))
                    ends[-1] = len(lines) - 1
                    if current[-1] == ":":
                        level += 1
                    current = []
                continue
            if token == DEDENT:
                if not current and level > 1:
                    level -= 1
                continue
            text = binding.slot_text(token) if token.startswith("<") else token
            current.append(text if text is not None else token)
        if current:  # an unfinished last line; the env credits it to the final token
            lines.append("    " * level + " ".join(current))
        return "".join(line + "\n" for line in lines), ends

    def action_mask(self, actions: list[int], binding: TaskBinding) -> np.ndarray:
        """The tokens that can continue a syntactically valid body (:class:`LineGrammar`), minus the slots the
        task does not bind.

        The grammar is a light approximation of Python's (statement starts, operand/operator alternation, brackets,
        block headers ending in ``:``, indentation); it never forbids a token of a well-formed micro-task body.
        """
        grammar = LineGrammar()
        for action in actions:
            grammar.feed(self.action_tokens[action])
        if self._classes is None:
            self._classes = {name: np.array([classify(t) == name for t in self.action_tokens])
                             for name in TOKEN_CLASSES}
        mask = grammar.allowed(self._classes, self.ids).astype(np.int8)
        for token in (FN, *ARG_SLOTS, *NUM_SLOTS, *STR_SLOTS):
            if binding.slot_text(token) is None:
                mask[self.ids[token]] = 0
        return mask


@functools.lru_cache(maxsize=8)
def _micro_vocabulary(levels: tuple[int, ...]) -> CodeVocabulary:
    from codegym.tasks.micro import generate_micro_tasks

    tasks = [t for level in levels for t in generate_micro_tasks(300, seed=0, difficulty=level)]
    # single digits always: literals beyond the four <num> slots (a list of five constants) are written directly
    return CodeVocabulary.from_tasks(tasks, base=("return", *(str(d) for d in range(10))))


@functools.lru_cache(maxsize=1)
def _default_vocabulary() -> CodeVocabulary:
    from codegym.tasks.micro import generate_micro_tasks

    return CodeVocabulary.from_tasks(generate_micro_tasks(250, seed=0))


def prompt_words(binding: TaskBinding) -> list[str]:
    """The description as words, with parameters, numbers and quoted strings replaced by their slot tokens."""
    words = []
    for raw in _WORD.findall(binding.summary):
        if raw in binding.params[:N_SLOTS]:
            words.append(ARG_SLOTS[binding.params.index(raw)])
        elif raw in binding.numbers:
            words.append(NUM_SLOTS[binding.numbers.index(raw)])
        elif raw[:1] in "'\"" and len(raw) >= 2 and _literal_repr(raw) in binding.strings:
            words.append(STR_SLOTS[binding.strings.index(_literal_repr(raw))])
        else:
            words.append(raw.lower())
    return words


def _literal_repr(source: str) -> str | None:
    try:
        value = literal_eval(source)
    except (ValueError, SyntaxError):
        return None
    return repr(value) if isinstance(value, str) else None


def tokenize_body(body: str, binding: TaskBinding) -> list[str]:
    """Vocabulary tokens of a function body (indentation is implied: only ``<dedent>`` is written)."""
    import textwrap

    source = textwrap.dedent(body)
    out: list[str] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, text = tok.type, tok.string
        if kind in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.ENDMARKER, tokenize.ENCODING):
            continue
        if kind == tokenize.NEWLINE:
            out.append(NEWLINE)
        elif kind == tokenize.DEDENT:
            out.append(DEDENT)
        elif kind == tokenize.NAME:
            if text in binding.params[:N_SLOTS]:
                out.append(ARG_SLOTS[binding.params.index(text)])
            elif text == binding.function:
                out.append(FN)
            else:
                out.append(text)
        elif kind == tokenize.NUMBER:
            out.append(NUM_SLOTS[binding.numbers.index(text)] if text in binding.numbers else text)
        elif kind == tokenize.STRING:
            literal = _literal_repr(text)
            out.append(STR_SLOTS[binding.strings.index(literal)] if literal in binding.strings
                       else (literal if literal is not None else text))
        else:
            out.append(text)
    while out and out[-1] == DEDENT:  # closing dedents at the end are implied by <eos>
        out.pop()
    return out


class HFTokenizerAdapter:
    """Use a Hugging Face tokenizer's vocabulary as the action space (body text is decoded with it verbatim).

    Masking only forbids ``<eos>`` before the first token. Slots are not used: the observation is the prompt's
    token ids.
    """

    def __init__(self, tokenizer: Any) -> None:
        if getattr(tokenizer, "eos_token_id", None) is None:
            raise EnvConfigError("HFTokenizerAdapter needs a tokenizer with an eos_token_id")
        self.tokenizer = tokenizer
        self.vocab_size = int(len(tokenizer))
        self.n_actions = self.vocab_size
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id)
        self._eos = int(tokenizer.eos_token_id)

    def action_token(self, action: int) -> str:
        return str(self.tokenizer.convert_ids_to_tokens(int(action)))

    def eos_action(self) -> int:
        return self._eos

    def action_to_obs_id(self, action: int) -> int:
        return int(action)

    def encode_prompt(self, task: Task, binding: TaskBinding) -> list[int]:
        return list(self.tokenizer.encode(task.prompt, add_special_tokens=False))

    def decode_body(self, actions: list[int], binding: TaskBinding) -> tuple[str, list[int]]:
        ends, text = [], ""
        kept = []
        for action in actions:
            if action == self._eos:
                ends.append(-1)
                break
            kept.append(action)
            new_text = self.tokenizer.decode(kept)
            ends.append(new_text.count("\n") - 1 if new_text.count("\n") > text.count("\n") else -1)
            text = new_text
        return text, ends

    def action_mask(self, actions: list[int], binding: TaskBinding) -> np.ndarray:
        mask = np.ones(self.n_actions, dtype=np.int8)
        if not actions:
            mask[self._eos] = 0
        return mask
