"""A PRM as a codegym process reward (per-line scores), and PSGPO's reward built on one.

The PRM package sits above :mod:`codegym.rewards`: :class:`~codegym.rewards.shaping.ShapedReward` takes any
process reward, and the builders that need a PRM live here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codegym.rewards.base import Reward, RewardOutput
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.placement import source_lines
from codegym.rewards.shaping import PSGPO_FAIL_WEIGHT, PSGPO_PASS_WEIGHT, ShapedReward

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.tasks.model import Task

__all__ = ["PRMReward", "psgpo_reward"]


class PRMReward(Reward):
    """Per-line PRM scores in [-1, 1] as ``line_rewards`` (non-code lines 0); the scalar is their mean.

    ``prm`` is a :class:`codegym.prm.model.ProcessRewardModel` or anything with
    ``score_lines(program, prompt=None) -> list[float | None]``. Use it through :func:`psgpo_reward` (or any
    :class:`~codegym.rewards.shaping.ShapedReward`) so the outcome stays in charge.
    """

    name = "prm"

    def __init__(self, prm: Any, use_prompt: bool = True) -> None:
        if not callable(getattr(prm, "score_lines", None)):
            raise RewardConfigError("prm must have score_lines(program, prompt=None)")
        self.prm, self.use_prompt = prm, use_prompt

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        scores = self.prm.score_lines(program, task.prompt if self.use_prompt else None)
        n = len(source_lines(program))
        line_rewards = [float(s) if s is not None else 0.0 for s in list(scores)[:n]]
        line_rewards += [0.0] * (n - len(line_rewards))
        scored = [s for s in scores if s is not None]
        mean = sum(scored) / len(scored) if scored else 0.0
        return RewardOutput(mean, line_rewards, info={"prm_mean": mean})


def psgpo_reward(prm: Any, outcome: Reward | None = None, pass_weight: float = PSGPO_PASS_WEIGHT,
                 fail_weight: float = PSGPO_FAIL_WEIGHT, use_prompt: bool = True) -> ShapedReward:
    """PSGPO's reward: binary outcome plus a PRM's per-line scores, length-normalised, comments neutral, weighted
    0.025 (pass) / 0.25 (fail). ``prm`` is a :class:`codegym.prm.model.ProcessRewardModel` (or anything with
    ``score_lines(program, prompt=None) -> list[float | None]``)."""
    return ShapedReward(PRMReward(prm, use_prompt=use_prompt), outcome=outcome, pass_weight=pass_weight,
                        fail_weight=fail_weight)
