"""Helpers shared by the reward modules: which tests decide a reward, which lines are code.

Code-block extraction is :mod:`codegym.extraction`'s; ``extract_code`` here is its
:func:`~codegym.extraction.last_code_block` (the program's block, ``None`` when the response has none), kept under
the name the reward modules use.
"""

from __future__ import annotations

import ast
import io
import tokenize
from typing import TYPE_CHECKING, Literal

from codegym.extraction import last_code_block as extract_code
from codegym.parsing import parse_python
from codegym.rewards.placement import source_lines

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import TestOutcome
    from codegym.tasks.model import Task, Test

__all__ = ["RUNTIME_FAILURE_STATUSES", "code_line_mask", "extract_code", "line_kinds", "program_status",
           "scored_pairs"]

LineKind = Literal["code", "blank", "comment", "docstring"]

#: statuses that mean the program itself could not run (or ran out of a resource) rather than answered wrongly
RUNTIME_FAILURE_STATUSES = frozenset({"runtime_error", "timeout", "memory_limit", "output_limit"})


def scored_pairs(evaluation: ProgramEvaluation, task: Task | None) -> list[tuple[Test | None, TestOutcome]]:
    """The (test, outcome) pairs that decide a reward: the hidden tests, or the visible ones when none are hidden.

    This matches :attr:`ProgramEvaluation.hidden_all_passed`, so every outcome reward agrees with the binary
    verdict on what "passing" means. The test object is ``None`` when the task does not list it (for instance
    when an evaluation was made against a different copy of the task).
    """
    if evaluation.split == "visible":
        tests = list(task.visible_tests) if task else []
        outcomes = evaluation.visible_outcomes
    elif evaluation.split == "hidden":
        tests = list(task.hidden_tests) if task else []
        outcomes = evaluation.result.tests
    else:
        hidden = evaluation.hidden_outcomes
        if hidden:
            tests, outcomes = (list(task.hidden_tests) if task else []), hidden
        else:
            tests, outcomes = (list(task.visible_tests) if task else []), evaluation.visible_outcomes
    if len(tests) != len(outcomes):
        tests = []
    return [(tests[i] if tests else None, o) for i, o in enumerate(outcomes)]


def program_status(evaluation: ProgramEvaluation) -> str:
    """The worst thing that happened on the scored tests: ``syntax_error`` > ``runtime_error`` (timeouts and
    resource limits included) > ``sandbox_error`` > ``failed``; ``passed`` when they all pass. The run's overall
    status decides only when no scored test has an outcome (e.g. a syntax error before any test ran)."""
    if evaluation.hidden_all_passed:
        return "passed"
    statuses = {o.status for _, o in scored_pairs(evaluation, None)} or {evaluation.status}
    if "syntax_error" in statuses:
        return "syntax_error"
    if statuses & RUNTIME_FAILURE_STATUSES:
        return "runtime_error"
    if "sandbox_error" in statuses:
        return "sandbox_error"
    return "failed"


def line_kinds(program: str) -> list[LineKind]:
    """Classify every line of ``program`` (index i is line i+1, lines as Python numbers them:
    :func:`~codegym.rewards.placement.source_lines`) as code, blank, comment or docstring.

    Comments, blank lines and docstrings are the lines PSGPO keeps neutral. Unparsable programs fall back to a
    textual rule (``#`` at the start of the stripped line is a comment).
    """
    lines = source_lines(program)
    kinds: list[LineKind] = ["blank" if not ln.strip() else "code" for ln in lines]
    for i, ln in enumerate(lines):
        if ln.strip().startswith("#"):
            kinds[i] = "comment"
    try:
        tree = parse_python(program)
    except (SyntaxError, ValueError):
        return kinds
    for node in ast.walk(tree):
        if (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)):
            for ln in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if 0 < ln <= len(kinds) and kinds[ln - 1] == "code":
                    kinds[ln - 1] = "docstring"
    # a line whose only token is a comment after a continuation is still a comment; tokenize confirms it
    try:
        for tok in tokenize.generate_tokens(io.StringIO(program).readline):
            if tok.type == tokenize.COMMENT:
                row = tok.start[0]
                if 0 < row <= len(kinds) and lines[row - 1].strip().startswith("#"):
                    kinds[row - 1] = "comment"
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return kinds


def code_line_mask(program: str) -> list[bool]:
    """True for lines that hold code (not blank, comment or docstring)."""
    return [k == "code" for k in line_kinds(program)]
