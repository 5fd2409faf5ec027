"""DAPO's soft overlong punishment and the truncation flag used for overlong filtering."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from codegym.rewards.base import Reward, RewardOutput
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.outcome import AllPassReward

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.tasks.model import Task

#: DAPO (Yu et al. 2025, Sec. 3.4): generation capped at 20,480 tokens of which the last 4,096 are the soft
#: punishment cache.
DAPO_MAX_LENGTH = 20480
DAPO_CACHE_LENGTH = 4096


def soft_overlong_penalty(length: int, max_length: int = DAPO_MAX_LENGTH,
                          cache_length: int = DAPO_CACHE_LENGTH) -> float:
    """DAPO's length penalty: 0 up to ``max_length - cache_length``, then linear down to -1 at ``max_length``,
    -1 beyond it."""
    if cache_length < 0 or cache_length > max_length:
        raise RewardConfigError("cache_length must be between 0 and max_length")
    safe = max_length - cache_length
    if length <= safe:
        return 0.0
    if length <= max_length and cache_length > 0:
        return (safe - length) / cache_length
    return -1.0


class OverlongPenaltyReward(Reward):
    """A base reward plus DAPO's soft overlong penalty; marks truncated samples for loss masking.

    The response length is ``context["response_length"]`` (tokens) when the caller passes it, else
    ``length_fn(response)`` (e.g. ``lambda t: len(tokenizer(t).input_ids)``), else -- only with
    ``unit="chars"`` -- the number of characters of ``context["response"]`` (or of the program).

    ``info["truncated"]`` is ``context["truncated"]``; with ``mask_truncated`` (DAPO's overlong filtering) a
    truncated sample also gets ``info["loss_mask"] = 0.0`` so trainers drop it from the loss.
    """

    name = "overlong"

    def __init__(self, base: Reward | None = None, max_length: int = DAPO_MAX_LENGTH,
                 cache_length: int = DAPO_CACHE_LENGTH, length_fn: Callable[[str], int] | None = None,
                 unit: str = "tokens", mask_truncated: bool = True) -> None:
        if unit not in ("tokens", "chars"):
            raise RewardConfigError("unit must be 'tokens' or 'chars'")
        soft_overlong_penalty(0, max_length, cache_length)  # validates the lengths
        self.base = base or AllPassReward()
        self.max_length, self.cache_length = max_length, cache_length
        self.length_fn, self.unit, self.mask_truncated = length_fn, unit, mask_truncated

    def response_length(self, program: str, context: dict[str, Any]) -> int:
        if context.get("response_length") is not None:
            return int(context["response_length"])
        text = context.get("response")
        text = text if isinstance(text, str) else program
        if self.length_fn is not None:
            return int(self.length_fn(text))
        if self.unit == "chars":
            return len(text)
        raise RewardConfigError("OverlongPenaltyReward needs the response length in tokens: pass "
                                "response_length=... in the context, a length_fn, or unit='chars'")

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        out = self.base.compute(evaluation, task, program, **context)
        length = self.response_length(program, context)
        penalty = soft_overlong_penalty(length, self.max_length, self.cache_length)
        truncated = bool(context.get("truncated", False))
        info = {**out.info, "length": length, "length_penalty": penalty, "truncated": truncated}
        if self.mask_truncated:
            info["loss_mask"] = 0.0 if truncated else 1.0
        # the base's line rewards and their typed flags pass through unchanged
        return dataclasses.replace(out, reward=out.reward + penalty, info=info)
