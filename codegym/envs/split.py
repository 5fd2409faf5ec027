"""Split execution: a program runs on the visible tests and, in a separate request, on the hidden tests.

A request runs in its own sandbox process(es), so the program never runs in a process that holds a hidden test
while its output (stdout, stderr, exception messages, tracebacks, assertion text, timing) can reach the agent.
:func:`run_split` runs both requests; :func:`split_requests` / :func:`combine_split` let a caller batch them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from codegym.envs.feedback import syntax_error_text

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits, TestOutcome
    from codegym.tasks.model import Task


@dataclass
class SplitRequests:
    """The executions of one program on one task, visible and hidden tests in separate requests.

    A request runs in its own sandbox process(es), so the program never runs in a process that holds a hidden test
    while its output (stdout, stderr, exception messages, tracebacks, assertion text, timing) can reach the agent:
    only ``visible``'s result feeds observations; ``hidden``'s feeds the reward and the pass/fail counts of info.
    ``visible`` is None when the task has no visible tests (unless it has no tests at all: then it runs the bare
    program), ``hidden`` when it has no hidden tests.
    """

    task_id: str
    program: str
    visible: ExecutionRequest | None
    hidden: ExecutionRequest | None
    n_visible: int

    @property
    def requests(self) -> list[ExecutionRequest]:
        """The requests to run, visible first (what :func:`combine_split` takes results for, in this order)."""
        return [r for r in (self.visible, self.hidden) if r is not None]


def split_requests(task: Task, program: str, limits: Limits | None = None,
                   executor: Executor | None = None) -> SplitRequests:
    """Build the visible-tests request and the hidden-tests request for ``program`` (nothing runs yet); without
    ``limits``, those of the ``executor`` they will run on apply (:func:`codegym.evaluation.request_limits`)."""
    from codegym.evaluation import build_request

    visible = hidden = None
    if task.visible_tests or not task.hidden_tests:
        visible, _ = build_request(task, program, "visible", limits, executor)
        visible.request_id = f"{task.task_id}#visible"
    if task.hidden_tests:
        hidden, _ = build_request(task, program, "hidden", limits, executor)
        hidden.request_id = f"{task.task_id}#hidden"
    return SplitRequests(task.task_id, program, visible, hidden, len(task.visible_tests))


@dataclass
class SplitEvaluation:
    """A split run put back together.

    ``evaluation`` has every outcome in full (visible first, then hidden, as ``ProgramEvaluation`` expects); only
    the reward function gets it. ``agent_view`` is what observations and ``info`` may carry: visible outcomes and
    the request-level output (stdout, stderr, error, timings) of the visible request in full, and each hidden
    outcome reduced to its index, kind, pass/fail and status -- no test text, messages, values, output or timing.
    """

    evaluation: ProgramEvaluation
    agent_view: ProgramEvaluation


#: Overall status when the two requests fail in different ways (the executor's own precedence within a request).
_STATUS_PRECEDENCE = ("sandbox_error", "syntax_error", "memory_limit", "output_limit", "timeout", "runtime_error",
                      "failed")


def _overall_status(results: Sequence[ExecutionResult]) -> str:
    failing = {r.status for r in results if r.status != "passed"}
    if not failing:
        return "passed"
    return next((s for s in _STATUS_PRECEDENCE if s in failing), sorted(failing)[0])


def _redacted_outcome(outcome: TestOutcome, index: int) -> TestOutcome:
    """A hidden outcome as the agent may see it: a fresh object with only its index, kind, verdict and status
    (built field by field, so a field added to ``TestOutcome`` later is never copied by accident)."""
    from codegym.sandbox.api import TestOutcome

    return TestOutcome(index=index, kind=outcome.kind, passed=bool(outcome.passed), status=outcome.status)


def _complete_outcomes(request: ExecutionRequest | None, result: ExecutionResult | None,
                       offset: int) -> list[TestOutcome]:
    """The outcomes of one request, one per test it held (a test without a reported outcome counts as failed, so
    a broken run can never make the hidden tests look absent), indexed from ``offset``."""
    import dataclasses

    from codegym.sandbox.api import TestOutcome

    if request is None or result is None:
        return []
    tests = list(request.tests)
    outcomes = [dataclasses.replace(o, index=offset + i) for i, o in enumerate(result.tests[:len(tests)])]
    status = result.status if result.status != "passed" else "sandbox_error"
    for i in range(len(outcomes), len(tests)):
        outcomes.append(TestOutcome(index=offset + i, kind=getattr(tests[i], "kind", "assert"), passed=False,
                                    status=status, message="the executor reported no outcome for this test"))
    return outcomes


def combine_split(split: SplitRequests, visible_result: ExecutionResult | None,
                  hidden_result: ExecutionResult | None) -> SplitEvaluation:
    """The full evaluation (for the reward) and the agent's view (for observations and info) of a split run."""
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import ExecutionResult

    if split.visible is not None and visible_result is None:
        raise ValueError("combine_split needs the visible request's result")
    if split.hidden is not None and hidden_result is None:
        raise ValueError("combine_split needs the hidden request's result")
    ran = [r for r in (visible_result, hidden_result) if r is not None]
    visible_tests = _complete_outcomes(split.visible, visible_result, 0)
    n_visible = len(visible_tests)
    hidden_tests = _complete_outcomes(split.hidden, hidden_result, n_visible)
    first = ran[0]
    full = ExecutionResult(
        status=_overall_status(ran),
        tests=[*visible_tests, *hidden_tests],
        stdout="".join(r.stdout for r in ran), stderr="".join(r.stderr for r in ran),
        wall_time_s=sum(r.wall_time_s for r in ran), cpu_time_s=sum(r.cpu_time_s for r in ran),
        peak_memory_mb=max(r.peak_memory_mb for r in ran), isolation=first.isolation, backend=first.backend,
        error=next((r.error for r in ran if r.error), None), request_id=split.task_id)
    seen = visible_result
    public = ExecutionResult(
        status=full.status,
        tests=[*visible_tests, *(_redacted_outcome(o, o.index) for o in hidden_tests)],
        stdout=seen.stdout if seen is not None else "", stderr=seen.stderr if seen is not None else "",
        wall_time_s=seen.wall_time_s if seen is not None else 0.0,
        cpu_time_s=seen.cpu_time_s if seen is not None else 0.0,
        peak_memory_mb=seen.peak_memory_mb if seen is not None else 0.0,
        isolation=first.isolation, backend=first.backend,
        error=seen.error if seen is not None else syntax_error_text(split.program), request_id=split.task_id)
    return SplitEvaluation(ProgramEvaluation(split.task_id, split.program, full, n_visible, "all"),
                           ProgramEvaluation(split.task_id, split.program, public, n_visible, "all"))


def run_split(task: Task, program: str, executor: Executor, limits: Limits | None = None) -> SplitEvaluation:
    """Run ``program`` on ``task``'s visible and hidden tests as two requests (in parallel) and combine them."""
    split = split_requests(task, program, limits, executor)
    results = executor.run_many(split.requests)
    return combine_split(split, *split_results(split, results))


def split_results(split: SplitRequests,
                  results: Sequence[ExecutionResult]) -> tuple[ExecutionResult | None, ExecutionResult | None]:
    """(visible result, hidden result) from the results of ``split.requests``, in that order."""
    results = list(results)
    if len(results) != len(split.requests):
        raise ValueError(f"expected {len(split.requests)} results for the split run, got {len(results)}")
    visible = results.pop(0) if split.visible is not None else None
    hidden = results.pop(0) if split.hidden is not None else None
    return visible, hidden


#: ``info`` key set on every step of every env (the coder's info in ``CoderTester-v0``): True when the episode
#: solved its task. This is the one definition of success that agents, benchmarks and rollouts read.
SUCCESS_KEY = "success"


def solved(evaluation: ProgramEvaluation | None) -> bool:
    """Whether a program solved its task: every test its reward is computed on passed -- the hidden tests when
    the task has any, else all its tests (:attr:`ProgramEvaluation.hidden_all_passed`). ``None`` (nothing ran,
    e.g. a format error) is not a success. The agent's view suffices: hidden outcomes keep their verdict."""
    return evaluation is not None and bool(evaluation.hidden_all_passed)
