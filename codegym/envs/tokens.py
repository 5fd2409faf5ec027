"""``CodeGenTokens-v0``: token-by-token program generation with ``Discrete`` actions, for Stable-Baselines3.

The agent writes the *body* of the task's function one token per step; the program is the task's completion prefix
(signature and docstring) plus the decoded body. The default :class:`CodeVocabulary` is made of whole code tokens
(keywords, operators, builtins, common local names) plus *slot* tokens bound per task -- ``<arg0>`` is the task's
first parameter, ``<num0>`` the first number in its description, ``<str0>`` its first quoted string, ``<fn>`` the
function's name -- so that a level-0/1 micro task (:mod:`codegym.tasks.micro`) is a handful of actions, e.g.
``return <arg0> + <num0> <newline> <eos>``. Indentation is automatic after a line ending in ``:``; ``<dedent>``
closes a block. Any tokenizer implementing :class:`Tokenizer` can replace it (:class:`HFTokenizerAdapter` wraps a
Hugging Face tokenizer).
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from codegym.envs.common import (
    SUCCESS_KEY,
    ActionError,
    EnvConfigError,
    EnvStateError,
    ExecutorOwner,
    RewardFn,
    SplitEvaluation,
    TaskPool,
    TaskSpec,
    check_render_mode,
    emit_render,
    hacking_info,
    process_signal,
    resolve_limits,
    resolve_reward,
    run_split,
    score,
    solved,
    step_info,
)
from codegym.parsing import literal_eval, parse_python

if TYPE_CHECKING:
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

EOS, NEWLINE, DEDENT = "<eos>", "<newline>", "<dedent>"
PAD, SEP, UNK = "<pad>", "<sep>", "<unk>"
FN = "<fn>"
N_SLOTS = 4  # slots per kind: <arg0..3>, <num0..3>, <str0..3>
ARG_SLOTS = tuple(f"<arg{i}>" for i in range(N_SLOTS))
NUM_SLOTS = tuple(f"<num{i}>" for i in range(N_SLOTS))
STR_SLOTS = tuple(f"<str{i}>" for i in range(N_SLOTS))

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


#: Token classes of the mask grammar.
TOKEN_CLASSES = ("atom", "name", "prefix", "binary", "open", "close", "assign", "special", "keyword")
_BINARY = {"+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "is", "&", "|",
           "^", "<<", ">>", "@"}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "**="}
_OPEN = {"(": ")", "[": "]", "{": "}"}
_STATEMENT_KEYWORDS = {"return", "if", "elif", "else", "for", "while", "pass", "break", "continue", "lambda", "not",
                       "None", "True", "False"}


def classify(token: str) -> str:
    """The grammar class of a vocabulary token."""
    import keyword

    if token in (EOS, NEWLINE, DEDENT):
        return "special"
    if token in (FN, *ARG_SLOTS, *NUM_SLOTS, *STR_SLOTS) or token in ("None", "True", "False"):
        return "atom"
    if token[:1].isdigit() or token[:1] in "'\"":
        return "atom"
    if token.isidentifier() and not keyword.iskeyword(token):
        return "name"
    if token in _OPEN:
        return "open"
    if token in (")", "]", "}"):
        return "close"
    if token in _ASSIGN:
        return "assign"
    if token in _BINARY:
        return "binary"
    if keyword.iskeyword(token) or token in (",", ":", "."):
        return "keyword"
    return "atom"  # anything unknown is treated as a value, never forbidden by the grammar


class LineGrammar:
    """A small state machine over emitted tokens that knows which tokens may come next.

    States: ``stmt`` (start of a line), ``operand`` (an expression is expected), ``operator`` (an expression just
    ended), ``attr`` (after ``.``), ``end`` (after ``pass``/``break``/``continue``/a block header's ``:``), and
    ``colon`` (``else`` at a line start needs ``:``). It tracks brackets, pending ternary ``if``s and ``lambda``s,
    whether the line is a block header, whether a new block still needs its first statement, and the indent level.
    """

    def __init__(self) -> None:
        self.state = "stmt"
        self.level = 1
        self.stack: list[str] = []
        self.header = False  # the line is if/elif/else/for/while ...:
        self.header_done = False  # its ':' was written
        self.needs_body = False  # a block was opened and has no statement yet
        self.assignable = False  # the line started with an expression (an assignment may follow)
        self.assigned = False
        self.ternary = 0
        self.lambdas = 0
        self.any_token = False
        self.last: str | None = None
        self.line_tokens = 0

    def feed(self, token: str) -> None:
        if token == EOS:
            return
        if token == NEWLINE:
            if self.header_done:
                self.level += 1
                self.needs_body = True
            elif self.line_tokens:
                self.needs_body = False
            self._new_line()
            return
        if token == DEDENT:
            self.level = max(1, self.level - 1)
            return
        self.any_token = True
        self.line_tokens += 1
        cls = classify(token)
        previous_state, self.last = self.state, token
        if previous_state == "stmt":
            if token in ("if", "elif", "while", "for"):
                self.header, self.state = True, "operand"
            elif token == "else":
                self.header, self.state = True, "colon"
            elif token == "return":
                self.state = "operand"
            elif token in ("pass", "break", "continue"):
                self.state = "end"
            else:
                self.assignable = True
                self._operand(token, cls)
            return
        if previous_state == "colon":  # 'else' then ':'
            self.header_done, self.state = True, "end"
            return
        if previous_state == "attr":
            self.state = "operator"
            return
        if previous_state == "operand":
            if token == ":":  # a slice bound left empty, or a lambda without parameters
                if self.lambdas and self.last == "lambda":
                    self.lambdas -= 1
                self.state = "operand"
                return
            self._operand(token, cls)
            return
        # operator state: an expression just ended
        if cls == "close":
            self.stack.pop()
            self.state = "operator"
        elif token == ".":
            self.state = "attr"
        elif cls == "open":
            self.stack.append(token)
            self.state = "operand"
        elif token == ":":
            if self.stack and self.stack[-1] in ("[", "{"):
                self.state = "operand"
            elif self.lambdas:
                self.lambdas -= 1
                self.state = "operand"
            else:
                self.header_done, self.state = True, "end"
        elif token == "not":
            self.state = "not_in"
        elif token == "if":
            self.ternary += 1
            self.state = "operand"
        elif token == "else":
            self.ternary -= 1
            self.state = "operand"
        elif cls == "assign":
            self.assigned = True
            self.state = "operand"
        else:  # binary operators, ',', 'for' (comprehension), 'in', 'is', 'and', 'or'
            self.state = "operand"

    def _operand(self, token: str, cls: str) -> None:
        if cls == "open":
            self.stack.append(token)
            self.state = "operand"
        elif cls == "close":  # an empty call, list or dict: '(' ')'
            self.stack.pop()
            self.state = "operator"
        elif token in ("-", "+", "not", "~"):
            self.state = "operand"
        elif token == "lambda":
            self.lambdas += 1
            self.state = "operand"
        else:
            self.state = "operator"

    def _new_line(self) -> None:
        self.state, self.stack, self.header, self.header_done = "stmt", [], False, False
        self.assignable = self.assigned = False
        self.ternary = self.lambdas = 0
        self.last, self.line_tokens = None, 0

    def allowed(self, classes: dict[str, np.ndarray], ids: dict[str, int]) -> np.ndarray:
        """Boolean mask over the vocabulary's action tokens."""
        n = len(next(iter(classes.values())))
        mask = np.zeros(n, dtype=bool)

        def allow(*tokens: str) -> None:
            for t in tokens:
                if t in ids and ids[t] < n:
                    mask[ids[t]] = True

        def allow_class(*names: str) -> None:
            for name in names:
                np.logical_or(mask, classes[name], out=mask)

        operand_starts = ("-", "+", "not", "lambda", "~")
        # an expression statement must do something: assign, or end with a call
        useful = not self.assignable or self.assigned or self.last == ")"
        line_can_end = not self.stack and not self.ternary and not self.lambdas and useful and (
            not self.header or self.header_done)
        if self.state == "stmt":
            # a statement starts with a keyword or a name (an assignment or a call): a bare literal or operator at
            # a line start is legal Python but does nothing, so the mask leaves it out
            allow("return", "if", "for", "while", "pass", "break", "continue", "elif", "else", FN, *ARG_SLOTS)
            allow_class("name")
            if not self.needs_body:
                if self.level > 1:
                    allow(DEDENT)
                if self.any_token:
                    allow(EOS)
        elif self.state == "operand":
            allow_class("atom", "name")
            allow(*_OPEN, *operand_starts)
            if self.last in _OPEN:  # empty brackets
                allow(_OPEN[self.last])
            if self.stack and self.stack[-1] == "[":  # slices: x[:2], x[::-1]
                allow(":", "]")
            if self.last == "lambda":
                allow(":")
            if self.last == "return":
                allow(NEWLINE, EOS)
        elif self.state == "operator":
            allow_class("binary")
            allow(".", "(", "[", ",", "if", "not")
            if self.ternary:
                allow("else")
            if self.stack:
                allow(_OPEN[self.stack[-1]], "for")
                if self.stack[-1] in ("[", "{"):
                    allow(":")
                if self.stack[-1] == "(":
                    allow("=")  # keyword arguments
            else:
                if self.header and not self.header_done:
                    allow(":")
                if self.lambdas:
                    allow(":")
                if self.assignable and not self.assigned and not self.header:
                    allow_class("assign")
            if line_can_end:
                allow(NEWLINE, EOS)
        elif self.state == "attr":
            allow_class("name")
        elif self.state == "not_in":
            allow("in")
        elif self.state == "colon":
            allow(":")
        elif self.state == "end":
            allow(NEWLINE)
            if not self.header_done:
                allow(EOS)
        if not mask.any():  # never leave an agent without a move
            allow(NEWLINE if self.line_tokens else EOS)
            if not mask.any():
                mask[:] = True
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


@dataclass
class _Episode:
    task: Task
    binding: TaskBinding
    prompt_ids: list[int]
    actions: list[int] = field(default_factory=list)
    done: bool = False
    illegal: int = 0


class CodeGenTokensEnv(ExecutorOwner, gym.Env):
    """Token-level code generation for Stable-Baselines3 (and any ``Discrete``-action RL library).

    ## Description

    ``reset`` picks a task (default: generated micro tasks of levels 0-1, ``tasks="micro:200:..."`` style specs or
    Task lists work too). The agent emits the function body one token per step; the program is the task's
    completion prefix (signature + docstring) plus the decoded body, run against the task's tests when the episode
    ends.

    ## Action Space

    ``Discrete(tokenizer.n_actions)``. With a :class:`CodeVocabulary`: ``<eos>``, ``<newline>``,
    ``<dedent>``, slot tokens (``<fn>``, ``<arg0..3>``, ``<num0..3>``, ``<str0..3>`` -- bound per task) and whole code
    tokens. Masked actions (see ``action_masks()``) are ignored if taken (no token is written) but still count
    towards the length cap.

    ## Observation Space

    ``Dict``:

    * ``tokens``: ``Box(0, vocab_size - 1, (prompt_tokens + max_tokens,), int64)`` -- the prompt's ids (signature
      slots, ``<sep>``, description words) padded with ``<pad>`` to ``prompt_tokens``, then the emitted ids padded to
      ``max_tokens``.
    * ``action_mask``: ``MultiBinary(n_actions)`` -- 1 for allowed actions. ``action_masks()`` returns the same as a
      bool array for sb3-contrib's ``MaskablePPO``.

    ## Rewards

    0 on every step except the last, which gets the reward function's value for the program (default
    ``BinaryPassReward``). With ``dense_line_rewards=True`` and a reward that returns per-line rewards, the program so
    far is also scored each time a line is completed and that line's reward lands on its ``<newline>`` token (the
    last line's on the final token); ``info["token_rewards"]`` always lists the per-token rewards the reward
    function implies at the end (per-line rewards on each line's last token, the scalar on the final token).
    A reward whose scalar already includes its line rewards (``RewardOutput.info["line_rewards_in_reward"]``, as
    ``ShapedReward`` sets) is not paid twice: the final token gets the scalar minus the line rewards already
    placed on tokens (minus those paid on the dense steps, with ``dense_line_rewards``), so the episode return is
    the scalar. The final step's ``info["hacking"]`` holds the reward-hacking signals (as in ``CodeGen-v0``);
    ``info["success"]`` is False on every step but the final one, where it says whether the program solved the
    task (as in ``CodeGen-v0``).

    ## Episode End

    Terminates on ``<eos>``; truncates after ``max_tokens`` actions (the program so far is still run and scored).

    ## Arguments

    * ``tasks``: task spec or list (default ``"micro:500:..."``-equivalent: 500 micro tasks of levels 0 and 1).
    * ``tokenizer``: a :class:`Tokenizer`; default :meth:`CodeVocabulary.for_micro_levels` ``((0, 1))`` (39
      actions) with the default tasks, :meth:`CodeVocabulary.default` (120 actions, every micro level) otherwise.
      ``CodeVocabulary.from_tasks(tasks, base=())`` builds a compact one for any completion-style tasks.
    * ``max_tokens`` (32), ``prompt_tokens`` (48): observation lengths.
    * ``reward``, ``executor``, ``limits``, ``render_mode`` as in ``CodeGen-v0``; ``dense_line_rewards`` (False).
    * ``illegal_action_reward`` (0.0): added on every step whose action the mask forbids -- a small negative value
      teaches a learner that ignores masks (plain PPO) to write grammatical tokens instead of stalling on no-ops.

    ## Version History

    * v0: initial version.
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(self, tasks: TaskSpec | None = None, *, tokenizer: Tokenizer | None = None, max_tokens: int = 32,
                 prompt_tokens: int = 48, reward: RewardFn | None = None, dense_line_rewards: bool = False,
                 illegal_action_reward: float = 0.0,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        for name, value in (("max_tokens", max_tokens), ("prompt_tokens", prompt_tokens)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise EnvConfigError(f"{name} must be an int >= 1, not {value!r}")
        render_mode = check_render_mode(render_mode, self.metadata["render_modes"], "CodeGenTokens-v0")
        if tokenizer is None:
            # the default tasks (micro levels 0-1) get the compact vocabulary; any other tasks the general one
            tokenizer = CodeVocabulary.for_micro_levels((0, 1)) if tasks is None else CodeVocabulary.default()
        if tasks is None:
            tasks = _default_token_tasks  # called on the first reset
        self.task_pool = TaskPool(tasks)
        self.tokenizer: Tokenizer = tokenizer
        if not isinstance(self.tokenizer, Tokenizer):
            raise EnvConfigError("tokenizer= must implement codegym.envs.tokens.Tokenizer")
        self.max_tokens, self.prompt_tokens = max_tokens, prompt_tokens
        self.reward_fn = resolve_reward(reward)
        self.dense_line_rewards = bool(dense_line_rewards)
        self.illegal_action_reward = float(illegal_action_reward)
        self._init_executor(executor)
        self.limits = resolve_limits(limits)
        self.render_mode = render_mode
        self.action_space = spaces.Discrete(self.tokenizer.n_actions)
        self.observation_space = spaces.Dict({
            "tokens": spaces.Box(0, self.tokenizer.vocab_size - 1, (prompt_tokens + max_tokens,), np.int64),
            "action_mask": spaces.MultiBinary(self.tokenizer.n_actions),
        })
        self._episode: _Episode | None = None
        self._last_reward: float | None = None
        self._last_line_rewards: dict[int, float] = {}

    @property
    def task(self) -> Task | None:
        return self._episode.task if self._episode else None

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        super().reset(seed=seed)
        task = self.task_pool.pick(self.np_random, options)
        if task.completion_prefix is None:
            raise EnvConfigError(f"CodeGenTokens-v0 writes function bodies, so tasks need a completion_prefix (the "
                                 f"signature and docstring); {task.task_id} has none. Use completion-style tasks "
                                 "such as micro or HumanEval, or CodeGen-v0 for whole programs.")
        binding = bind_task(task)
        self._episode = _Episode(task, binding, self.tokenizer.encode_prompt(task, binding)[: self.prompt_tokens])
        self._last_reward = None
        self._last_line_rewards = {}
        if self.render_mode == "human":
            self.render()
        return self._observation(), {"task_id": task.task_id}

    def action_masks(self) -> np.ndarray:
        """Allowed actions as a bool array (sb3-contrib ``MaskablePPO`` calls this)."""
        if self._episode is None:
            raise EnvStateError("CodeGenTokens-v0: call reset() first")
        return self.tokenizer.action_mask(self._episode.actions, self._episode.binding).astype(bool)

    def step(self, action: int) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        episode = self._episode
        if episode is None or episode.done:
            raise EnvStateError("CodeGenTokens-v0: call reset() before step() and after the episode ends")
        try:
            action = int(action)
        except (TypeError, ValueError):
            raise ActionError(f"CodeGenTokens-v0 takes an int action in [0, {self.tokenizer.n_actions}), "
                              f"got {action!r}") from None
        if not 0 <= action < self.tokenizer.n_actions:
            raise ActionError(f"action {action} is outside [0, {self.tokenizer.n_actions})")
        mask = self.tokenizer.action_mask(episode.actions, episode.binding)
        illegal = not mask[action]
        steps_taken = len(episode.actions) + episode.illegal + 1
        if illegal:
            episode.illegal += 1
        else:
            episode.actions.append(action)
        terminated = not illegal and action == self.tokenizer.eos_action()
        truncated = not terminated and steps_taken >= self.max_tokens
        info: dict[str, Any] = {"task_id": episode.task.task_id, "illegal_action": illegal, SUCCESS_KEY: False}
        reward = self.illegal_action_reward if illegal else 0.0
        if terminated or truncated:
            episode.done = True
            final_reward, final_info = self._final_reward(episode)
            reward += final_reward
            info.update(final_info)
        elif self.dense_line_rewards and not illegal and self.tokenizer.decode_body(
                episode.actions, episode.binding)[1][-1] >= 0:  # this token completed a line
            reward = self._line_reward(episode)
        if self.render_mode == "human":
            self.render()
        return self._observation(), float(reward), terminated, truncated, info

    # -- scoring ---------------------------------------------------------------------------------------------------
    def _program(self, episode: _Episode, close_blocks: bool = False) -> tuple[str, list[int], int]:
        body, ends = self.tokenizer.decode_body(episode.actions, episode.binding)
        prefix = episode.task.completion_prefix if episode.task.completion_prefix is not None else ""
        if close_blocks and body.rstrip().endswith(":"):
            indent = len(body.rstrip().splitlines()[-1]) - len(body.rstrip().splitlines()[-1].lstrip()) + 4
            body += " " * indent + "pass\n"
        if close_blocks and not body.strip():
            body = "    pass\n"
        # the final program is never padded: it is exactly what the agent wrote (an open block is its syntax
        # error; an empty body leaves the docstring-only function, which returns None)
        return prefix + body, ends, prefix.count("\n")

    def _evaluate(self, program: str) -> SplitEvaluation:
        """Visible and hidden tests in separate requests: the full evaluation feeds the reward only, and ``info``
        gets the agent's view (no hidden test text, message or output)."""
        assert self._episode is not None
        return run_split(self._episode.task, program, self.executor, self.limits)

    def _line_reward(self, episode: _Episode) -> float:
        program, ends, offset = self._program(episode, close_blocks=True)
        out = score(self.reward_fn, self._evaluate(program).evaluation, episode.task, program, partial=True)
        line = ends[-1]
        if out.line_rewards is None or offset + line >= len(out.line_rewards):
            return 0.0
        value = float(out.line_rewards[offset + line])
        self._last_line_rewards[line] = value
        return value

    def _final_reward(self, episode: _Episode) -> tuple[float, dict[str, Any]]:
        program, ends, offset = self._program(episode)
        split = self._evaluate(program)
        evaluation = split.agent_view
        out = score(self.reward_fn, split.evaluation, episode.task, program)
        token_rewards = [0.0] * len(ends)
        unfinished_line = 0.0  # a last line without <newline> ends at the final token
        if out.line_rewards is not None:
            n_body_lines = program.count("\n") - offset
            for i, line in enumerate(ends):
                if line >= 0 and offset + line < len(out.line_rewards):
                    token_rewards[i] = float(out.line_rewards[offset + line])
            last = n_body_lines - 1
            if last >= 0 and last not in ends and offset + last < len(out.line_rewards):
                unfinished_line = float(out.line_rewards[offset + last])
        # a reward whose scalar already contains its line rewards (ShapedReward: outcome + shaping) must not pay
        # them twice: the final token then carries only what the lines placed on tokens leave of the scalar
        in_reward = bool(out.info.get("line_rewards_in_reward")) and out.line_rewards is not None
        if token_rewards:
            on_lines = sum(token_rewards) + unfinished_line
            token_rewards[-1] += (out.reward - on_lines if in_reward else out.reward) + unfinished_line
        reward = out.reward
        if self.dense_line_rewards and out.line_rewards is not None and token_rewards:
            # earlier lines were paid on their <newline> steps; the final token carries the outcome plus the line
            # it ends (or the unfinished last line), which no dense step has paid
            reward = token_rewards[-1]
            if in_reward:
                # the dense steps paid the line rewards of the partial programs, which may differ from the final
                # ones: the final token settles the difference so the episode return is exactly the scalar
                reward = out.reward - sum(self._last_line_rewards.values())
        self._last_reward = reward
        info = step_info(evaluation.summary())
        info.update(program=program, evaluation=evaluation, token_rewards=token_rewards,
                    n_tokens=len(episode.actions), illegal_actions=episode.illegal)
        info[SUCCESS_KEY] = solved(evaluation)
        if out.line_rewards is not None:
            info["line_rewards"] = list(out.line_rewards)
        info["hacking"] = hacking_info(evaluation, episode.task, program, process_signal(out))
        return reward, info

    # -- observation and rendering ---------------------------------------------------------------------------------
    def _observation(self) -> dict[str, np.ndarray]:
        assert self._episode is not None
        episode = self._episode
        tokens = np.full(self.prompt_tokens + self.max_tokens, self.tokenizer.pad_id, dtype=np.int64)
        tokens[: len(episode.prompt_ids)] = episode.prompt_ids
        emitted = [self.tokenizer.action_to_obs_id(a) for a in episode.actions[: self.max_tokens]]
        tokens[self.prompt_tokens: self.prompt_tokens + len(emitted)] = emitted
        mask = self.tokenizer.action_mask(episode.actions, episode.binding).astype(np.int8)
        return {"tokens": tokens, "action_mask": mask}

    def render(self) -> str | None:
        if self.render_mode not in self.metadata["render_modes"]:
            gym.logger.warn("CodeGenTokens-v0.render() needs render_mode='ansi' or 'human'")
            return None
        if self._episode is None:
            text = "CodeGenTokens-v0: not reset yet\n"
        else:
            episode = self._episode
            program, _, _ = self._program(episode)
            tokens = " ".join(self.tokenizer.action_token(a) for a in episode.actions)
            text = (f"=== task {episode.task.task_id} ===\n{episode.task.prompt.rstrip()}\n--- tokens ---\n{tokens}\n"
                    f"--- code ---\n{program.rstrip()}\n")
            if self._last_reward is not None:
                text += f"--- feedback ---\nreward: {self._last_reward}\n"
        return emit_render(self.render_mode, text)



def _default_token_tasks() -> list[Task]:
    """500 micro tasks of levels 0 and 1 (the levels a token-level agent can learn from scratch)."""
    from codegym.tasks.micro import generate_micro_tasks

    return generate_micro_tasks(250, seed=0, difficulty=0) + generate_micro_tasks(250, seed=0, difficulty=1)
