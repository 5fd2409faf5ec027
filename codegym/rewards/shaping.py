"""Combine an outcome reward with per-line process shaping so that shaping can never pay for failure.

Let ``c`` and ``f`` be the outcome reward's bounds on a task (:meth:`OutcomeReward.bounds`: ``c`` the most a
failing program earns, ``f`` the least a passing one earns) and ``gap = f - c > 0``. Raw per-line process
signals are clipped to [-1, 1], comment/blank/docstring lines are set to 0 and the sum is divided by the number
of code lines (PSGPO's length normalisation), giving ``s`` in [-1, 1]. The episode reward is::

    R = outcome + w * gap * s        with w = pass_weight if the hidden tests pass else fail_weight

and a program counts as passing only when the hidden tests pass and its outcome reward is at least ``f``;
every other program is scored at most ``c`` (even if its outcome reward looks at fewer tests). With ``pass_weight + fail_weight < 1`` a failing program earns at
most ``c + fail_weight * gap < f - pass_weight * gap``, the least a passing one earns: the inequality holds by
construction, whatever the process signal says. Defaults are PSGPO's weights (0.025 for passing programs,
0.25 for failing ones) which, with the binary outcome (gap 1), give exactly PSGPO's reward.

The process reward can be any :class:`~codegym.rewards.base.Reward` with per-line rewards: execution-based
(:mod:`codegym.rewards.process`) or a process reward model (``codegym.prm.psgpo_reward`` builds PSGPO's reward
with one; the PRM package sits above this one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from codegym.rewards._util import line_kinds
from codegym.rewards.base import Reward, RewardOutput
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.outcome import AllPassReward, outcome_bounds

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.tasks.model import Task

#: PSGPO's shaping weights (Process-Supervised GRPO: PRM reward scaled by 0.025 for passing and 0.25 for
#: failing programs).
PSGPO_PASS_WEIGHT = 0.025
PSGPO_FAIL_WEIGHT = 0.25


def normalised_shaping(line_rewards: Sequence[float] | None, program: str) -> tuple[float, list[float]]:
    """``(s, per_line)``: per-line signals clipped to [-1, 1] with non-code lines 0, and their sum over the
    number of code lines (``s`` in [-1, 1]); non-finite values count as 0."""
    kinds = line_kinds(program)
    n_code = sum(k == "code" for k in kinds)
    per_line = [0.0] * len(kinds)
    if not line_rewards or n_code == 0:
        return 0.0, per_line
    for i, kind in enumerate(kinds):
        if kind != "code" or i >= len(line_rewards):
            continue
        value = float(line_rewards[i])
        per_line[i] = 0.0 if not math.isfinite(value) else max(-1.0, min(1.0, value)) / n_code
    return sum(per_line), per_line


class ShapedReward(Reward):
    """Outcome reward plus bounded process shaping (see the module docstring for the guarantee).

    Args:
        outcome: the outcome reward (must declare bounds; default DeepCoder's all-pass).
        process: any reward whose ``line_rewards`` give the per-line signal (execution-based or a PRM).
        pass_weight, fail_weight: shaping weight, as a fraction of the outcome gap, for programs that pass and
            fail the hidden tests. Documented range: both >= 0 and ``pass_weight + fail_weight < 1``.
    """

    name = "shaped"

    def __init__(self, process: Reward, outcome: Reward | None = None, pass_weight: float = PSGPO_PASS_WEIGHT,
                 fail_weight: float = PSGPO_FAIL_WEIGHT) -> None:
        if not (pass_weight >= 0 and fail_weight >= 0 and pass_weight + fail_weight < 1):
            raise RewardConfigError(
                f"shaping weights must be >= 0 with pass_weight + fail_weight < 1 (got {pass_weight} and "
                f"{fail_weight}); otherwise shaping could make a failing program outscore a passing one")
        self.process = process
        self.outcome = outcome or AllPassReward()
        self.pass_weight, self.fail_weight = float(pass_weight), float(fail_weight)

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        ceiling, floor = outcome_bounds(self.outcome, task)
        gap = floor - ceiling
        if not gap > 0:
            raise RewardConfigError(
                f"the outcome reward {type(self.outcome).__name__} gives failing and passing programs of task "
                f"{task.task_id!r} the same score (gap {gap}); shaping would decide the reward. Use an outcome "
                "reward that separates them (e.g. give every tier a positive weight)")
        out = self.outcome.compute(evaluation, task, program, **context)
        # a program counts as passing only if the hidden tests pass *and* its outcome reward agrees (a DeepCoder
        # format failure scores 0 despite passing); everything else is capped at the failure ceiling
        passed = evaluation.hidden_all_passed and out.reward >= floor
        value = out.reward if passed else min(out.reward, ceiling)
        proc = self.process.compute(evaluation, task, program, **context)
        s, per_line = normalised_shaping(proc.line_rewards, program)
        weight = (self.pass_weight if passed else self.fail_weight) * gap
        line_rewards = [weight * r for r in per_line]
        shaping = weight * s
        # the line rewards decompose the shaping term that ``reward`` already contains (line_rewards_in_value):
        # token-level consumers put them on newline tokens and ``reward - sum(line_rewards)`` (the outcome) on the
        # final token. ``process_line_rewards`` keeps the unweighted per-line signal: the weight above depends on
        # the outcome, so the weighted line rewards would understate how strongly the process approves of a
        # failing program (the process/outcome disagreement of codegym.rewards.hacking reads it)
        info = {"outcome": value, "shaping": shaping, "process_score": s, "passed": passed,
                "outcome_gap": gap, "process_info": proc.info}
        return RewardOutput(value + shaping, line_rewards, info=info, line_rewards_in_value=True,
                            process_line_rewards=proc.process_signal)
