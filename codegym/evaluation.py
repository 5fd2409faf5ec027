"""Run a task's tests against a program and summarise the verdict the way envs, rewards and the CLI need it.

This is the one place that turns (task, program) into an :class:`~codegym.sandbox.api.ExecutionRequest` and
splits the per-test outcomes back into visible and hidden tests. :func:`call_reference` runs a reference solution
on argument lists for the task loaders (EvalPlus expected outputs), which never run the sandbox themselves.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from codegym.runtime.codec import decode
from codegym.sandbox import default_executor
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits, TestOutcome
from codegym.tasks.formats.reference_outputs import ReferenceCall
from codegym.tasks.model import CallTest, Task

Split = Literal["all", "visible", "hidden"]


@dataclass
class ProgramEvaluation:
    """One program's verdict on one task, with visible and hidden tests counted separately.

    ``result.tests`` holds the visible outcomes first (``n_visible`` of them), then the hidden ones.
    """

    task_id: str
    program: str
    result: ExecutionResult
    n_visible: int
    split: str = "all"

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def visible_outcomes(self) -> list[TestOutcome]:
        return self.result.tests[: self.n_visible]

    @property
    def hidden_outcomes(self) -> list[TestOutcome]:
        return self.result.tests[self.n_visible:]

    @property
    def visible_passed(self) -> int:
        return sum(t.passed for t in self.visible_outcomes)

    @property
    def hidden_passed(self) -> int:
        return sum(t.passed for t in self.hidden_outcomes)

    @property
    def visible_total(self) -> int:
        return len(self.visible_outcomes)

    @property
    def hidden_total(self) -> int:
        return len(self.hidden_outcomes)

    @property
    def visible_pass_rate(self) -> float | None:
        return self.visible_passed / self.visible_total if self.visible_total else None

    @property
    def hidden_pass_rate(self) -> float | None:
        return self.hidden_passed / self.hidden_total if self.hidden_total else None

    @property
    def tests_passed(self) -> int:
        return self.result.tests_passed

    @property
    def tests_total(self) -> int:
        return self.result.tests_total

    @property
    def passed(self) -> bool:
        """Every test that was run passed (and at least one was run)."""
        return self.result.passed and self.tests_total > 0

    @property
    def hidden_all_passed(self) -> bool:
        """Every hidden test passed; falls back to the visible tests when the task has no hidden ones."""
        outcomes = self.hidden_outcomes or self.visible_outcomes
        return bool(outcomes) and all(t.passed for t in outcomes)

    @property
    def visible_hidden_gap(self) -> float | None:
        """Visible pass rate minus hidden pass rate (SpecBench's measure of test gaming)."""
        v, h = self.visible_pass_rate, self.hidden_pass_rate
        return None if v is None or h is None else v - h

    @property
    def failing_test(self) -> TestOutcome | None:
        return self.result.first_failure

    def summary(self) -> dict[str, Any]:
        """Plain-data summary for ``info`` dicts and JSONL output (no timings, so it is deterministic)."""
        fail = self.failing_test
        return {
            "task_id": self.task_id,
            "status": self.status,
            "passed": self.passed,
            "tests_passed": self.tests_passed,
            "tests_total": self.tests_total,
            "visible_passed": self.visible_passed,
            "visible_total": self.visible_total,
            "hidden_passed": self.hidden_passed,
            "hidden_total": self.hidden_total,
            "visible_pass_rate": self.visible_pass_rate,
            "hidden_pass_rate": self.hidden_pass_rate,
            "visible_hidden_gap": self.visible_hidden_gap,
            "error": self.result.error or (fail.message if fail else None),
            "failing_test": fail.to_dict() if fail else None,
        }


def request_limits(task: Task, limits: Limits | None = None, executor: Executor | None = None) -> Limits:
    """The limits a request for ``task`` runs under: the caller's ``limits`` when given, else the executor's
    defaults (``Executor(limits=...)``), else :class:`~codegym.sandbox.api.Limits`'s; the task's own
    ``timeout_s``/``memory_mb`` (:class:`~codegym.tasks.model.TaskLimits`) override whichever applies."""
    if limits is not None:
        base = limits
    elif executor is not None:
        base = executor.default_limits
    else:
        base = Limits()
    if task.limits.timeout_s or task.limits.memory_mb:
        base = base.merged(timeout_s=task.limits.timeout_s, memory_mb=task.limits.memory_mb)
    return base


def build_request(task: Task, program: str, split: Split = "all", limits: Limits | None = None,
                  executor: Executor | None = None) -> tuple[ExecutionRequest, int]:
    """The request that runs ``program`` on ``task``'s tests, and how many of them are visible.

    ``executor`` is the one the request will run on: without ``limits`` its default limits apply
    (:func:`request_limits`).
    """
    if split == "all":
        visible, tests = len(task.visible_tests), task.all_tests
    elif split == "visible":
        visible, tests = len(task.visible_tests), list(task.visible_tests)
    elif split == "hidden":
        visible, tests = 0, list(task.hidden_tests)
    else:
        raise ValueError(f"split must be 'all', 'visible' or 'hidden', not {split!r}")
    request = ExecutionRequest(program=program, tests=tests, limits=request_limits(task, limits, executor),
                               setup_code=task.setup_code, reference=task.reference,
                               harness_code=harness_code(task), request_id=task.task_id)
    return request, visible


def harness_code(task: Task) -> str:
    """The trusted code a task's assert tests may call besides the program: its prompt, when the prompt is Python
    (HumanEval's helpers such as ``poly``); the harness runs it before each assert test (docs/sandbox.md)."""
    prefix = task.completion_prefix
    if not prefix or task.style != "function":
        return ""
    try:
        compile(prefix, "<prompt>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return ""
    return prefix


def evaluate_program(task: Task, program: str, executor: Executor | None = None, split: Split = "all",
                     limits: Limits | None = None) -> ProgramEvaluation:
    """Run ``program`` on ``task`` (all tests by default) and return its verdict. ``executor`` defaults to the
    process's local executor; ``limits`` to the executor's (:func:`request_limits`)."""
    executor = executor or default_executor()
    request, n_visible = build_request(task, program, split, limits, executor)
    result = executor.run(request)
    return ProgramEvaluation(task.task_id, program, result, n_visible, split)


def evaluate_many(pairs: Iterable[tuple[Task, str]], executor: Executor | None = None, split: Split = "all",
                  limits: Limits | None = None,
                  progress: Callable[[int, ProgramEvaluation], None] | None = None) -> list[ProgramEvaluation]:
    """Evaluate many (task, program) pairs in parallel over the executor's pool, in order (defaults as in
    :func:`evaluate_program`)."""
    pairs = list(pairs)
    ex = executor or default_executor()
    built = [build_request(t, p, split, limits, ex) for t, p in pairs]
    evals: list[ProgramEvaluation | None] = [None] * len(pairs)

    def on_done(i: int, result: ExecutionResult) -> None:
        evals[i] = ProgramEvaluation(pairs[i][0].task_id, pairs[i][1], result, built[i][1], split)
        if progress:
            progress(i, evals[i])

    ex.run_many([b[0] for b in built], progress=on_done)
    return [e for e in evals if e is not None]


def unbiased_pass_at_k(n: int, c: int, k: int) -> float:
    """Chen et al. (2021) unbiased pass@k: ``1 - C(n-c, k) / C(n, k)``, computed stably."""
    if n < 1 or not 0 <= c <= n or k < 1:
        raise ValueError(f"pass@k needs n >= 1, 0 <= c <= n and k >= 1 (got n={n}, c={c}, k={k})")
    if k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per task (got {n})")
    if n - c < k:
        return 1.0
    prod = 1.0
    for i in range(n - c + 1, n + 1):
        prod *= 1.0 - k / i
    return 1.0 - prod


def pass_at_k(counts: Sequence[tuple[int, int]], ks: Sequence[int]) -> dict[int, float]:
    """Mean unbiased pass@k over tasks given (n_samples, n_correct) per task; k larger than n is skipped."""
    out: dict[int, float] = {}
    for k in ks:
        vals = [unbiased_pass_at_k(n, c, k) for n, c in counts if n >= k]
        if vals:
            out[k] = sum(vals) / len(vals)
    return out


def call_reference(program: str, entry_point: str, arg_lists: Sequence[Sequence[Any]], *, setup_code: str = "",
                   executor: Executor | None = None, timeout_s: float | None = None) -> list[ReferenceCall]:
    """``entry_point(*args)`` of ``program`` for every argument list, run in the sandbox; one result per list.

    This is codegym's :class:`~codegym.tasks.formats.reference_outputs.ReferenceRunner`: pass it to the loaders as
    ``load_tasks(path, compute_expected=call_reference)`` (the shared local executor) or
    ``compute_expected=functools.partial(call_reference, executor=ex)``. ``entry_point`` is an expression such as
    ``"add"`` or ``"Solution().twoSum"``. Arguments are deep-copied per call (EvalPlus does the same: some
    functions mutate their inputs). Lists whose value cannot be read back (the reference failed, timed out, or
    returned something not encodable or too large to report) come back with ``ok=False`` and the reason.
    """
    runner = executor or default_executor()
    tests = [CallTest(entry_point=entry_point, args=tuple(copy.deepcopy(list(args))), name=f"reference[{i}]",
                      timeout_s=timeout_s) for i, args in enumerate(arg_lists)]
    result = runner.run(ExecutionRequest(program=program, setup_code=setup_code, tests=tests))
    calls: list[ReferenceCall] = []
    for i in range(len(tests)):
        outcome = result.tests[i] if i < len(result.tests) else None
        # passed/failed without an error type: the call returned a value (its comparison is irrelevant here)
        if outcome is not None and outcome.status in ("passed", "failed") and outcome.error_type is None:
            try:
                calls.append(ReferenceCall(True, decode(outcome.value)))
            except ValueError as exc:  # DecodeError: a value the judge would not build either
                calls.append(ReferenceCall(False, error=f"unreadable value: {exc}"))
        else:
            reason = (outcome.message if outcome else None) or result.error or "no result"
            calls.append(ReferenceCall(False, error=reason))
    return calls
