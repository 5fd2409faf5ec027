"""Rewards: outcome, process, efficiency, length and shaping rewards, trainer adapters and hacking monitors.

Every reward maps a :class:`~codegym.evaluation.ProgramEvaluation` plus the task and program text to a
:class:`~codegym.rewards.base.RewardOutput`. Use one as an env's ``reward=`` kwarg, stack it on an env with
:class:`codegym.wrappers.RewardWrapper`, or turn it into a trainer function with
:func:`~codegym.rewards.adapters.trl_reward_function` / :func:`~codegym.rewards.adapters.make_verl_compute_score`.
``get_reward("rltf")`` builds one by name; ``docs/rewards.md`` gives every formula and its source.
Rewards that run programs get the caller's executor and limits as a :class:`~codegym.rewards.base.RewardContext`;
:mod:`codegym.rewards.placement` puts line rewards on tokens. Process reward models (``codegym.prm``) sit above
this package.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from codegym.rewards.base import BinaryPassReward, Reward, RewardContext, RewardOutput
from codegym.rewards.efficiency import EfficiencyReward
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.hacking import (
    HackingMonitor,
    detect_test_literals,
    hacking_report,
    hacking_summary,
    process_outcome_disagreement,
)
from codegym.rewards.length import OverlongPenaltyReward, soft_overlong_penalty
from codegym.rewards.outcome import (
    AllPassReward,
    OutcomeReward,
    PassRatioReward,
    RLTFReward,
    TieredTestReward,
    VerpoReward,
    outcome_bounds,
)
from codegym.rewards.placement import line_rewards_to_tokens, source_lines, token_rewards
from codegym.rewards.process import (
    CoverageMaskReward,
    ErrorLinePenaltyReward,
    ExecutionLineReward,
    StageReward,
)
from codegym.rewards.shaping import ShapedReward

__all__ = [
    "Reward", "RewardOutput", "RewardContext", "BinaryPassReward", "OutcomeReward", "AllPassReward", "PassRatioReward",
    "RLTFReward", "TieredTestReward", "VerpoReward", "StageReward", "ExecutionLineReward",
    "ErrorLinePenaltyReward", "CoverageMaskReward", "ShapedReward", "OverlongPenaltyReward", "EfficiencyReward",
    "HackingMonitor", "RewardConfigError", "detect_test_literals", "process_outcome_disagreement",
    "hacking_report", "hacking_summary", "outcome_bounds", "soft_overlong_penalty", "line_rewards_to_tokens",
    "token_rewards", "source_lines", "get_reward", "REWARDS",
]


#: name -> factory. ``deepcoder`` is DeepCoder's preset: all-pass on the 15 longest-input tests, a code block
#: required; ``exec_shaped`` is the binary outcome shaped by execution line rewards (PSGPO weights).
REWARDS: dict[str, Callable[..., Reward]] = {
    "binary": BinaryPassReward,
    "all_pass": AllPassReward,
    "deepcoder": lambda **kw: AllPassReward(**{"max_tests": 15, "require_code_block": True, **kw}),
    "pass_ratio": PassRatioReward,
    "rltf": RLTFReward,
    "tarot": TieredTestReward,
    "verpo": VerpoReward,
    "stages": StageReward,
    "exec_lines": ExecutionLineReward,
    "rltf_lines": ErrorLinePenaltyReward,
    "exec_shaped": lambda **kw: ShapedReward(ExecutionLineReward(), **kw),
    "overlong": OverlongPenaltyReward,
    "efficiency": EfficiencyReward,
}


def get_reward(name: str, **kwargs: Any) -> Reward:
    """A reward by registry name (see :data:`REWARDS`), built with ``kwargs``."""
    try:
        factory = REWARDS[name]
    except KeyError:
        raise RewardConfigError(f"unknown reward {name!r}; choose one of {', '.join(sorted(REWARDS))}") from None
    return factory(**kwargs)

