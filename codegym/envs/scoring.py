"""Rewarding a program: the env's reward argument and the one function that applies it.

Every codegym env calls its reward through :func:`score` (from :meth:`codegym.envs.base.CodeEnv._reward`, the one
place an env calls its reward function), so what a reward gets and how its output is checked is defined here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Union

from codegym.errors import EnvConfigError

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.base import Reward, RewardContext, RewardOutput
    from codegym.tasks.model import Task

RewardFn = Union["Reward", Callable[..., float]]


def resolve_reward(reward: RewardFn | None) -> RewardFn:
    """The reward to use: a :class:`~codegym.rewards.base.Reward`, a callable, or ``None`` for ``BinaryPassReward``."""
    from codegym.rewards.base import BinaryPassReward

    if reward is None:
        return BinaryPassReward()
    if not callable(reward):
        raise EnvConfigError("reward= takes a codegym Reward or a callable "
                             "(evaluation, task, program, **context) -> float")
    return reward


def score(reward: RewardFn, evaluation: ProgramEvaluation, task: Task, program: str,
          reward_context: RewardContext | None = None, **context: Any) -> RewardOutput:
    """Apply a Reward (keeping its per-line rewards) or a plain callable; the scalar is always a finite float.

    ``reward_context`` (the env's executor and limits) reaches a :class:`~codegym.rewards.base.Reward`'s
    ``compute``; a plain callable keeps its ``(evaluation, task, program, **context)`` signature without it."""
    import math

    from codegym.rewards.base import Reward, RewardOutput

    if isinstance(reward, Reward):
        if reward_context is not None:
            context["reward_context"] = reward_context
        out = reward.compute(evaluation, task, program, **context)
    else:
        out = RewardOutput(float(reward(evaluation, task, program, **context)))
    value = float(out.reward)
    if not math.isfinite(value):
        raise EnvConfigError(f"the reward function returned {value}; rewards must be finite floats")
    out.reward = value
    return out
