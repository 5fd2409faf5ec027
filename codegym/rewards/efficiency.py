"""ACECode's efficiency reward: correct programs earn more the faster they run relative to the reference."""

from __future__ import annotations

import hashlib
import statistics
import threading
from typing import TYPE_CHECKING, Any

from codegym.evaluation import build_request
from codegym.rewards.base import RewardContext, RewardOutput
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.outcome import OutcomeReward

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import ExecutionResult, Executor, Limits
    from codegym.tasks.model import Task


def run_time(result: ExecutionResult) -> float:
    """Time spent in the tests (sum of per-test wall times; the whole run's when tests carry none)."""
    per_test = sum(t.wall_time_s for t in result.tests)
    return per_test if per_test > 0 else result.wall_time_s


class EfficiencyReward(OutcomeReward):
    """ACECode (Yang et al. 2024) efficiency reward.

    A program that fails a scored test earns ``incorrect`` (0). A correct one earns
    ``0.5 + 0.5 * min(t_ref / t_prog, cap)``: 1 when it is at least as fast as the reference solution (with the
    default cap 1), less the slower it is, never below 0.5 so correctness always dominates. Times are medians of
    ``repeats`` runs of each program through the executor, interleaved (program, reference, program, ...) so
    machine load drifts hit both alike; the reference's times are cached per task.

    Tasks without a reference solution (or whose reference fails) score a correct program as if it matched the
    reference (ratio 1) and say so in ``info["efficiency"]``.

    Programs are timed on the caller's executor under the caller's limits: the ``reward_context``
    (:class:`~codegym.rewards.base.RewardContext`) every env, :class:`~codegym.wrappers.RewardWrapper` and trainer
    adapter passes, so ``codegym train --executor docker --reward efficiency`` times them in Docker.
    ``executor``/``limits`` given here override the caller's (e.g. a dedicated, quiet timing executor). Called by
    hand without either, it times on the process's default local executor. Reference times are cached per task
    and executor.
    """

    name = "efficiency"

    def __init__(self, executor: Executor | None = None, repeats: int = 5, cap: float = 1.0,
                 incorrect: float = 0.0, limits: Limits | None = None) -> None:
        if repeats < 1 or cap <= 0:
            raise RewardConfigError("repeats must be >= 1 and cap > 0")
        if incorrect >= 0.5:
            raise RewardConfigError("incorrect must be below 0.5, the least a correct program earns")
        self.executor, self.repeats, self.cap, self.incorrect, self.limits = executor, repeats, cap, incorrect, limits
        self._reference_times: dict[tuple[str, str, int], float | None] = {}
        self._lock = threading.Lock()

    def measure(self, task: Task, program: str,
                reward_context: RewardContext | None = None) -> tuple[float, float | None]:
        """Median run time of ``program`` and of the task's reference (``None`` when it has none that passes)."""
        run = RewardContext.resolve(reward_context, self.executor, self.limits)
        executor = run.executor
        reference = task.reference
        # times from different executors (local vs docker) are not comparable: the cache is per executor
        key = (task.task_id, hashlib.sha1((reference or "").encode()).hexdigest(), id(executor))
        with self._lock:
            cached = key in self._reference_times
        split = "hidden" if task.hidden_tests else "all"
        # correctness is already settled: time the programs alone, without the reference cross-check
        requests = [build_request(task, program, split, run.limits, executor)[0]]
        if reference is not None and not cached:
            requests.append(build_request(task, reference, split, run.limits, executor)[0])
        batch = [r for _ in range(self.repeats) for r in requests]
        results = executor.run_many(batch)
        prog_times = [run_time(r) for r in results[:: len(requests)]]
        if reference is not None and not cached:
            ref_results = results[1:: len(requests)]
            ref_time = statistics.median(run_time(r) for r in ref_results) if all(
                r.passed for r in ref_results) else None
            with self._lock:
                self._reference_times[key] = ref_time
        with self._lock:
            ref = self._reference_times.get(key)
        return statistics.median(prog_times), ref

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        if not evaluation.hidden_all_passed:
            return RewardOutput(self.incorrect, info={"efficiency": "incorrect"})
        prog_time, ref_time = self.measure(task, program, context.get("reward_context"))
        if ref_time is None or prog_time <= 0:
            ratio, note = 1.0, "no passing reference" if ref_time is None else "unmeasurable"
        else:
            ratio, note = ref_time / prog_time, "measured"
        value = 0.5 + 0.5 * min(ratio, self.cap)
        return RewardOutput(value, info={"efficiency": note, "time_s": prog_time, "reference_time_s": ref_time,
                                         "speed_ratio": ratio})

    def bounds(self, task: Task) -> tuple[float, float]:
        return self.incorrect, 0.5
