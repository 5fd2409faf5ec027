"""``check(candidate)`` programs split by assertion: one :class:`~codegym.tasks.model.AssertTest` per assertion.

HumanEval-style tasks test a program with one ``check`` function holding many assertions. Split by assertion, some
of them can be shown to a model (visible tests) while the rest stay hidden, and a failure names the assertion that
failed. Each piece keeps the statements the assertion needs (loops, helper assignments) and nothing else; a program
that cannot be split safely is kept whole (:func:`parse_check_program` returns ``None``).
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from codegym.errors import TaskConfigError
from codegym.parsing import parse_python
from codegym.tasks.formats._common import Visible
from codegym.tasks.model import AssertTest, Test


@dataclass
class CheckProgram:
    """A HumanEval/LeetCode style test program, taken apart with ``ast``.

    Attributes:
        prelude: module-level statements other than ``def check`` and the final ``check(...)`` call
            (HumanEval's ``METADATA``, helper imports), verbatim.
        param: the name of check's parameter (``candidate``).
        setup: statements of check's body that are not assertion pieces (kept, in order, in every piece).
        pieces: check-body statements that assert something about the candidate, each verbatim and dedented.
        order: for each body statement, ``("setup", i)`` or ``("piece", i)``, preserving the original order.
        call_target: the source of the argument of the final top-level ``check(...)`` call, if any.
        setup_defines / setup_uses: for each setup statement, the names it may bind and the names it reads.
        piece_uses: for each piece, the names it reads.

    A piece keeps only the setup statements it needs (see :func:`_needed_setup`), and a program whose pieces would
    share data is not split at all (:meth:`leaks`), so a visible piece never carries the data that other pieces
    assert on.
    """

    prelude: str
    param: str
    setup: list[str]
    pieces: list[str]
    order: list[tuple[str, int]]
    call_target: str | None
    setup_defines: list[frozenset[str]] = field(default_factory=list)
    setup_uses: list[frozenset[str]] = field(default_factory=list)
    piece_uses: list[frozenset[str]] = field(default_factory=list)
    setup_shareable: list[bool] = field(default_factory=list)
    prelude_parts: list[str] = field(default_factory=list)
    prelude_defines: list[frozenset[str]] = field(default_factory=list)
    prelude_uses: list[frozenset[str]] = field(default_factory=list)
    prelude_shareable: list[bool] = field(default_factory=list)
    piece_defines: list[frozenset[str]] = field(default_factory=list)
    setup_constants: list[frozenset[Any]] = field(default_factory=list)
    prelude_constants: list[frozenset[Any]] = field(default_factory=list)
    piece_constants: list[frozenset[Any]] = field(default_factory=list)
    dynamic: bool = True  # names looked up at run time (eval, globals()...): what a piece reads is unknown

    def needed_prelude(self, piece: int) -> set[int]:
        """The module-level statements piece ``piece`` needs: imports, statements binding nothing, and those
        binding a name the piece or its setup reads (transitively). HumanEval's ``METADATA`` is needed by none."""
        needed = set(self.piece_uses[piece]) if piece < len(self.piece_uses) else set()
        for i in _needed_setup(self, piece):
            needed |= self.setup_uses[i]
        keep = {j for j, bound in enumerate(self.prelude_defines) if not bound or self.prelude_shareable[j]}
        return _close_over(self.prelude_defines, self.prelude_uses, keep, needed)

    def leaks(self) -> bool:
        """Whether splitting would show one piece's data with another: a setup or module-level statement that two
        pieces need and that is not :func:`_shareable` (a shared table of cases, a helper call with literal
        arguments). Any piece may become visible, so such a program is not split: it stays one hidden test."""
        if (self.dynamic or len(self.setup_shareable) != len(self.setup)
                or len(self.prelude_shareable) != len(self.prelude_parts)
                or len(self.piece_defines) != len(self.pieces) or len(self.piece_constants) != len(self.pieces)):
            return True  # built without the information, or reading names it cannot see: assume the worst
        setup_users = [0] * len(self.setup)
        prelude_users = [0] * len(self.prelude_parts)
        data: list[set[Any]] = []  # each piece's own data: the literals of the statements it alone keeps
        for piece in range(len(self.pieces)):
            setup, prelude = _needed_setup(self, piece), self.needed_prelude(piece)
            for i in setup:
                setup_users[i] += 1
            for j in prelude:
                prelude_users[j] += 1
            data.append(set().union(*(self.setup_constants[i] for i in setup if not self.setup_shareable[i]),
                                    *(self.prelude_constants[j] for j in prelude if not self.prelude_shareable[j])))
        if (any(n > 1 and not self.setup_shareable[i] for i, n in enumerate(setup_users))
                or any(n > 1 and not self.prelude_shareable[j] for j, n in enumerate(prelude_users))):
            return True
        for p in range(len(self.pieces)):
            others = [q for q in range(len(self.pieces)) if q != p]
            # a name another piece binds (a loop variable, a walrus) is not this piece's: split, it would be unbound
            # and the test would read whatever the program defines under that name
            if any(self.piece_uses[p] & (self.piece_defines[q] - self.piece_defines[p]) for q in others):
                return True
            # this piece's own data holds another piece's literal (``exp = {1: 2, 5: 99}`` beside
            # ``assert candidate(5) == 99``): shown with this piece, it would tell the other's expected value
            if any(data[p] & (self.piece_constants[q] | data[q]) for q in others):
                return True
        return False


#: Calls that read names at run time, which a static split cannot follow.
_DYNAMIC_LOOKUPS = frozenset({"eval", "exec", "globals", "locals", "vars", "getattr", "__import__", "compile"})


def _constants(node: ast.AST) -> frozenset[Any]:
    """The literals in ``node`` that can tell a test's data (by type and value, so that ``1`` and ``1.0`` stay
    apart): not ``None``, booleans, ``...``, or whole numbers from -10 to 10, which every test uses as sizes, steps and
    small inputs (counting them would refuse nearly every split, and such a value is a guess away anyway)."""
    out = set()
    for n in ast.walk(node):
        if not isinstance(n, ast.Constant) or n.value is None or n.value is Ellipsis or isinstance(n.value, bool):
            continue
        if isinstance(n.value, (int, float)) and float(n.value).is_integer() and abs(n.value) <= 10:
            continue
        out.add((type(n.value).__name__, n.value))
    return frozenset(out)


def _segment(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node, padded=True)
    if text is None:  # nodes without positions (never for parsed code, but be safe)
        text = ast.unparse(node)
    return textwrap.dedent(text)


def _executed_nodes(node: ast.AST):
    """The nodes of ``node`` that run when it runs: nested function/class/lambda bodies are skipped."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                stack.append(child)


def _is_assertion_piece(stmt: ast.stmt, param: str) -> bool:
    """A statement that asserts something: it executes an ``assert`` that reads any name (the candidate, or a
    variable set from it earlier: ``out = candidate(1)`` then ``assert out == ...``).

    Definitions (whose asserts do not run where they stand) and assertions that read nothing (HumanEval's
    ``assert True, "..."`` lines) stay setup. An assertion is never setup: setup may be copied into other pieces,
    and an assertion's expected value shown with a visible piece would leak a hidden test.
    """
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    return any(isinstance(n, ast.Assert) and any(isinstance(m, ast.Name) for m in ast.walk(n))
               for n in _executed_nodes(stmt))


def _shareable(stmt: ast.stmt) -> bool:
    """Setup that may stand in several pieces without telling one piece's data to another: imports, and
    statements that read no names and hold no data (``pass``, ``assert True, "..."``)."""
    if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(stmt, ast.Assert) and isinstance(stmt.test, ast.Constant):
        return True
    return False


def parse_check_program(source: str) -> CheckProgram | None:
    """Take a program defining ``check(candidate)`` apart; ``None`` if it has no such function or is invalid."""
    try:
        module = parse_python(source)
    except SyntaxError:
        return None
    check_def: ast.FunctionDef | None = None
    call_target: str | None = None
    prelude: list[str] = []
    prelude_nodes: list[ast.stmt] = []
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name == "check":
            check_def = node
            continue
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"
                and len(node.value.args) == 1 and not node.value.keywords):
            call_target = ast.get_source_segment(source, node.value.args[0]) or ast.unparse(node.value.args[0])
            continue
        prelude.append(_segment(source, node))
        prelude_nodes.append(node)
    if check_def is None or len(check_def.args.args) != 1:
        return None
    setup: list[str] = []
    pieces: list[str] = []
    order: list[tuple[str, int]] = []
    setup_defines: list[frozenset[str]] = []
    setup_uses: list[frozenset[str]] = []
    piece_uses: list[frozenset[str]] = []
    setup_shareable: list[bool] = []
    piece_defines: list[frozenset[str]] = []
    setup_constants: list[frozenset[Any]] = []
    piece_constants: list[frozenset[Any]] = []
    for stmt in check_def.body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str):
            continue  # a docstring
        if _is_assertion_piece(stmt, check_def.args.args[0].arg):
            order.append(("piece", len(pieces)))
            pieces.append(_segment(source, stmt))
            piece_uses.append(_names_read(stmt))
            piece_defines.append(_names_bound(stmt))
            piece_constants.append(_constants(stmt))
        else:
            order.append(("setup", len(setup)))
            setup.append(_segment(source, stmt))
            setup_defines.append(_names_bound(stmt))
            setup_uses.append(_names_read(stmt))
            setup_shareable.append(_shareable(stmt))
            setup_constants.append(_constants(stmt))
    dynamic = any(isinstance(n, ast.Name) and n.id in _DYNAMIC_LOOKUPS for n in ast.walk(module))
    return CheckProgram(prelude="\n".join(prelude), param=check_def.args.args[0].arg, setup=setup, pieces=pieces,
                        order=order, call_target=call_target, setup_defines=setup_defines, setup_uses=setup_uses,
                        piece_uses=piece_uses, setup_shareable=setup_shareable, prelude_parts=prelude,
                        prelude_defines=[_names_bound(n) for n in prelude_nodes],
                        prelude_uses=[_names_read(n) for n in prelude_nodes],
                        prelude_shareable=[_shareable(n) for n in prelude_nodes], piece_defines=piece_defines,
                        setup_constants=setup_constants, prelude_constants=[_constants(n) for n in prelude_nodes],
                        piece_constants=piece_constants, dynamic=dynamic)


def _names_read(stmt: ast.stmt) -> frozenset[str]:
    """Every name ``stmt`` reads anywhere, nested function bodies included (they read them when called)."""
    return frozenset(n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load))


def _names_bound(stmt: ast.stmt) -> frozenset[str]:
    """Every name ``stmt`` may bind (over-approximated: binding in nested scopes counts too, which only keeps more
    setup than needed, never less)."""
    names: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return frozenset(names)


def _needed_setup(program: CheckProgram, piece: int) -> set[int]:
    """The setup statements piece ``piece`` needs: those binding a name it reads (transitively), and every
    statement that binds nothing (its effect cannot be attributed, e.g. a helper call that asserts)."""
    if len(program.setup_defines) != len(program.setup):  # built by hand without name information: keep all
        return set(range(len(program.setup)))
    keep = {i for i, bound in enumerate(program.setup_defines) if not bound}
    needed = set(program.piece_uses[piece]) if piece < len(program.piece_uses) else set()
    return _close_over(program.setup_defines, program.setup_uses, keep, needed)


def _close_over(defines: Sequence[frozenset[str]], uses: Sequence[frozenset[str]], keep: set[int],
                needed: set[str]) -> set[int]:
    """``keep`` plus every statement binding a name that ``needed`` or a kept statement reads, transitively."""
    keep = set(keep)
    needed = set(needed)
    for i in keep:
        needed |= uses[i]
    changed = True
    while changed:
        changed = False
        for i, bound in enumerate(defines):
            if i not in keep and bound & needed:
                keep.add(i)
                needed |= uses[i]
                changed = True
    return keep


def _check_source(program: CheckProgram, keep_piece: int, target: str) -> str:
    """A complete test program with exactly one assertion piece and the setup statements it needs, in order."""
    needed = _needed_setup(program, keep_piece)
    body: list[str] = []
    for kind, i in program.order:
        if kind == "setup":
            if i in needed:
                body.append(program.setup[i])
        elif i == keep_piece:
            body.append(program.pieces[i])
    inner = textwrap.indent("\n".join(body), "    ")
    if len(program.prelude_parts) == len(program.prelude_defines):
        kept = program.needed_prelude(keep_piece)
        prelude = "\n".join(part for j, part in enumerate(program.prelude_parts) if j in kept)
    else:
        prelude = program.prelude
    parts = [prelude, f"def check({program.param}):\n{inner}\n", f"check({target})\n"]
    return "\n\n".join(p for p in parts if p.strip())


def assert_tests_from_check(test_program: str, target: str, visible: Visible,
                            name_prefix: str = "check") -> tuple[list[Test], list[Test]]:
    """Turn one ``check(candidate)`` program into (visible, hidden) assert tests.

    ``test_program`` must already end with the ``check(<target>)`` call. With ``visible`` ``None`` or 0 the
    whole program is one hidden test (the benchmark's own protocol). Otherwise each assertion statement of
    check's body becomes its own test (with the non-assert statements it needs kept for context) and
    :func:`split_keep_hidden` makes the first ``visible`` of them visible: an int ``k`` is the first ``k``
    assertions, a float that fraction of them; at least one always stays hidden. A program that cannot be split
    (fewer than two assertion pieces, or no ``check`` function) stays one hidden test.
    """
    whole = AssertTest(code=test_program, entry_point=target, name=name_prefix)
    if not visible:
        return [], [whole]
    pieces = split_check_test(whole, target)
    if pieces is None:
        return [], [whole]  # nothing to split: keep the benchmark's single hidden test
    return split_keep_hidden(pieces, visible)


def split_check_test(test: Test, target: str | None = None) -> list[AssertTest] | None:
    """One test per assertion piece of an assert test whose code is a ``check(candidate)`` program.

    ``None`` when ``test`` is not such a program or has fewer than two pieces (nothing to split). ``target`` is
    the candidate check is called with; by default the argument of the program's own ``check(...)`` call.
    """
    if not isinstance(test, AssertTest):
        return None
    program = parse_check_program(test.code)
    if program is None or len(program.pieces) < 2 or program.leaks():
        return None
    target = target or program.call_target
    if not target:
        return None  # the program never calls check: it asserts nothing
    prefix = test.name or "check"
    return [AssertTest(code=_check_source(program, i, target), entry_point=test.entry_point or target,
                       name=f"{prefix}[{i}]", timeout_s=test.timeout_s) for i in range(len(program.pieces))]


def explode_check_tests(tests: Sequence[Test]) -> list[Test]:
    """``tests`` with every splittable ``check(candidate)`` assert test replaced by its assertion pieces, in order.

    What ``visible=`` counts: one entry per assertion (call and stdin/stdout tests are one assertion each).
    """
    out: list[Test] = []
    for test in tests:
        pieces = split_check_test(test)
        out.extend(pieces if pieces is not None else [test])
    return out


def split_keep_hidden(tests: Sequence[Test], visible: int | float) -> tuple[list[Test], list[Test]]:
    """Split ``tests`` into (visible, hidden): an int ``k`` makes the first ``k`` visible, a float in [0, 1] that
    fraction (rounded). At least one test always stays hidden, so the reward is never decided only by tests the
    agent saw: ``k`` is capped at ``len(tests) - 1`` (a single test stays hidden)."""
    tests = list(tests)
    if isinstance(visible, bool) or not isinstance(visible, (int, float)):
        raise TaskConfigError(f"visible must be an int count or a float fraction, not {visible!r}")
    if isinstance(visible, float):
        if not 0.0 <= visible <= 1.0:
            raise TaskConfigError(f"a visible fraction must be in [0, 1], got {visible}")
        count = int(round(visible * len(tests)))
    else:
        if visible < 0:
            raise TaskConfigError(f"visible must be >= 0, got {visible}")
        count = visible
    count = max(0, min(count, len(tests) - 1))
    return tests[:count], tests[count:]


def find_check_target(test_program: str) -> str | None:
    """The argument of the last top-level ``check(...)`` call (``"Solution().minOperations"``), if any."""
    try:
        module = parse_python(test_program)
    except SyntaxError:
        return None
    target = None
    for node in module.body:
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
                and isinstance(node.value.func, ast.Name) and node.value.func.id == "check"
                and len(node.value.args) == 1):
            target = ast.get_source_segment(test_program, node.value.args[0]) or ast.unparse(node.value.args[0])
    return target


