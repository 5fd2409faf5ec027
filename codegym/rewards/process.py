"""Process rewards from execution alone (no model): stages, per-line rewards, error-line penalties, FGO masks.

A process reward returns a :class:`~codegym.rewards.base.RewardOutput` whose ``reward`` is an outcome level and
whose ``line_rewards`` are *raw* per-line signals in [-1, 1] (index i is line i+1). Raw line signals are not
meant to be added to the outcome as they are: :class:`~codegym.rewards.shaping.ShapedReward` scales and clips
them so shaping can never pay for failure.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from codegym.rewards._util import RUNTIME_FAILURE_STATUSES, line_kinds, program_status
from codegym.rewards.base import Reward, RewardContext, RewardOutput
from codegym.rewards.coverage import executed_lines
from codegym.rewards.outcome import OutcomeReward, RLTFReward
from codegym.rewards.placement import source_lines

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

_LINE_IN_MESSAGE = re.compile(r"line (\d+)")


def failure_line(evaluation: ProgramEvaluation) -> int | None:
    """The program line where execution broke (syntax or runtime error), or ``None`` (wrong answers, or the
    sandbox did not locate it). Only errors are located: a wrong answer has no faulty line to point at."""
    for outcome in evaluation.result.tests:
        if not outcome.passed and outcome.line is not None and (
                outcome.status in RUNTIME_FAILURE_STATUSES or outcome.status == "syntax_error"):
            return int(outcome.line)
    if evaluation.status == "syntax_error" and evaluation.result.error:
        match = _LINE_IN_MESSAGE.search(evaluation.result.error)
        if match:
            return int(match.group(1))
    return None


class StageReward(OutcomeReward):
    """StepCoder/CodeRL stage levels: how far the program got -- parses, runs, passes.

    ``-1`` does not parse, ``-0.6`` parses but raises (or times out), ``-0.3`` runs but fails a test, ``+1``
    passes (CodeRL, Le et al. 2022; reused as StepCoder's compiler-feedback reward, Dou et al. 2024).
    ``info["stage"]`` names the last stage reached.
    """

    name = "stages"

    def __init__(self, syntax_error: float = -1.0, runtime_error: float = -0.6, failed: float = -0.3,
                 passed: float = 1.0) -> None:
        self.levels = {"syntax_error": syntax_error, "runtime_error": runtime_error, "failed": failed,
                       "sandbox_error": failed, "passed": passed}

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        status = program_status(evaluation)
        stage = {"syntax_error": "none", "runtime_error": "parses", "failed": "runs", "sandbox_error": "runs",
                 "passed": "passes"}[status]
        return RewardOutput(self.levels[status], info={"stage": stage, "level": status})

    def bounds(self, task: Task) -> tuple[float, float]:
        failing = [v for k, v in self.levels.items() if k != "passed"]
        return max(failing), self.levels["passed"]


class ExecutionLineReward(Reward):
    """Per-line rewards up to the line where execution failed.

    * every test passes: each code line ``+1``;
    * a syntax or runtime error located at line ``L``: code lines before ``L`` ``+ok_line`` when the program
      ran (a runtime error), ``0`` when it did not parse; line ``L`` ``error_line``; later lines ``0`` (never
      reached, so nothing is known about them);
    * wrong answers without a located line: every line ``0``.

    Comment, blank and docstring lines are always 0. The scalar is the wrapped outcome reward
    (default :class:`StageReward`).
    """

    name = "exec_lines"

    def __init__(self, outcome: Reward | None = None, ok_line: float = 1.0, error_line: float = -1.0) -> None:
        self.outcome = outcome or StageReward()
        self.ok_line, self.error_line = float(ok_line), float(error_line)

    def line_rewards(self, evaluation: ProgramEvaluation, program: str) -> list[float]:
        kinds = line_kinds(program)
        if evaluation.hidden_all_passed:
            return [1.0 if k == "code" else 0.0 for k in kinds]
        line = failure_line(evaluation)
        rewards = [0.0] * len(kinds)
        if line is None or not 1 <= line <= len(kinds):
            return rewards
        ran = program_status(evaluation) != "syntax_error"
        for i in range(line - 1):
            if kinds[i] == "code" and ran:
                rewards[i] = self.ok_line
        rewards[line - 1] = self.error_line
        return rewards

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        out = self.outcome.compute(evaluation, task, program, **context)
        return RewardOutput(out.reward, self.line_rewards(evaluation, program),
                            info={**out.info, "failure_line": failure_line(evaluation)})


class ErrorLinePenaltyReward(Reward):
    """RLTF's fine-grained feedback (Liu et al. 2023, Sec. 3.3): penalise only the line the error points at.

    The scalar is RLTF's outcome level (:class:`~codegym.rewards.outcome.RLTFReward`); ``line_rewards`` hold
    ``penalty`` on the located error line and 0 elsewhere (RLTF applies its negative reward to the tokens of the
    error line and leaves the other tokens to the coarse reward).
    """

    name = "rltf_lines"

    def __init__(self, outcome: Reward | None = None, penalty: float = -1.0) -> None:
        self.outcome = outcome or RLTFReward()
        self.penalty = float(penalty)

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        out = self.outcome.compute(evaluation, task, program, **context)
        n = len(source_lines(program))
        rewards = [0.0] * n
        line = failure_line(evaluation)
        if line is not None and 1 <= line <= n:
            rewards[line - 1] = self.penalty
        return RewardOutput(out.reward, rewards, info={**out.info, "failure_line": line})


class CoverageMaskReward(Reward):
    """StepCoder's fine-grained optimisation (FGO, Dou et al. 2024): only lines the tests executed carry reward.

    Wraps any reward; runs the program's coverage driver (:mod:`codegym.rewards.coverage`) in the sandbox and
    puts ``info["line_mask"]`` (1 executed, 0 not) next to the wrapped line rewards, which are multiplied by
    it. Trainers mask the loss of tokens on lines whose mask is 0. When coverage cannot be measured (the
    program does not parse, or the driver output was lost) the mask is all ones and ``info["coverage"]`` is
    ``None``.

    The driver runs on the caller's executor under the caller's limits (the ``reward_context`` an env or adapter
    passes, :class:`~codegym.rewards.base.RewardContext`); ``executor``/``limits`` given here override them.
    Called by hand without either, it runs on the process's default local executor.
    """

    name = "fgo"

    def __init__(self, inner: Reward, executor: Executor | None = None, limits: Limits | None = None) -> None:
        self.inner = inner
        self.executor, self.limits = executor, limits

    def line_mask(self, task: Task, program: str,
                  reward_context: RewardContext | None = None) -> tuple[list[int], set[int] | None]:
        run = RewardContext.resolve(reward_context, self.executor, self.limits)
        n = len(source_lines(program))
        covered = executed_lines(task, program, run.executor, run.limits)
        if covered is None:
            return [1] * n, None
        return [1 if i + 1 in covered else 0 for i in range(n)], covered

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        out = self.inner.compute(evaluation, task, program, **context)
        mask, covered = self.line_mask(task, program, context.get("reward_context"))
        rewards = None
        if out.line_rewards is not None:
            rewards = [r * (mask[i] if i < len(mask) else 1) for i, r in enumerate(out.line_rewards)]
        info = {**out.info, "line_mask": mask, "coverage": sorted(covered) if covered is not None else None}
        # the inner reward's typed flags (line_rewards_in_value, process_line_rewards) pass through unchanged
        return dataclasses.replace(out, line_rewards=rewards, info=info)
