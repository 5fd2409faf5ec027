"""The reward interface every reward family implements, what a reward returns, and what its caller lends it.

A reward maps the execution verdict of one program (a :class:`~codegym.evaluation.ProgramEvaluation`, which
holds the :class:`~codegym.sandbox.api.ExecutionResult`) plus the task and the program text to a
:class:`RewardOutput`: a scalar, and for process rewards per-line rewards. Envs accept any :class:`Reward` (or any
callable with the same signature) as their ``reward=`` kwarg.

Rewards that run programs themselves (ACECode's efficiency timing, StepCoder's coverage driver) run them on the
caller's executor under the caller's limits: envs, :class:`~codegym.wrappers.RewardWrapper` and the trainer
adapters pass a :class:`RewardContext` as the ``reward_context`` keyword of :meth:`Reward.compute`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codegym.rewards.errors import RewardConfigError
from codegym.sandbox import default_executor
from codegym.sandbox.api import Executor, Limits

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.tasks.model import Task

__all__ = ["Reward", "RewardOutput", "RewardContext", "BinaryPassReward"]


@dataclass
class RewardOutput:
    """What a reward returns for one program.

    Attributes:
        reward: the scalar.
        line_rewards: optional per-line rewards; index i is line i+1 of the program (lines as
            :func:`codegym.rewards.placement.source_lines` splits them: Python's ``\\n``, ``\\r\\n``, ``\\r``).
        info: reward-specific diagnostics and extras (``line_mask``, ``loss_mask``, ...); envs and codegym's
            trainers read only the typed fields.
        line_rewards_in_value: ``True`` when ``reward`` already contains ``sum(line_rewards)`` (a shaped reward:
            outcome plus its shaping decomposed over lines). A consumer that pays ``line_rewards`` on tokens must
            then put ``reward - sum(paid line rewards)`` on the final token, or the lines are paid twice
            (:func:`codegym.rewards.placement.token_rewards` does). ``False`` (process rewards): the line rewards
            are a separate signal, paid on top of the scalar.
        process_line_rewards: the process reward's raw, unweighted per-line signal when ``line_rewards`` are a
            weighted form of it (a shaped reward scales them by an outcome-dependent weight); what the
            process/outcome disagreement of :mod:`codegym.rewards.hacking` reads. ``None``: ``line_rewards`` are
            the process signal themselves.
    """

    reward: float
    line_rewards: list[float] | None = None
    info: dict[str, Any] = field(default_factory=dict)
    line_rewards_in_value: bool = False
    process_line_rewards: list[float] | None = None

    @property
    def process_signal(self) -> list[float] | None:
        """The per-line process signal: ``process_line_rewards`` when set, else ``line_rewards`` (``None`` when
        the reward has no per-line signal)."""
        if self.process_line_rewards is not None:
            return list(self.process_line_rewards)
        return list(self.line_rewards) if self.line_rewards is not None else None


@dataclass(frozen=True)
class RewardContext:
    """The caller's execution setting, lent to rewards that run programs themselves.

    Envs pass ``RewardContext(env.executor, env.limits)``, :class:`~codegym.wrappers.RewardWrapper` the wrapped
    env's, and the TRL/verl adapters their own ``executor`` (the process default when they were given none), as
    ``reward.compute(..., reward_context=context)``. Composite rewards forward it with the rest of ``**context``.

    Attributes:
        executor: the executor the caller runs programs on.
        limits: the caller's limits; ``None`` means the executor's defaults (``executor.default_limits``), with a
            task's own limits overriding either (:func:`codegym.evaluation.request_limits`).
    """

    executor: Executor
    limits: Limits | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.executor, Executor):
            raise RewardConfigError(f"RewardContext.executor must be a codegym Executor, not "
                                    f"{type(self.executor).__name__}")
        if self.limits is not None and not isinstance(self.limits, Limits):
            raise RewardConfigError(f"RewardContext.limits must be a codegym Limits or None, not "
                                    f"{type(self.limits).__name__}")

    @classmethod
    def resolve(cls, context: RewardContext | None, executor: Executor | None = None,
                limits: Limits | None = None) -> RewardContext:
        """The setting a program-running reward uses, from its own ``executor``/``limits`` (given to its
        constructor) and the caller's ``context``.

        A reward with its own executor runs there under its own limits (``None``: that executor's defaults) and
        ignores the caller's setting. Otherwise it runs on the caller's executor, under its own limits when it
        has some, else the caller's. With neither an own executor nor a context -- a reward called by hand, since
        every caller in codegym passes its context -- it runs on the process's default local executor
        (:func:`codegym.sandbox.default_executor`).
        """
        if context is not None and not isinstance(context, RewardContext):
            raise RewardConfigError(f"reward_context= takes a codegym RewardContext, not {type(context).__name__}")
        if executor is not None:
            return cls(executor, limits)
        if context is not None:
            return cls(context.executor, limits if limits is not None else context.limits)
        return cls(default_executor(), limits)


class Reward(ABC):
    """Base class of rewards. Subclasses implement :meth:`compute`; calling the object returns the scalar."""

    #: short name used in registries, CLI flags and logs
    name: str = "reward"

    @abstractmethod
    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        """Score one program.

        ``context`` may carry ``response`` (the raw model text), ``response_length``, ``turn``, ``truncated``,
        ``partial`` (a program scored mid-episode) and ``reward_context`` (the caller's :class:`RewardContext`).
        Rewards that wrap others forward ``**context`` unchanged.
        """

    def __call__(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> float:
        return float(self.compute(evaluation, task, program, **context).reward)


class BinaryPassReward(Reward):
    """1.0 when every hidden test passes, else 0.0 (the default of every env; DeepCoder's outcome reward)."""

    name = "binary"

    def compute(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        return RewardOutput(1.0 if evaluation.hidden_all_passed else 0.0)
