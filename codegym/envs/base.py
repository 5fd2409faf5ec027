"""The base of codegym's Gymnasium envs: what every env owns, and the one place an env calls its reward.

:class:`CodeEnv` holds the task pool, the executor (:class:`~codegym.envs.executor.ExecutorOwner`), the reward
function, the limits and text rendering. Programs run through :meth:`CodeEnv._run_split` (visible and hidden tests
as separate requests, :mod:`codegym.envs.split`) and are rewarded through :meth:`CodeEnv._reward`, which alone calls
the reward function. :class:`~codegym.envs.text_env.TextCodeEnv` (``CodeGen-v0``, ``CodeRefine-v0``) and
:class:`~codegym.envs.tokens.env.CodeGenTokensEnv` build on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import gymnasium as gym

from codegym.envs.executor import ExecutorOwner, resolve_limits
from codegym.envs.scoring import RewardFn, resolve_reward, score
from codegym.envs.split import SplitEvaluation, run_split
from codegym.envs.text import check_render_mode, render_text
from codegym.rewards.base import RewardContext

if TYPE_CHECKING:
    from codegym.envs.taskpool import TaskPool
    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.base import RewardOutput
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task


class CodeEnv(ExecutorOwner, gym.Env):
    """Task pool, executor, reward, limits and rendering shared by codegym's Gymnasium envs.

    Subclasses set :attr:`env_id` (used in messages and warnings), declare their spaces, and implement
    ``reset``/``step`` and :meth:`_render_text`.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "human"], "render_fps": 4}
    #: The registered id, for messages (``"CodeGen-v0"``).
    env_id: ClassVar[str] = "codegym"

    def __init__(self, task_pool: TaskPool, *, reward: RewardFn | None, executor: Executor | str | None,
                 limits: Limits | dict[str, Any] | None, render_mode: str | None) -> None:
        self.render_mode = check_render_mode(render_mode, self.metadata["render_modes"], self.env_id)
        self.task_pool = task_pool
        self.reward_fn = resolve_reward(reward)
        self._init_executor(executor)
        self.limits = resolve_limits(limits)

    @property
    def tasks(self) -> list[Task]:
        """The env's tasks (loaded on first use)."""
        return self.task_pool.tasks

    # -- running and rewarding programs ------------------------------------------------------------------------
    @property
    def reward_context(self) -> RewardContext:
        """The executor and limits this env lends to rewards that run programs themselves (efficiency, coverage):
        they run where the env's tests run, under the same limits (``None``: the executor's defaults)."""
        return RewardContext(self.executor, self.limits)

    def _run_split(self, task: Task, program: str) -> SplitEvaluation:
        """Run ``program`` on ``task``'s visible and hidden tests as two requests: the full evaluation is for the
        reward only, the agent's view for observations and ``info``."""
        return run_split(task, program, self.executor, self.limits)

    def _reward(self, evaluation: ProgramEvaluation, task: Task, program: str, **context: Any) -> RewardOutput:
        """The one place a codegym env calls its reward function, with the full evaluation (hidden outcomes
        included), the step's context (``response``, ``turn``, ``partial``) and the env's :attr:`reward_context`."""
        return score(self.reward_fn, evaluation, task, program, self.reward_context, **context)

    # -- rendering ---------------------------------------------------------------------------------------------
    def render(self) -> str | None:
        """``ansi``: the episode as text; ``human``: printed; other modes warn and render nothing."""
        return render_text(self.render_mode, self.metadata["render_modes"], self.env_id, self._render_text)

    def _render_text(self) -> str:
        raise NotImplementedError
