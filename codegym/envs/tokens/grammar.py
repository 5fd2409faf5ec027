"""The action-mask grammar of ``CodeGenTokens-v0``: special tokens, token classes and :class:`LineGrammar`.

The grammar is a light approximation of Python's for function bodies written one vocabulary token at a time
(statement starts, operand/operator alternation, brackets, block headers ending in ``:``, indentation); it never
forbids a token of a well-formed micro-task body (checked on 2,100 generated tasks of every level).
"""

from __future__ import annotations

import numpy as np

#: Special tokens: end of program, end of line, close a block; observation-only padding, separator, unknown.
EOS, NEWLINE, DEDENT = "<eos>", "<newline>", "<dedent>"
PAD, SEP, UNK = "<pad>", "<sep>", "<unk>"
FN = "<fn>"
N_SLOTS = 4  # slots per kind: <arg0..3>, <num0..3>, <str0..3>
ARG_SLOTS = tuple(f"<arg{i}>" for i in range(N_SLOTS))
NUM_SLOTS = tuple(f"<num{i}>" for i in range(N_SLOTS))
STR_SLOTS = tuple(f"<str{i}>" for i in range(N_SLOTS))


#: Token classes of the mask grammar.
TOKEN_CLASSES = ("atom", "name", "prefix", "binary", "open", "close", "assign", "special", "keyword")
_BINARY = {"+", "-", "*", "/", "//", "%", "**", "==", "!=", "<", ">", "<=", ">=", "and", "or", "in", "is", "&", "|",
           "^", "<<", ">>", "@"}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "**="}
_OPEN = {"(": ")", "[": "]", "{": "}"}


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
