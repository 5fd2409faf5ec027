"""Gymnasium wrappers that re-score codegym envs with any :class:`~codegym.rewards.base.Reward`.

Every codegym env puts the verdict of a scored step into ``info["evaluation"]`` (a
:class:`~codegym.evaluation.ProgramEvaluation`) and the program into ``info["program"]``; the task is
``info["task"]`` when present, else the env's ``task`` attribute. :class:`RewardWrapper` replaces the env's
reward on those steps; steps without an evaluation keep their reward. Rewards that run programs run them on the
wrapped env's executor under its limits (a :class:`~codegym.rewards.base.RewardContext`).
"""

from __future__ import annotations

import math
from typing import Any

import gymnasium as gym

from codegym.rewards.base import Reward, RewardContext
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.hacking import HackingMonitor, env_attr
from codegym.sandbox.api import Executor, Limits

__all__ = ["RewardWrapper", "HackingMonitor"]


class RewardWrapper(gym.Wrapper):
    """Replace the reward of scored steps with ``reward.compute(evaluation, task, program, **context)``.

    ``info["reward_output"]`` holds the :class:`~codegym.rewards.base.RewardOutput` (its typed
    ``line_rewards_in_value`` and ``process_signal`` tell token-level consumers and
    :class:`~codegym.rewards.hacking.HackingMonitor` how to read its line rewards), ``info["line_rewards"]`` its
    per-line rewards (when it has them), ``info["env_reward"]`` the reward the env gave. With ``add=True`` the new
    reward is added to the env's instead of replacing it (e.g. to stack a length penalty on the env's reward).

    The reward gets ``reward_context=RewardContext(executor, limits)`` from the wrapped env's ``executor`` and
    ``limits`` attributes (every codegym env has them), so an efficiency or coverage reward runs programs where
    the env does; an env without an executor gives no context.
    """

    def __init__(self, env: gym.Env, reward: Reward, add: bool = False) -> None:
        super().__init__(env)
        if not isinstance(reward, Reward):
            raise RewardConfigError("RewardWrapper takes a codegym Reward (see codegym.rewards.get_reward)")
        self.reward_fn = reward
        self.add = add

    def step(self, action: Any):  # type: ignore[override]
        obs, reward, terminated, truncated, info = self.env.step(action)
        evaluation = info.get("evaluation")
        if evaluation is None:
            return obs, reward, terminated, truncated, info
        task = info.get("task") or env_attr(self.env, "task")
        if task is None:
            raise RewardConfigError("RewardWrapper needs the task: the env must set info['task'] or a .task "
                                    "attribute")
        program = info.get("program") or evaluation.program
        context = {"response": action if isinstance(action, str) else None, "truncated": truncated,
                   "turn": info.get("turn"), "reward_context": self._reward_context()}
        out = self.reward_fn.compute(evaluation, task, program, **{k: v for k, v in context.items()
                                                                      if v is not None})
        value = float(out.reward)
        if not math.isfinite(value):
            raise RewardConfigError(f"{type(self.reward_fn).__name__} returned {value}; rewards must be finite")
        info["env_reward"] = reward
        info["reward_output"] = out
        if out.line_rewards is not None:
            info["line_rewards"] = list(out.line_rewards)
        return obs, (float(reward) + value if self.add else value), terminated, truncated, info

    def _reward_context(self) -> RewardContext | None:
        executor = env_attr(self.env, "executor")
        if not isinstance(executor, Executor):
            return None
        limits = env_attr(self.env, "limits")
        return RewardContext(executor, limits if isinstance(limits, Limits) else None)
