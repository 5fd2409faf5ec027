"""Procedurally generated micro tasks: the CartPole of code RL.

Every micro task is one short Python function (a 1-6 line reference body) drawn from a template of a
*difficulty level*, with constants, function names and parameter names drawn from a seeded RNG. Five levels:

====  ====================  ==========================================================================
0     ``constant``          return a constant (or the argument unchanged)
1     ``arithmetic``        arithmetic on the arguments
2     ``conditional``       branches on the arguments
3     ``list_loop``         a loop over a list (sums, products, element-wise maps, concatenation)
4     ``list_string_loop``  loops *and* conditionals over lists and strings (count matching elements,
                            filter+map, running sums, string transforms)
====  ====================  ==========================================================================

Tasks are reproducible: task ``i`` of ``iter_micro_tasks(seed, difficulty)`` depends only on ``(seed, difficulty,
i)``, so the stream is unlimited and any prefix is identical across runs, machines and Python versions (the RNG is
:class:`random.Random` seeded with a string, which hashes with SHA-512 and is stable).

Every expected value is computed in this (trusted) process by a *separate* Python implementation of the template's
semantics -- never by running model code, and not by running the generated reference either, so the reference
source and the test oracle are two independent implementations that the test-suite checks against each other.

The module is long because it is one table: each template's source generator sits beside its oracle (so the
two can be read against each other), and the templates are what the levels are.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from codegym.errors import InvalidDifficultyError, MicroTaskError
from codegym.tasks.model import CallTest, Task

__all__ = ["LEVEL_NAMES", "N_VISIBLE", "N_HIDDEN", "InvalidDifficultyError", "MicroTaskError", "generate_micro_tasks",
           "iter_micro_tasks", "micro_task", "parse_difficulty", "template_names"]

#: Names of the difficulty levels, index = level.
LEVEL_NAMES: tuple[str, ...] = ("constant", "arithmetic", "conditional", "list_loop", "list_string_loop")
#: Visible tests per task (shown to the agent; the first one is also the docstring example).
N_VISIBLE = 2
#: Hidden tests per task (decide the reward); edge cases of the template come first.
N_HIDDEN = 8


def parse_difficulty(difficulty: int | str | None) -> int | None:
    """Normalise a difficulty knob to a level number; ``None`` (or ``"mixed"``/``"all"``) means every level.

    Accepts ``0``-``4``, their string forms (``"2"``), and the names in :data:`LEVEL_NAMES`
    (``"conditional"``); ``"level2"``/``"L2"`` are accepted too.
    """
    if difficulty is None:
        return None
    if isinstance(difficulty, bool):
        raise InvalidDifficultyError(f"micro difficulty must be a level 0-4 or a name, not {difficulty!r}")
    if isinstance(difficulty, int):
        level = difficulty
    elif isinstance(difficulty, str):
        text = difficulty.strip().lower()
        if text in ("", "mixed", "all", "any"):
            return None
        for prefix in ("level", "l"):
            if text.startswith(prefix) and text[len(prefix):].isdigit():
                text = text[len(prefix):]
                break
        if text.isdigit():
            level = int(text)
        elif text in LEVEL_NAMES:
            return LEVEL_NAMES.index(text)
        else:
            raise InvalidDifficultyError(
                f"unknown micro difficulty {difficulty!r}; use a level 0-4, one of {', '.join(LEVEL_NAMES)}, "
                "or 'mixed' for every level")
    else:
        raise InvalidDifficultyError(f"micro difficulty must be an int or a str, not {type(difficulty).__name__}")
    if not 0 <= level < len(LEVEL_NAMES):
        raise InvalidDifficultyError(f"micro difficulty level {level} is out of range; use 0-{len(LEVEL_NAMES) - 1}")
    return level


# ---------------------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------------------

Args = tuple[Any, ...]


@dataclass(frozen=True)
class _Spec:
    """One instantiated template: everything needed to write the prompt, the reference and the tests."""

    func_name: str
    params: tuple[tuple[str, str], ...]  # (name, annotation)
    returns: str  # return annotation
    summary: str  # the docstring's description; must pin down the behaviour completely
    body: tuple[str, ...]  # reference body, relative indentation (4 spaces per level)
    semantics: Callable[..., Any]  # trusted oracle: semantics(*args) -> expected
    draw_args: Callable[[random.Random], Args]
    edge_args: tuple[Args, ...] = ()  # edge cases, placed first among the hidden tests


@dataclass(frozen=True)
class _Template:
    name: str
    level: int
    build: Callable[[random.Random], _Spec]


_TEMPLATES: dict[int, list[_Template]] = {level: [] for level in range(len(LEVEL_NAMES))}


def _template(level: int, name: str) -> Callable[[Callable[[random.Random], _Spec]], Callable[[random.Random], _Spec]]:
    def register(build: Callable[[random.Random], _Spec]) -> Callable[[random.Random], _Spec]:
        _TEMPLATES[level].append(_Template(name, level, build))
        return build

    return register


def template_names(level: int | str | None = None) -> list[str]:
    """Names of the templates of one level (or of every level)."""
    parsed = parse_difficulty(level)
    levels = range(len(LEVEL_NAMES)) if parsed is None else [parsed]
    return [t.name for lv in levels for t in _TEMPLATES[lv]]


# Name pools. Local variables used by reference bodies (total, result, count, best, smallest, running, sign, ch,
# word, v, i) never appear here, so a drawn parameter name cannot shadow them.
_INT_NAMES = ("x", "n", "value", "num", "k", "m", "number", "amount")
_PAIR_NAMES = (("a", "b"), ("x", "y"), ("m", "n"), ("left", "right"), ("first", "second"), ("p", "q"))
_TRIPLE_NAMES = (("a", "b", "c"), ("x", "y", "z"), ("p", "q", "r"), ("first", "second", "third"))
_LIST_NAMES = ("xs", "nums", "values", "numbers", "items", "data", "arr", "seq")
_STR_NAMES = ("s", "text", "line", "phrase", "message", "chars")
_WORDS_NAMES = ("words", "names", "tokens", "parts", "labels")
_WORD_POOL = ("apple", "river", "stone", "cloud", "tiger", "lemon", "piano", "orbit", "maple", "quartz",
              "delta", "ember", "frost", "grove", "harbor", "island", "jungle", "kettle", "meadow", "nectar")
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_VOWELS = "aeiou"


def _pick(rng: random.Random, pool: Sequence[Any]) -> Any:
    return pool[rng.randrange(len(pool))]


def _name(rng: random.Random, stems: Sequence[str]) -> str:
    return _pick(rng, stems)


def _int_list(rng: random.Random, lo: int = -20, hi: int = 20, min_len: int = 0, max_len: int = 8) -> list[int]:
    return [rng.randint(lo, hi) for _ in range(rng.randint(min_len, max_len))]


def _word(rng: random.Random, min_len: int = 1, max_len: int = 7, alphabet: str = _LOWER) -> str:
    return "".join(_pick(rng, alphabet) for _ in range(rng.randint(min_len, max_len)))


def _sentence(rng: random.Random, max_words: int = 5, alphabet: str = _LOWER) -> str:
    return " ".join(_word(rng, 1, 6, alphabet) for _ in range(rng.randint(1, max_words)))


def _one_int(lo: int = -50, hi: int = 50) -> Callable[[random.Random], Args]:
    return lambda r: (r.randint(lo, hi),)


def _two_ints(lo: int = -50, hi: int = 50) -> Callable[[random.Random], Args]:
    return lambda r: (r.randint(lo, hi), r.randint(lo, hi))


# -- level 0: constants ------------------------------------------------------------------------------------------

@_template(0, "const_int")
def _const_int(rng: random.Random) -> _Spec:
    value = rng.randint(-100, 100)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("answer", "constant", "magic_number", "get_value", "fixed_value")), ((p, "int"),),
                 "int", f"Ignore {p} and always return the integer {value}.", (f"return {value}",),
                 lambda x: value, _one_int(), ((0,),))


@_template(0, "const_str")
def _const_str(rng: random.Random) -> _Spec:
    word = _pick(rng, _WORD_POOL)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("greeting", "get_word", "password", "label", "name_of")), ((p, "int"),), "str",
                 f"Ignore {p} and always return the string {word!r}.", (f"return {word!r}",),
                 lambda x: word, _one_int(), ((0,),))


@_template(0, "const_list")
def _const_list(rng: random.Random) -> _Spec:
    values = _int_list(rng, -9, 9, 2, 5)
    p = _pick(rng, _STR_NAMES)
    return _Spec(_name(rng, ("fixed_list", "get_list", "constant_list", "default_values")), ((p, "str"),),
                 "list[int]", f"Ignore {p} and always return the list {values!r}.", (f"return {values!r}",),
                 lambda s: list(values), lambda r: (_word(r),), (("",),))


@_template(0, "const_bool")
def _const_bool(rng: random.Random) -> _Spec:
    value = rng.random() < 0.5
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("always", "flag", "is_enabled", "get_flag", "check")), ((p, "list[int]"),), "bool",
                 f"Ignore {p} and always return {value}.", (f"return {value}",),
                 lambda xs: value, lambda r: (_int_list(r),), (([],),))


@_template(0, "const_float")
def _const_float(rng: random.Random) -> _Spec:
    value = rng.randint(-40, 40) / 4 + 0.25  # quarters are exact in binary, so repr round-trips
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("rate", "get_ratio", "constant_float", "scale_factor")), ((p, "int"),), "float",
                 f"Ignore {p} and always return the float {value!r}.", (f"return {value!r}",),
                 lambda x: value, _one_int(), ((0,),))


@_template(0, "identity")
def _identity(rng: random.Random) -> _Spec:
    kind = rng.randrange(3)
    if kind == 0:
        p, ann, draw = _pick(rng, _INT_NAMES), "int", _one_int(-1000, 1000)
    elif kind == 1:
        p, ann, draw = _pick(rng, _STR_NAMES), "str", (lambda r: (_sentence(r),))
    else:
        p, ann, draw = _pick(rng, _LIST_NAMES), "list[int]", (lambda r: (_int_list(r),))
    return _Spec(_name(rng, ("identity", "echo", "same", "passthrough", "unchanged")), ((p, ann),), ann,
                 f"Return {p} unchanged.", (f"return {p}",), lambda v: v, draw)


# -- level 1: arithmetic -----------------------------------------------------------------------------------------

@_template(1, "add_const")
def _add_const(rng: random.Random) -> _Spec:
    c = rng.randint(1, 30)
    p = _pick(rng, _INT_NAMES)
    if rng.random() < 0.5:
        return _Spec(_name(rng, ("add_offset", "shift_up", f"plus_{c}", "increase")), ((p, "int"),), "int",
                     f"Return {p} plus {c}.", (f"return {p} + {c}",), lambda x: x + c, _one_int(), ((0,),))
    return _Spec(_name(rng, ("subtract_offset", "shift_down", f"minus_{c}", "decrease")), ((p, "int"),), "int",
                 f"Return {p} minus {c}.", (f"return {p} - {c}",), lambda x: x - c, _one_int(), ((0,),))


@_template(1, "scale")
def _scale(rng: random.Random) -> _Spec:
    c = rng.randint(2, 12)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("scale", f"times_{c}", "multiply", "enlarge")), ((p, "int"),), "int",
                 f"Return {p} multiplied by {c}.", (f"return {p} * {c}",), lambda x: x * c, _one_int(),
                 ((0,), (-1,)))


@_template(1, "linear")
def _linear(rng: random.Random) -> _Spec:
    a, b = rng.randint(2, 9), rng.randint(-20, 20)
    p = _pick(rng, _INT_NAMES)
    expr = f"{a} * {p} + {b}" if b >= 0 else f"{a} * {p} - {-b}"
    return _Spec(_name(rng, ("linear", "affine", "transform", "evaluate_line")), ((p, "int"),), "int",
                 f"Return {expr}.", (f"return {expr}",), lambda x: a * x + b, _one_int(), ((0,),))


@_template(1, "sum_two")
def _sum_two(rng: random.Random) -> _Spec:
    p, q = _pick(rng, _PAIR_NAMES)
    return _Spec(_name(rng, ("add", "add_two", "sum_pair", "plus")), ((p, "int"), (q, "int")), "int",
                 f"Return the sum of {p} and {q}.", (f"return {p} + {q}",), lambda x, y: x + y, _two_ints(),
                 ((0, 0), (5, -5)))


@_template(1, "difference")
def _difference(rng: random.Random) -> _Spec:
    p, q = _pick(rng, _PAIR_NAMES)
    return _Spec(_name(rng, ("subtract", "difference", "minus", "diff")), ((p, "int"), (q, "int")), "int",
                 f"Return {p} minus {q}.", (f"return {p} - {q}",), lambda x, y: x - y, _two_ints(),
                 ((0, 0), (3, 7)))


@_template(1, "product")
def _product(rng: random.Random) -> _Spec:
    p, q = _pick(rng, _PAIR_NAMES)
    return _Spec(_name(rng, ("multiply", "product", "times", "mul")), ((p, "int"), (q, "int")), "int",
                 f"Return {p} multiplied by {q}.", (f"return {p} * {q}",), lambda x, y: x * y, _two_ints(-20, 20),
                 ((0, 7), (-3, -4)))


@_template(1, "square_plus")
def _square_plus(rng: random.Random) -> _Spec:
    c = rng.randint(0, 10)
    p = _pick(rng, _INT_NAMES)
    expr = f"{p} * {p} + {c}" if c else f"{p} * {p}"
    text = f"the square of {p} plus {c}" if c else f"the square of {p}"
    return _Spec(_name(rng, ("square", "squared_plus", "power_two", "sq")), ((p, "int"),), "int",
                 f"Return {text}.", (f"return {expr}",), lambda x: x * x + c, _one_int(-30, 30),
                 ((0,), (-3,)))


@_template(1, "floor_div")
def _floor_div(rng: random.Random) -> _Spec:
    c = rng.randint(2, 9)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("divide", "floor_divide", f"div_{c}", "bucket")), ((p, "int"),), "int",
                 f"Return {p} divided by {c}, rounded down to an integer (Python's {p} // {c}).",
                 (f"return {p} // {c}",), lambda x: x // c, _one_int(), ((0,), (-1,), (c,)))


@_template(1, "remainder")
def _remainder(rng: random.Random) -> _Spec:
    c = rng.randint(2, 9)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("remainder", "modulo", f"mod_{c}", "wrap")), ((p, "int"),), "int",
                 f"Return the remainder of {p} divided by {c} (Python's {p} % {c}, always between 0 and {c - 1}).",
                 (f"return {p} % {c}",), lambda x: x % c, _one_int(), ((0,), (-1,), (c,)))


@_template(1, "perimeter")
def _perimeter(rng: random.Random) -> _Spec:
    p, q = _pick(rng, (("width", "height"), ("w", "h"), ("a", "b"), ("length", "breadth")))
    return _Spec(_name(rng, ("perimeter", "rectangle_perimeter", "fence_length", "border")),
                 ((p, "int"), (q, "int")), "int",
                 f"Return the perimeter of a rectangle with sides {p} and {q}, that is 2 * ({p} + {q}).",
                 (f"return 2 * ({p} + {q})",), lambda x, y: 2 * (x + y), _two_ints(0, 100), ((0, 0), (1, 0)))


# -- level 2: conditionals ---------------------------------------------------------------------------------------

@_template(2, "absolute")
def _absolute(rng: random.Random) -> _Spec:
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("absolute", "magnitude", "distance_from_zero", "abs_value")), ((p, "int"),), "int",
                 f"Return the absolute value of {p}.", (f"if {p} < 0:", f"    return -{p}", f"return {p}"),
                 lambda x: x if x >= 0 else -x, _one_int(), ((0,), (-1,), (1,)))


@_template(2, "max_two")
def _max_two(rng: random.Random) -> _Spec:
    p, q = _pick(rng, _PAIR_NAMES)
    if rng.random() < 0.5:
        return _Spec(_name(rng, ("larger", "maximum", "bigger", "max_of_two")), ((p, "int"), (q, "int")), "int",
                     f"Return the larger of {p} and {q}.", (f"if {p} > {q}:", f"    return {p}", f"return {q}"),
                     lambda x, y: x if x > y else y, _two_ints(), ((4, 4), (-1, -2)))
    return _Spec(_name(rng, ("smaller", "minimum", "lesser", "min_of_two")), ((p, "int"), (q, "int")), "int",
                 f"Return the smaller of {p} and {q}.", (f"if {p} < {q}:", f"    return {p}", f"return {q}"),
                 lambda x, y: x if x < y else y, _two_ints(), ((4, 4), (-1, -2)))


@_template(2, "sign")
def _sign(rng: random.Random) -> _Spec:
    p = _pick(rng, _INT_NAMES)

    def sign(x: int) -> int:
        return (x > 0) - (x < 0)

    return _Spec(_name(rng, ("sign", "signum", "sign_of", "polarity")), ((p, "int"),), "int",
                 f"Return 1 if {p} is positive, -1 if it is negative and 0 if it is zero.",
                 (f"if {p} > 0:", "    return 1", f"if {p} < 0:", "    return -1", "return 0"),
                 sign, _one_int(), ((0,), (1,), (-1,)))


@_template(2, "clamp")
def _clamp(rng: random.Random) -> _Spec:
    lo = rng.randint(-20, 10)
    hi = lo + rng.randint(1, 30)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("clamp", "limit", "bound", "clip")), ((p, "int"),), "int",
                 f"Return {p} limited to the range [{lo}, {hi}]: {lo} if {p} is below {lo}, {hi} if it is above "
                 f"{hi}, else {p} itself.",
                 (f"if {p} < {lo}:", f"    return {lo}", f"if {p} > {hi}:", f"    return {hi}", f"return {p}"),
                 lambda x: min(max(x, lo), hi), _one_int(), ((lo,), (hi,), (lo - 1,), (hi + 1,)))


@_template(2, "parity_label")
def _parity_label(rng: random.Random) -> _Spec:
    even, odd = _pick(rng, (("even", "odd"), ("yes", "no"), ("EVEN", "ODD"), ("pair", "impair")))
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("parity", "even_or_odd", "parity_label", "classify")), ((p, "int"),), "str",
                 f"Return {even!r} if {p} is even and {odd!r} if it is odd.",
                 (f"if {p} % 2 == 0:", f"    return {even!r}", f"return {odd!r}"),
                 lambda x: even if x % 2 == 0 else odd, _one_int(), ((0,), (-3,)))


@_template(2, "in_range")
def _in_range(rng: random.Random) -> _Spec:
    lo = rng.randint(-20, 20)
    hi = lo + rng.randint(0, 25)
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, ("in_range", "is_between", "within_bounds", "inside")), ((p, "int"),), "bool",
                 f"Return True if {p} is between {lo} and {hi} (both included), else False.",
                 (f"if {lo} <= {p} <= {hi}:", "    return True", "return False"),
                 lambda x: lo <= x <= hi, _one_int(), ((lo,), (hi,), (lo - 1,), (hi + 1,)))


@_template(2, "fizz")
def _fizz(rng: random.Random) -> _Spec:
    c = rng.randint(2, 7)
    word = _pick(rng, ("fizz", "buzz", "bang", "ping", "zap"))
    p = _pick(rng, _INT_NAMES)
    return _Spec(_name(rng, (word, f"{word}_or_number", "say", "shout")), ((p, "int"),), "str",
                 f"Return {word!r} if {p} is divisible by {c}, otherwise {p} converted to a string.",
                 (f"if {p} % {c} == 0:", f"    return {word!r}", f"return str({p})"),
                 lambda x: word if x % c == 0 else str(x), _one_int(-30, 60), ((0,), (c,), (-c,), (c + 1,)))


@_template(2, "min_three")
def _min_three(rng: random.Random) -> _Spec:
    p, q, r = _pick(rng, _TRIPLE_NAMES)
    return _Spec(_name(rng, ("min_of_three", "least", "minimum3", "lowest")), ((p, "int"), (q, "int"), (r, "int")),
                 "int", f"Return the smallest of {p}, {q} and {r}.",
                 (f"smallest = {p}", f"if {q} < smallest:", f"    smallest = {q}", f"if {r} < smallest:",
                  f"    smallest = {r}", "return smallest"),
                 lambda x, y, z: min(x, y, z), lambda g: (g.randint(-50, 50), g.randint(-50, 50), g.randint(-50, 50)),
                 ((1, 1, 1), (3, 2, 1), (1, 2, 3), (2, 1, 3)))


@_template(2, "grade")
def _grade(rng: random.Random) -> _Spec:
    t = rng.randint(30, 70)
    good, bad = _pick(rng, (("pass", "fail"), ("high", "low"), ("ok", "too small"), ("big", "small")))
    p = _pick(rng, ("score", "points", "mark", "value"))
    return _Spec(_name(rng, ("grade", "judge", "rate_score", "verdict")), ((p, "int"),), "str",
                 f"Return {good!r} if {p} is at least {t}, otherwise {bad!r}.",
                 (f"if {p} >= {t}:", f"    return {good!r}", f"return {bad!r}"),
                 lambda x: good if x >= t else bad, _one_int(0, 100), ((t,), (t - 1,)))


# -- level 3: loops over lists -----------------------------------------------------------------------------------

@_template(3, "sum_list")
def _sum_list(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("sum_list", "add_all", "list_sum", "sum_values")), ((p, "list[int]"),), "int",
                 f"Return the sum of the numbers in {p} (0 for an empty list).",
                 ("total = 0", f"for v in {p}:", "    total += v", "return total"),
                 lambda xs: sum(xs), lambda g: (_int_list(g),), (([],), ([7],)))


@_template(3, "product_list")
def _product_list(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)

    def product(xs: list[int]) -> int:
        out = 1
        for v in xs:
            out *= v
        return out

    return _Spec(_name(rng, ("product", "multiply_all", "list_product", "prod")), ((p, "list[int]"),), "int",
                 f"Return the product of the numbers in {p} (1 for an empty list).",
                 ("result = 1", f"for v in {p}:", "    result *= v", "return result"),
                 product, lambda g: (_int_list(g, -6, 6, 0, 6),), (([],), ([0, 5],), ([-2, -3],)))


@_template(3, "sum_squares")
def _sum_squares(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("sum_of_squares", "squares_total", "energy", "square_sum")), ((p, "list[int]"),), "int",
                 f"Return the sum of the squares of the numbers in {p} (0 for an empty list).",
                 ("total = 0", f"for v in {p}:", "    total += v * v", "return total"),
                 lambda xs: sum(v * v for v in xs), lambda g: (_int_list(g),), (([],), ([-3],)))


@_template(3, "add_each")
def _add_each(rng: random.Random) -> _Spec:
    c = rng.choice([x for x in range(-9, 10) if x])
    p = _pick(rng, _LIST_NAMES)
    op, text = ("+", f"plus {c}") if c > 0 else ("-", f"minus {-c}")
    return _Spec(_name(rng, ("shift_all", "add_to_each", "offset_list", "bump")), ((p, "list[int]"),), "list[int]",
                 f"Return a new list with every number of {p} {text}, in the same order.",
                 ("result = []", f"for v in {p}:", f"    result.append(v {op} {abs(c)})", "return result"),
                 lambda xs: [v + c for v in xs], lambda g: (_int_list(g),), (([],),))


@_template(3, "scale_each")
def _scale_each(rng: random.Random) -> _Spec:
    c = rng.randint(2, 9)
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("scale_all", "multiply_each", "stretch", f"times_{c}_each")), ((p, "list[int]"),),
                 "list[int]", f"Return a new list with every number of {p} multiplied by {c}, in the same order.",
                 ("result = []", f"for v in {p}:", f"    result.append(v * {c})", "return result"),
                 lambda xs: [v * c for v in xs], lambda g: (_int_list(g),), (([],),))


@_template(3, "reverse_list")
def _reverse_list(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("reverse", "reversed_list", "backwards", "flip")), ((p, "list[int]"),), "list[int]",
                 f"Return a new list with the elements of {p} in reverse order.",
                 ("result = []", f"for v in {p}:", "    result.insert(0, v)", "return result"),
                 lambda xs: xs[::-1], lambda g: (_int_list(g),), (([],), ([1],)))


@_template(3, "concat_words")
def _concat_words(rng: random.Random) -> _Spec:
    p = _pick(rng, _WORDS_NAMES)
    sep = _pick(rng, ("", "-", " ", ","))
    if sep:
        summary = f"Return the strings in {p} joined with {sep!r} between consecutive strings ('' for an empty list)."
        body = ("result = ''", f"for i, word in enumerate({p}):", "    if i:", f"        result += {sep!r}",
                "    result += word", "return result")
    else:
        summary = f"Return the strings in {p} concatenated in order ('' for an empty list)."
        body = ("result = ''", f"for word in {p}:", "    result += word", "return result")
    return _Spec(_name(rng, ("concat", "join_all", "glue", "combine")), ((p, "list[str]"),), "str", summary, body,
                 lambda ws: sep.join(ws), lambda g: ([_word(g) for _ in range(g.randint(0, 5))],),
                 (([],), (["solo"],)))


@_template(3, "total_length")
def _total_length(rng: random.Random) -> _Spec:
    p = _pick(rng, _WORDS_NAMES)
    return _Spec(_name(rng, ("total_length", "count_letters", "char_count", "length_sum")), ((p, "list[str]"),),
                 "int", f"Return the total number of characters in all the strings of {p}.",
                 ("total = 0", f"for word in {p}:", "    total += len(word)", "return total"),
                 lambda ws: sum(len(w) for w in ws), lambda g: ([_word(g, 0, 7) for _ in range(g.randint(0, 6))],),
                 (([],), ([""],)))


@_template(3, "alternating_sum")
def _alternating_sum(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("alternating_sum", "zigzag_total", "plus_minus", "alt_sum")), ((p, "list[int]"),),
                 "int", f"Return {p}[0] - {p}[1] + {p}[2] - {p}[3] + ... (0 for an empty list).",
                 ("total = 0", "sign = 1", f"for v in {p}:", "    total += sign * v", "    sign = -sign",
                  "return total"),
                 lambda xs: sum(xs[0::2]) - sum(xs[1::2]), lambda g: (_int_list(g),), (([],), ([5],)))


# -- level 4: loops and conditionals over lists and strings ------------------------------------------------------

@_template(4, "count_greater")
def _count_greater(rng: random.Random) -> _Spec:
    t = rng.randint(-10, 10)
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("count_above", "count_greater", "num_large", "how_many_big")), ((p, "list[int]"),),
                 "int", f"Return how many numbers in {p} are greater than {t}.",
                 ("count = 0", f"for v in {p}:", f"    if v > {t}:", "        count += 1", "return count"),
                 lambda xs: sum(1 for v in xs if v > t), lambda g: (_int_list(g),), (([],), ([t],), ([t + 1],)))


@_template(4, "count_divisible")
def _count_divisible(rng: random.Random) -> _Spec:
    c = rng.randint(2, 5)
    p = _pick(rng, _LIST_NAMES)
    what = "even" if c == 2 else f"divisible by {c}"
    return _Spec(_name(rng, ("count_even" if c == 2 else f"count_multiples_of_{c}", "count_divisible",
                             "num_multiples", "tally")), ((p, "list[int]"),), "int",
                 f"Return how many numbers in {p} are {what} (0 counts as {what}).",
                 ("count = 0", f"for v in {p}:", f"    if v % {c} == 0:", "        count += 1", "return count"),
                 lambda xs: sum(1 for v in xs if v % c == 0), lambda g: (_int_list(g),), (([],), ([0, -c],)))


@_template(4, "filter_map")
def _filter_map(rng: random.Random) -> _Spec:
    c = rng.randint(2, 5)
    keep, cond, pred = _pick(rng, (("even", "v % 2 == 0", lambda v: v % 2 == 0),
                                   ("odd", "v % 2 != 0", lambda v: v % 2 != 0),
                                   ("positive", "v > 0", lambda v: v > 0),
                                   ("negative", "v < 0", lambda v: v < 0)))
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, (f"scale_{keep}", "filter_and_scale", "select_map", f"{keep}_times_{c}")),
                 ((p, "list[int]"),), "list[int]",
                 f"Return a new list holding {c} times each {keep} number of {p}, in the original order "
                 f"(other numbers are dropped).",
                 ("result = []", f"for v in {p}:", f"    if {cond}:", f"        result.append(v * {c})",
                  "return result"),
                 lambda xs: [v * c for v in xs if pred(v)], lambda g: (_int_list(g),), (([],), ([0],)))


@_template(4, "running_sum")
def _running_sum(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)

    def running(xs: list[int]) -> list[int]:
        out, acc = [], 0
        for v in xs:
            acc += v
            out.append(acc)
        return out

    return _Spec(_name(rng, ("running_sum", "prefix_sums", "cumulative", "accumulate_list")), ((p, "list[int]"),),
                 "list[int]", f"Return the running sums of {p}: element i is the sum of {p}[0] through {p}[i].",
                 ("result = []", "total = 0", f"for v in {p}:", "    total += v", "    result.append(total)",
                  "return result"),
                 running, lambda g: (_int_list(g),), (([],), ([3],)))


@_template(4, "sum_positive")
def _sum_positive(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("sum_positive", "positive_total", "gains", "sum_above_zero")), ((p, "list[int]"),),
                 "int", f"Return the sum of the positive numbers in {p} (0 if there are none).",
                 ("total = 0", f"for v in {p}:", "    if v > 0:", "        total += v", "return total"),
                 lambda xs: sum(v for v in xs if v > 0), lambda g: (_int_list(g),), (([],), ([-1, -2],), ([0],)))


@_template(4, "max_list")
def _max_list(rng: random.Random) -> _Spec:
    p = _pick(rng, _LIST_NAMES)
    return _Spec(_name(rng, ("largest", "max_value", "peak", "maximum")), ((p, "list[int]"),), "int",
                 f"Return the largest number in {p} ({p} is never empty).",
                 (f"best = {p}[0]", f"for v in {p}:", "    if v > best:", "        best = v", "return best"),
                 lambda xs: max(xs), lambda g: (_int_list(g, -50, 50, 1, 8),), (([-5],), ([-3, -1, -2],), ([2, 2],)))


@_template(4, "first_index_above")
def _first_index_above(rng: random.Random) -> _Spec:
    t = rng.randint(-5, 10)
    p = _pick(rng, _LIST_NAMES)

    def first(xs: list[int]) -> int:
        return next((i for i, v in enumerate(xs) if v > t), -1)

    return _Spec(_name(rng, ("first_above", "find_first", "index_of_big", "locate")), ((p, "list[int]"),), "int",
                 f"Return the index of the first number in {p} greater than {t}, or -1 if there is none.",
                 (f"for i, v in enumerate({p}):", f"    if v > {t}:", "        return i", "return -1"),
                 first, lambda g: (_int_list(g),), (([],), ([t],), ([t + 1, t + 2],)))


@_template(4, "count_vowels")
def _count_vowels(rng: random.Random) -> _Spec:
    p = _pick(rng, _STR_NAMES)
    return _Spec(_name(rng, ("count_vowels", "vowel_count", "num_vowels", "vowels")), ((p, "str"),), "int",
                 f"Return how many characters of {p} are lowercase vowels (a, e, i, o, u).",
                 ("count = 0", f"for ch in {p}:", "    if ch in 'aeiou':", "        count += 1", "return count"),
                 lambda s: sum(1 for ch in s if ch in _VOWELS), lambda g: (_sentence(g),), (("",), ("xyz",), ("aei",)))


@_template(4, "replace_char")
def _replace_char(rng: random.Random) -> _Spec:
    old = _pick(rng, _VOWELS + "rstln")
    new = _pick(rng, "*#_-.")
    p = _pick(rng, _STR_NAMES)
    return _Spec(_name(rng, ("replace_char", "mask", "substitute", "censor")), ((p, "str"),), "str",
                 f"Return {p} with every {old!r} replaced by {new!r}.",
                 ("result = ''", f"for ch in {p}:", f"    result += {new!r} if ch == {old!r} else ch", "return result"),
                 lambda s: s.replace(old, new), lambda g: (_sentence(g),), (("",), (old * 3,)))


@_template(4, "remove_chars")
def _remove_chars(rng: random.Random) -> _Spec:
    p = _pick(rng, _STR_NAMES)
    if rng.random() < 0.5:
        what, cond, pred = "vowels (a, e, i, o, u)", "ch not in 'aeiou'", (lambda ch: ch not in _VOWELS)
    else:
        what, cond, pred = "spaces", "ch != ' '", (lambda ch: ch != " ")
    return _Spec(_name(rng, ("strip_chars", "remove_" + what.split()[0], "squeeze", "drop_chars")), ((p, "str"),),
                 "str", f"Return {p} with all {what} removed.",
                 ("result = ''", f"for ch in {p}:", f"    if {cond}:", "        result += ch", "return result"),
                 lambda s: "".join(ch for ch in s if pred(ch)), lambda g: (_sentence(g),), (("",), ("a e",)))


@_template(4, "count_long_words")
def _count_long_words(rng: random.Random) -> _Spec:
    k = rng.randint(2, 5)
    p = _pick(rng, _WORDS_NAMES)
    return _Spec(_name(rng, ("count_long", "long_words", "num_long_words", "wordy")), ((p, "list[str]"),), "int",
                 f"Return how many strings in {p} are longer than {k} characters.",
                 ("count = 0", f"for word in {p}:", f"    if len(word) > {k}:", "        count += 1", "return count"),
                 lambda ws: sum(1 for w in ws if len(w) > k),
                 lambda g: ([_word(g, 1, 8) for _ in range(g.randint(0, 6))],), (([],), (["a" * k],), (["a" * (k + 1)],)))


@_template(4, "digit_sum")
def _digit_sum(rng: random.Random) -> _Spec:
    p = _pick(rng, _STR_NAMES)
    return _Spec(_name(rng, ("digit_sum", "sum_digits", "add_digits", "numeric_total")), ((p, "str"),), "int",
                 f"Return the sum of the decimal digits that appear in {p}, ignoring every other character.",
                 ("total = 0", f"for ch in {p}:", "    if ch.isdigit():", "        total += int(ch)", "return total"),
                 lambda s: sum(ord(ch) - ord("0") for ch in s if "0" <= ch <= "9"),
                 lambda g: (_sentence(g, 4, "abcxyz0123456789"),), (("",), ("abc",), ("909",)))


@_template(4, "capitalize_words")
def _capitalize_words(rng: random.Random) -> _Spec:
    p = _pick(rng, _STR_NAMES)

    def title(s: str) -> str:
        return " ".join((w[0].upper() + w[1:]) if w else w for w in s.split(" "))

    return _Spec(_name(rng, ("capitalize_words", "title_case", "headline", "capitalise")), ((p, "str"),), "str",
                 f"Return {p} with the first letter of every space-separated word in upper case "
                 "(all other characters, and the spaces, unchanged).",
                 ("result = ''", "previous = ' '", f"for ch in {p}:",
                  "    result += ch.upper() if previous == ' ' else ch", "    previous = ch", "return result"),
                 title, lambda g: (_sentence(g),), (("",), ("a",), ("ab  cd",)))


# ---------------------------------------------------------------------------------------------------------------
# Task assembly
# ---------------------------------------------------------------------------------------------------------------

def _format_call(func: str, args: Args) -> str:
    return f"{func}({', '.join(repr(a) for a in args)})"


def _draw_test_args(spec: _Spec, rng: random.Random) -> tuple[list[Args], list[Args]]:
    """Distinct argument tuples: ``N_VISIBLE`` random ones, then edge cases and random ones for the hidden tests."""
    seen: set[str] = set()

    def add(args: Args, into: list[Args]) -> None:
        key = repr(args)
        if key not in seen:
            seen.add(key)
            into.append(args)

    visible: list[Args] = []
    hidden: list[Args] = []
    attempts = 0
    while len(visible) < N_VISIBLE and attempts < 500:
        attempts += 1
        candidate = spec.draw_args(rng)
        if repr(candidate) in {repr(e) for e in spec.edge_args}:
            continue  # keep edge cases for the hidden tests
        add(candidate, visible)
    for edge in spec.edge_args:
        if len(hidden) < N_HIDDEN:
            add(edge, hidden)
    while len(hidden) < N_HIDDEN and attempts < 1000:
        attempts += 1
        add(spec.draw_args(rng), hidden)
    if len(visible) < N_VISIBLE or len(hidden) < N_HIDDEN:  # pragma: no cover - templates have wide input domains
        raise RuntimeError(f"micro template for {spec.func_name} could not draw enough distinct inputs")
    return visible, hidden


def _build_task(task_id: str, level: int, template: _Template, rng: random.Random) -> Task:
    spec = template.build(rng)
    visible_args, hidden_args = _draw_test_args(spec, rng)

    def expected(args: Args) -> Any:
        return spec.semantics(*copy.deepcopy(args))  # the oracle must never see (or mutate) the test's own inputs

    def make(args: Args, label: str, i: int) -> CallTest:
        return CallTest(entry_point=spec.func_name, args=args, expected=expected(args), name=f"{label}_{i}")

    visible = [make(a, "visible", i) for i, a in enumerate(visible_args)]
    hidden = [make(a, "hidden", i) for i, a in enumerate(hidden_args)]
    signature = ", ".join(f"{name}: {ann}" for name, ann in spec.params)
    example = visible[0]
    prompt = (f"def {spec.func_name}({signature}) -> {spec.returns}:\n"
              f'    """{spec.summary}\n\n'
              f"    >>> {_format_call(spec.func_name, example.args)}\n"
              f"    {example.expected!r}\n"
              f'    """\n')
    body = "".join(f"    {line}\n" for line in spec.body)
    return Task(
        task_id=task_id,
        prompt=prompt,
        entry_point=spec.func_name,
        visible_tests=visible,
        hidden_tests=hidden,
        reference_solutions=[prompt + body],
        metadata={"source": "micro", "difficulty": LEVEL_NAMES[level], "level": level, "template": template.name},
        completion_prefix=prompt,
    )


def micro_task(seed: int, index: int, difficulty: int | str | None = None) -> Task:
    """Task number ``index`` of the stream ``iter_micro_tasks(seed, difficulty)`` (random access).

    With ``difficulty=None`` the levels cycle 0, 1, 2, 3, 4, 0, ... so every prefix of five tasks is balanced.
    The id is ``micro/<seed>/<difficulty name or 'mixed'>/<index>``.
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise MicroTaskError(f"micro seed must be an int, not {seed!r}")
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise MicroTaskError(f"micro task index must be an int >= 0, not {index!r}")
    fixed = parse_difficulty(difficulty)
    level = fixed if fixed is not None else index % len(LEVEL_NAMES)
    stream = LEVEL_NAMES[fixed] if fixed is not None else "mixed"
    rng = random.Random(f"codegym-micro:{seed}:{stream}:{index}")
    template = _TEMPLATES[level][rng.randrange(len(_TEMPLATES[level]))]
    return _build_task(f"micro/{seed}/{stream}/{index}", level, template, rng)


def iter_micro_tasks(seed: int = 0, difficulty: int | str | None = None, start: int = 0) -> Iterator[Task]:
    """An endless, reproducible stream of micro tasks (tasks ``start``, ``start + 1``, ...)."""
    # Validate here, not inside a generator body, so a bad knob fails at the call rather than at the first next().
    micro_task(seed, start, difficulty)

    def stream() -> Iterator[Task]:
        index = start
        while True:
            yield micro_task(seed, index, difficulty)
            index += 1

    return stream()


def generate_micro_tasks(n: int, seed: int = 0, difficulty: int | str | None = None) -> list[Task]:
    """The first ``n`` tasks of ``iter_micro_tasks(seed, difficulty)``.

    Args:
        n: how many tasks (any number >= 0; the stream is unlimited).
        seed: RNG seed; the same seed always gives the same tasks.
        difficulty: a level 0-4, a name from :data:`LEVEL_NAMES`, or ``None`` for every level in turn.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise MicroTaskError(f"the number of micro tasks must be an int >= 0, not {n!r}")
    return [micro_task(seed, i, difficulty) for i in range(n)]
