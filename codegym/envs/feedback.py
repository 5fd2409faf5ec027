"""What the agent reads about its program: the visible tests rendered as text, and feedback on a visible run.

Feedback is built from the visible tests' outcomes only (:attr:`SplitEvaluation.agent_view
<codegym.envs.split.SplitEvaluation.agent_view>`): nothing of a hidden test reaches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import TestOutcome
    from codegym.tasks.model import Test


def render_test(test: Test) -> str:
    """One test as the agent sees it (a call with its expected value, stdin/stdout, or an assert program)."""
    kind = getattr(test, "kind", "")
    if kind == "call":
        args = ", ".join([*(repr(a) for a in test.args), *(f"{k}={v!r}" for k, v in test.kwargs.items())])
        return f"{test.entry_point}({args}) == {test.expected!r}"
    if kind == "stdio":
        return f"input:\n{test.stdin.rstrip()}\nexpected output:\n{test.expected_stdout.rstrip()}"
    return str(getattr(test, "code", test)).strip()


def render_tests(tests: Sequence[Test]) -> str:
    """The visible tests as a numbered list (empty string when there are none)."""
    return "\n".join(f"# test {i + 1}\n{render_test(t)}" for i, t in enumerate(tests))


def render_outcome(outcome: TestOutcome, max_excerpt: int = 600) -> str:
    """Execution feedback for one failing test: what ran, expected vs actual, the error and its line, stdout."""
    parts = [f"test {outcome.index + 1}{f' ({outcome.name})' if outcome.name else ''}: {outcome.status}"]
    if outcome.call:
        parts.append(f"call: {outcome.call[:max_excerpt]}")
    if outcome.stdin:
        parts.append(f"input: {outcome.stdin[:max_excerpt]}")
    if outcome.expected is not None:
        parts.append(f"expected: {outcome.expected[:max_excerpt]}")
    if outcome.actual is not None:
        parts.append(f"actual: {outcome.actual[:max_excerpt]}")
    if outcome.error_type or outcome.message:
        message = outcome.message or ""
        # executors often put the type in the message already ("ZeroDivisionError: division by zero")
        error = message if outcome.error_type and message.startswith(outcome.error_type) else \
            ": ".join(x for x in (outcome.error_type, message) if x)
        parts.append(f"error: {error[:max_excerpt]}")
    if outcome.line is not None:
        parts.append(f"line: {outcome.line}")
    if outcome.stdout:
        parts.append(f"stdout: {outcome.stdout[:max_excerpt]}")
    return "\n".join(parts)


@dataclass
class Feedback:
    """Feedback on the visible tests of one submission (what a refinement agent reads)."""

    text: str
    visible_passed: int
    visible_total: int


def visible_feedback(evaluation: ProgramEvaluation | None, format_error: str | None = None) -> Feedback:
    """Feedback text from the visible outcomes only.

    ``evaluation`` is the agent's view of a split run (:attr:`SplitEvaluation.agent_view`): its visible outcomes
    and request-level output come from a request that held no hidden test. Without visible tests the text says
    only whether the program parses (checked here, without running anything).
    """
    if format_error is not None:
        return Feedback(f"format error: {format_error}", 0, 0)
    assert evaluation is not None
    outcomes = evaluation.visible_outcomes
    passed = sum(o.passed for o in outcomes)
    if not outcomes:
        error = syntax_error_text(evaluation.program)
        text = f"no visible tests; program status: {'syntax_error' if error else 'parses'}"
        if error:
            text += f"\nerror: {error[:600]}"
        return Feedback(text, 0, 0)
    lines = [f"visible tests passed: {passed}/{len(outcomes)}"]
    failing = next((o for o in outcomes if not o.passed), None)
    if failing is not None:
        if evaluation.result.error and failing.message is None:
            lines.append(f"error: {evaluation.result.error[:600]}")
        lines.append(render_outcome(failing))
    return Feedback("\n".join(lines), passed, len(outcomes))


def syntax_error_text(program: str) -> str | None:
    """``"SyntaxError on line N: message"`` when ``program`` does not parse, else None (parsing runs nothing)."""
    from codegym.parsing import parse_python

    try:
        parse_python(program, "<solution>")
    except SyntaxError as exc:
        return f"{type(exc).__name__} on line {exc.lineno}: {exc.msg}"
    except (ValueError, MemoryError, RecursionError) as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None
