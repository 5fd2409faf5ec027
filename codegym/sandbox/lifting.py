"""Lifting simple assertions out of the sandbox: ``assert candidate(1, 2) == 3`` becomes a call plus a check.

An assert test (HumanEval's ``check(candidate)``, MBPP's ``assert f(x) == y``) runs inside the untrusted process, so
its expected values do too, and a program that reads them from memory, or that patches the test machinery, can
make a failing test report success. Most such tests, though, are only a list of assertions of a few shapes about
calls with literal arguments. For those, the executor sends only the calls into the sandbox (like
:class:`~codegym.tasks.model.CallTest`: arguments in, a plain value out) and evaluates each assertion here, in the
trusted process, on the returned value. The expected values never enter the sandbox, and the verdict is as
unforgeable as a call test's.

A test is lifted only when *every* statement of it has one of these shapes (anything else, and the test runs as
before, with the reference cross-check where a reference exists):

* module level: imports, docstrings, assignments of literals (``METADATA = {...}``), one ``def check(p):`` and one
  final ``check(NAME)`` or ``check(Class().method)`` call;
* in ``check`` (or at module level, for MBPP-style tests calling the entry point by name): ``pass``, docstrings,
  ``assert True`` and ``assert E`` / ``assert E, message`` where ``E`` is one of ``f(ARGS) == V``, ``V == f(ARGS)``,
  ``f(ARGS) != V``, ``f(ARGS) is True|False|None``, ``f(ARGS)``, ``not f(ARGS)``, ``abs(f(ARGS) - V) < T`` (or
  ``<=``, either operand order), ``math.isclose(f(ARGS), V[, rel_tol=..., abs_tol=...])``;

with ``ARGS``, ``V`` and ``T`` literals, or arithmetic on literals (``2.0 / 3.0``, ``3 * 19``, ``'ab' + 'c'``;
folded here, with size guards). The call may be wrapped in conversions (``tuple(f(x)) == (1, 2)``; ``tuple``,
``list``, ``set``, ``frozenset``, ``sorted``, ``len``), which are applied here to the returned plain value. An
assertion's message is not evaluated: it only ever runs when the assertion fails, and the failure then names the
assertion itself. Comparisons use Python's own ``==`` on the decoded plain values, so a result compares exactly as
it would in the program, except that objects of the program's own classes (which could define ``__eq__`` or
``__bool__`` to say anything) never pass.
"""

from __future__ import annotations

import ast
import functools
import math
from dataclasses import dataclass, field
from typing import Any

from codegym.parsing import parse_python
from codegym.runtime.codec import ObjectValue, check_hash_collisions
from codegym.tasks.model import AssertTest

#: A returned ``range`` longer than this is not converted here (``set(candidate(x))``): the judge would build it.
MAX_CONVERTED_ITEMS = 1_000_000
#: A lifted test is abandoned beyond this many calls (very long tests are cheaper to run as one assert program).
MAX_LIFTED_CALLS = 2000


@dataclass(frozen=True)
class LiftedCheck:
    """One assertion about one call: ``shape`` is ``eq``, ``ne``, ``is``, ``truthy``, ``falsy``, ``abs`` or
    ``isclose``; ``expected`` the literal, ``tol`` the tolerance (``abs``: bound; ``isclose``: ``(rel, abs)``)."""

    args: tuple
    kwargs: dict = field(default_factory=dict)
    shape: str = "eq"
    expected: Any = None
    tol: Any = None
    strict: bool = True  # abs: ``<`` (True) or ``<=``
    source: str = ""
    conversions: tuple[str, ...] = ()  # applied to the value first, innermost first (``tuple(candidate(x))``)

    def holds(self, value: Any) -> bool:
        """Does the assertion hold for ``value`` (a decoded plain value)?"""
        if contains_object(value):
            return False  # a program-defined object: its comparison methods are the program's to rig
        try:
            if self.conversions and isinstance(value, range) and len(value) > MAX_CONVERTED_ITEMS:
                return False  # a range is sent lazily: set(range(10**9)) must not run here
            for name in self.conversions:
                if name in ("set", "frozenset"):  # the program's items, hashed here: refuse colliding ones
                    value = list(value)  # (read once: an iterator would be spent by the check)
                    check_hash_collisions(value)
                value = CONVERSIONS[name](value)
            if self.shape == "eq":
                return bool(value == self.expected)
            if self.shape == "ne":
                return bool(value != self.expected)
            if self.shape == "is":
                return value is self.expected
            if self.shape == "truthy":
                return bool(value)
            if self.shape == "falsy":
                return not value
            if self.shape == "abs":
                if isinstance(value, (str, bytes, list, tuple, dict, set, frozenset)) or value is None:
                    return False
                diff = abs(value - self.expected)
                return bool(diff < self.tol) if self.strict else bool(diff <= self.tol)
            if self.shape == "isclose":
                rel, absolute = self.tol
                return math.isclose(value, self.expected, rel_tol=rel, abs_tol=absolute)
        except Exception:  # noqa: BLE001 - TypeError, ValueError, RecursionError...: the assertion does not hold
            return False
        return False


@dataclass(frozen=True)
class LiftedTest:
    """An assert test as calls of ``entry`` and their checks."""

    entry: str
    checks: tuple[LiftedCheck, ...]


def contains_object(value: Any) -> bool:
    """Whether a decoded value holds an object of a class the receiver does not know (one of the program's).

    Iterative: decoded values may nest thousands deep."""
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, ObjectValue):
            return True
        if isinstance(item, (list, tuple, set, frozenset, dict)):
            if not isinstance(item, tuple):  # (the pairs from items() are temporary: their ids are reused)
                if id(item) in seen:
                    continue
                seen.add(id(item))
            stack.extend(item.items() if isinstance(item, dict) else item)
    return False


class _NotLiftable(Exception):
    pass


#: Conversions allowed around a call (``tuple(candidate(x)) == ...``) and around a literal; applied here to plain
#: values, so none of the program's code runs.
CONVERSIONS = {"tuple": tuple, "list": list, "set": set, "frozenset": frozenset, "sorted": sorted, "len": len}

_FOLD_OPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
             ast.Div: lambda a, b: a / b, ast.FloorDiv: lambda a, b: a // b, ast.Mod: lambda a, b: a % b,
             ast.Pow: lambda a, b: a ** b}
_MAX_FOLDED_SIZE = 100_000  # characters / items / bits: ``'a' * 10**9`` is not folded (and not lifted)


def _literal(node: ast.AST) -> Any:
    """A literal, or arithmetic on literals (``2.0 / 3.0``, ``3 * 19``, ``'ab' + 'c'``), folded with size guards."""
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        items = [_literal(e) for e in node.elts]
        if isinstance(node, ast.Set):
            try:
                return set(items)
            except TypeError:  # an unhashable item
                raise _NotLiftable from None
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Dict) and None not in node.keys:
        try:
            return {_literal(k): _literal(v) for k, v in zip(node.keys, node.values)}
        except TypeError:  # an unhashable key
            raise _NotLiftable from None
    if isinstance(node, ast.BinOp) and type(node.op) in _FOLD_OPS:
        a, b = _literal(node.left), _literal(node.right)
        if isinstance(node.op, ast.Pow) and not (isinstance(b, (int, float)) and abs(b) <= 64
                                                 and isinstance(a, (int, float)) and abs(a) <= 1 << 64):
            raise _NotLiftable
        if isinstance(node.op, ast.Mult) and any(isinstance(x, (str, bytes, list, tuple)) for x in (a, b)):
            n = b if isinstance(b, int) else a
            seq = a if n is b else b
            if not isinstance(n, int) or len(seq) * max(n, 0) > _MAX_FOLDED_SIZE:
                raise _NotLiftable
        try:
            value = _FOLD_OPS[type(node.op)](a, b)
        except (TypeError, ValueError, ArithmeticError):
            raise _NotLiftable from None
        if isinstance(value, int) and value.bit_length() > _MAX_FOLDED_SIZE:
            raise _NotLiftable
        return value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        value = _literal(node.operand)
        try:
            return {ast.USub: lambda v: -v, ast.UAdd: lambda v: +v, ast.Not: lambda v: not v}[type(node.op)](value)
        except TypeError:
            raise _NotLiftable from None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONVERSIONS \
            and len(node.args) == 1 and not node.keywords:
        try:
            return CONVERSIONS[node.func.id](_literal(node.args[0]))
        except TypeError:
            raise _NotLiftable from None
    raise _NotLiftable


def _call_of(node: ast.AST, callee: str) -> tuple[tuple, dict, tuple[str, ...]] | None:
    """``callee(literal args...)``, possibly inside conversions (``tuple(callee(...))``) -> (args, kwargs,
    conversions, innermost first); None when ``node`` is not such a call of ``callee``."""
    conversions: list[str] = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONVERSIONS \
            and node.func.id != callee and len(node.args) == 1 and not node.keywords:
        conversions.append(node.func.id)
        node = node.args[0]
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == callee):
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        raise _NotLiftable
    return (tuple(_literal(a) for a in node.args), {k.arg: _literal(k.value) for k in node.keywords},
            tuple(reversed(conversions)))


def _made(call: tuple[tuple, dict, tuple[str, ...]], **fields: Any) -> LiftedCheck:
    args, kwargs, conversions = call
    return LiftedCheck(args, kwargs, conversions=conversions, **fields)


def _check_of(test: ast.expr, callee: str, source: str) -> LiftedCheck | None:
    """The check an ``assert`` expression makes; None for ``assert True``; _NotLiftable for anything else."""
    if isinstance(test, ast.Constant) and test.value is True:
        return None
    call = _call_of(test, callee)
    if call is not None:
        return _made(call, shape="truthy", source=source)
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        call = _call_of(test.operand, callee)
        if call is not None:
            return _made(call, shape="falsy", source=source)
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        left, op, right = test.left, test.ops[0], test.comparators[0]
        if isinstance(op, (ast.Eq, ast.NotEq)):
            shape = "eq" if isinstance(op, ast.Eq) else "ne"
            for a, b in ((left, right), (right, left)):
                call = _call_of(a, callee)
                if call is not None:
                    return _made(call, shape=shape, expected=_literal(b), source=source)
        if isinstance(op, ast.Is):
            call = _call_of(left, callee)
            if call is not None and isinstance(right, ast.Constant) and right.value in (True, False, None):
                return _made(call, shape="is", expected=right.value, source=source)
        if isinstance(op, (ast.Lt, ast.LtE)) and isinstance(left, ast.Call) and isinstance(left.func, ast.Name) \
                and left.func.id == "abs" and len(left.args) == 1 and not left.keywords \
                and isinstance(left.args[0], ast.BinOp) and isinstance(left.args[0].op, ast.Sub):
            diff = left.args[0]
            tol = _literal(right)
            for a, b in ((diff.left, diff.right), (diff.right, diff.left)):
                call = _call_of(a, callee)
                if call is not None:
                    return _made(call, shape="abs", expected=_literal(b), tol=tol, strict=isinstance(op, ast.Lt),
                                 source=source)
    if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "isclose" \
            and isinstance(test.func.value, ast.Name) and test.func.value.id == "math" and len(test.args) == 2:
        call = _call_of(test.args[0], callee)
        if call is not None:
            opts = {k.arg: _literal(k.value) for k in test.keywords}
            if set(opts) - {"rel_tol", "abs_tol"}:
                raise _NotLiftable
            return _made(call, shape="isclose", expected=_literal(test.args[1]),
                         tol=(opts.get("rel_tol", 1e-09), opts.get("abs_tol", 0.0)), source=source)
    raise _NotLiftable


def _segment(lines: list[str], node: ast.stmt) -> str:
    """The source text of ``node`` (``ast.get_source_segment`` re-splits the whole source on every call)."""
    if node.end_lineno is None or node.end_col_offset is None:
        return ""
    if node.lineno == node.end_lineno:
        return lines[node.lineno - 1][node.col_offset:node.end_col_offset]
    text = lines[node.lineno - 1][node.col_offset:] + "".join(lines[node.lineno:node.end_lineno - 1])
    return text + lines[node.end_lineno - 1][:node.end_col_offset]


def _checks_in(body: list[ast.stmt], callee: str, code: str) -> list[LiftedCheck]:
    lines = code.splitlines(keepends=True)
    checks = []
    for stmt in body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue
        if not isinstance(stmt, ast.Assert):
            raise _NotLiftable
        # A message (evaluated only when the assertion fails) is not reproduced: the failure names the assertion.
        check = _check_of(stmt.test, callee, _segment(lines, stmt))
        if check is not None:
            checks.append(check)
        if len(checks) > MAX_LIFTED_CALLS:
            raise _NotLiftable
    return checks


def _entry_of(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) and not node.value.args \
            and not node.value.keywords and isinstance(node.value.func, ast.Name):
        return f"{node.value.func.id}().{node.attr}"
    return None


def lift(test: AssertTest) -> LiftedTest | None:
    """The lifted form of ``test``, or None when it is not made only of liftable assertions (see the module doc)."""
    return _lift_cached(test.code, test.entry_point)


@functools.lru_cache(maxsize=4096)
def _lift_cached(code: str, entry_point: str | None) -> LiftedTest | None:
    # Cached: RL training judges many samples of one task against the same tests (a GRPO group, pass@k).
    try:
        module = parse_python(code)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    try:
        return _lift(module, code, entry_point)
    except (_NotLiftable, TypeError, ValueError, ArithmeticError, MemoryError, RecursionError):
        return None  # whatever the test holds, it then runs in the sandbox as it always did


def _lift(module: ast.Module, code: str, entry_point: str | None) -> LiftedTest | None:
    body = list(module.body)
    check_def = None
    rest: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "check":
            if check_def is not None:
                return None
            check_def = stmt
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            continue
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            _literal(stmt.value)  # METADATA = {...}; anything computed is not liftable
            if any(isinstance(t, ast.Name) and t.id in ("check", entry_point) for t in stmt.targets):
                return None
        else:
            rest.append(stmt)
    if check_def is not None:
        a = check_def.args
        if check_def.decorator_list or a.posonlyargs or a.vararg or a.kwonlyargs or a.kwarg or len(a.args) != 1 \
                or a.defaults:
            return None
        # The rest must be exactly one ``check(entry)`` call.
        if len(rest) != 1 or not isinstance(rest[0], ast.Expr):
            return None
        call = rest[0].value
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "check"
                and len(call.args) == 1 and not call.keywords):
            return None
        entry = _entry_of(call.args[0])
        if entry is None or (entry_point and entry != entry_point):
            return None
        checks = _checks_in(check_def.body, a.args[0].arg, code)
    else:
        # MBPP style: assertions about the entry point itself, at module level.
        if not entry_point or "." in entry_point or "(" in entry_point:
            return None
        entry = entry_point
        checks = _checks_in(rest, entry, code)
    if not checks:
        return None
    return LiftedTest(entry=entry, checks=tuple(checks))
