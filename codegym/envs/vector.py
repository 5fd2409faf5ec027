"""Vectorising codegym's envs: the batched ``CodeGen-v0`` vector env, and text spaces gymnasium can share.

Gymnasium's ``SyncVectorEnv`` steps sub-envs one after another, so N programs run one at a time;
``AsyncVectorEnv`` uses one process per sub-env. :class:`BatchedCodeGenVectorEnv` instead builds every sub-env's
execution request, sends them together through ``executor.run_many`` (the executor's worker pool runs them
concurrently) and then scores each result. It is a gymnasium :class:`~gymnasium.vector.VectorEnv`, and
``CodeGen-v0``'s ``vector_entry_point``: ``gymnasium.make_vec("CodeGen-v0", num_envs=N)`` builds it.

``AsyncVectorEnv`` passes observations through shared memory by default, and gymnasium's shared memory cannot
carry a ``Text`` space: it reads the buffer once, when the vector env is built, into a tuple of strings that no
later step updates (every observation reads as ``"000..."``). :class:`ShareableText` is a ``Text`` space (equal to
the one it replaces) whose shared memory holds the UTF-8 bytes and whose read is a live view; the registered
entry points (:func:`make_codegen_env`, :func:`make_refine_env`) give the envs such spaces, so ``AsyncVectorEnv``
works with its default arguments. See ``docs/vector_envs.md``.
"""

from __future__ import annotations

import multiprocessing as mp
import operator
from collections.abc import Iterator, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import (
    batch_space,
    create_shared_memory,
    read_from_shared_memory,
    write_to_shared_memory,
)

from codegym.envs.codegen import CodeGenEnv
from codegym.envs.config import check_choice, check_int, check_kwargs
from codegym.envs.executor import ExecutorOwner
from codegym.envs.pending import PendingStep
from codegym.envs.refine import CodeRefineEnv
from codegym.envs.taskpool import TaskPool
from codegym.errors import EnvConfigError

if TYPE_CHECKING:
    from codegym.sandbox.api import Executor

__all__ = ["BatchedCodeGenVectorEnv", "ShareableText", "SharedTextBatch", "shareable_space", "make_codegen_env",
           "make_refine_env"]


# -- text spaces AsyncVectorEnv can share -----------------------------------------------------------------------------

class ShareableText(spaces.Text):
    """A gymnasium ``Text`` space that ``AsyncVectorEnv(shared_memory=True)`` (its default) can carry.

    It equals, contains and samples exactly what the ``Text`` space with the same arguments does; only its shared
    memory differs: a byte buffer of ``max_length`` characters' UTF-8 per sub-env plus each value's length, read
    back as a :class:`SharedTextBatch` (a live view; ``copy.deepcopy`` of it, which ``AsyncVectorEnv`` does unless
    ``copy=False``, is a plain tuple of ``str``, as ``SyncVectorEnv`` returns).
    """

    @classmethod
    def like(cls, space: spaces.Text) -> ShareableText:
        """The shareable twin of ``space`` (same lengths and characters, in the same order)."""
        return cls(space.max_length, min_length=space.min_length, charset="".join(space.character_list))

    @property
    def byte_capacity(self) -> int:
        """Bytes one value may take: ``max_length`` of the charset's widest character."""
        return self.max_length * max((len(c.encode("utf-8")) for c in self.character_list), default=1)


class SharedTextBatch(Sequence):
    """The live view of a batch of :class:`ShareableText` values in shared memory: indexing decodes the current
    value; ``copy.copy``/``copy.deepcopy`` and ``tuple(view)`` give a tuple of ``str`` that later steps leave alone.
    """

    __slots__ = ("_lengths", "_data", "_capacity", "_n")

    def __init__(self, memory: tuple[Any, Any], capacity: int, n: int) -> None:
        self._lengths = np.frombuffer(memory[0].get_obj(), dtype=np.int64)
        self._data = np.frombuffer(memory[1].get_obj(), dtype=np.uint8)
        self._capacity = capacity
        self._n = n

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        i = operator.index(index)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("SharedTextBatch index out of range")
        start = i * self._capacity
        return self._data[start:start + int(self._lengths[i])].tobytes().decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(self._n))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (SharedTextBatch, tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable: the next step changes it

    def __copy__(self) -> tuple[str, ...]:
        return tuple(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> tuple[str, ...]:
        return tuple(self)

    def __repr__(self) -> str:
        return f"SharedTextBatch({tuple(self)!r})"


@create_shared_memory.register(ShareableText)
def _create_shareable_text_memory(space: ShareableText, n: int = 1, ctx: ModuleType = mp) -> tuple[Any, Any]:
    return ctx.Array("q", n), ctx.Array("B", n * space.byte_capacity)


@read_from_shared_memory.register(ShareableText)
def _read_shareable_text_memory(space: ShareableText, shared_memory: tuple[Any, Any], n: int = 1) -> SharedTextBatch:
    return SharedTextBatch(shared_memory, space.byte_capacity, n)


@write_to_shared_memory.register(ShareableText)
def _write_shareable_text_memory(space: ShareableText, index: int, value: str, shared_memory: tuple[Any, Any]
                                 ) -> None:
    raw = str(value).encode("utf-8")
    capacity = space.byte_capacity
    if len(value) > space.max_length or len(raw) > capacity:
        raise ValueError(f"a text observation of {len(value)} characters does not fit its space "
                         f"(max_length={space.max_length})")
    data = np.frombuffer(shared_memory[1].get_obj(), dtype=np.uint8)
    data[index * capacity:index * capacity + len(raw)] = np.frombuffer(raw, dtype=np.uint8)
    np.frombuffer(shared_memory[0].get_obj(), dtype=np.int64)[index] = len(raw)


def shareable_space(space: spaces.Space) -> spaces.Space:
    """``space`` with every ``Text`` inside it (through ``Dict`` and ``Tuple``) made a :class:`ShareableText`;
    the result equals ``space``. Other spaces are returned as they are."""
    if isinstance(space, ShareableText):
        return space
    if isinstance(space, spaces.Text):
        return ShareableText.like(space)
    if isinstance(space, spaces.Dict):
        inner = {k: shareable_space(s) for k, s in space.spaces.items()}
        return space if all(inner[k] is s for k, s in space.spaces.items()) else spaces.Dict(inner)
    if isinstance(space, spaces.Tuple):
        parts = tuple(shareable_space(s) for s in space.spaces)
        return space if all(a is b for a, b in zip(parts, space.spaces)) else spaces.Tuple(parts)
    return space


def make_codegen_env(**kwargs: Any) -> CodeGenEnv:
    """``CodeGen-v0``'s registered entry point: a :class:`~codegym.envs.codegen.CodeGenEnv` whose observation space
    ``AsyncVectorEnv`` can put in shared memory. An unknown keyword is an :class:`~codegym.errors.EnvConfigError`
    naming the valid ones."""
    check_kwargs(CodeGenEnv, kwargs, CodeGenEnv.env_id)
    env = CodeGenEnv(**kwargs)
    env.observation_space = shareable_space(env.observation_space)
    return env


def make_refine_env(**kwargs: Any) -> CodeRefineEnv:
    """``CodeRefine-v0``'s registered entry point: a :class:`~codegym.envs.refine.CodeRefineEnv` whose observation
    space ``AsyncVectorEnv`` can put in shared memory. An unknown keyword is an
    :class:`~codegym.errors.EnvConfigError` naming the valid ones."""
    check_kwargs(CodeRefineEnv, kwargs, CodeRefineEnv.env_id)
    env = CodeRefineEnv(**kwargs)
    env.observation_space = shareable_space(env.observation_space)
    return env


# gymnasium.make reads the render modes from the entry point's metadata
make_codegen_env.metadata = CodeGenEnv.metadata  # type: ignore[attr-defined]
make_refine_env.metadata = CodeRefineEnv.metadata  # type: ignore[attr-defined]


# -- the batched env ---------------------------------------------------------------------------------------------------

_MODES = {"next_step": AutoresetMode.NEXT_STEP, "same_step": AutoresetMode.SAME_STEP}


class BatchedCodeGenVectorEnv(ExecutorOwner, VectorEnv):
    """``num_envs`` copies of ``CodeGen-v0`` sharing one task pool and one executor, executed as one batch.

    Args:
        num_envs: number of sub-envs (>= 1).
        autoreset_mode: ``"same_step"`` (default: a finished sub-env is reset within the same ``step``; its last
            observation and info are in ``infos["final_obs"]`` / ``infos["final_info"]``; suits a single-step env,
            where every step ends an episode) or ``"next_step"`` (gymnasium's default: the next ``step`` resets it and
            ignores its action).
        executor: an Executor, a backend name or ``None`` (``codegym.sandbox.default_executor()``); shared by all
            sub-envs. Its worker count bounds how many programs run at once.
        **kwargs: ``CodeGen-v0`` arguments (``tasks``, ``visible``, ``action_format``, ``reward``, ``limits``...).

    Observations are batched the gymnasium way: a dict of tuples of strings (``batch_space`` of the single
    ``Dict`` of ``Text`` space). Rewards, terminations and truncations are numpy arrays; infos use gymnasium's
    ``{key: array, "_key": mask}`` layout.
    """

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, num_envs: int, *, autoreset_mode: str | AutoresetMode = "same_step",
                 executor: Executor | str | None = None, **kwargs: Any) -> None:
        check_kwargs(CodeGenEnv, kwargs, CodeGenEnv.env_id, also=("num_envs", "autoreset_mode"))
        check_int("num_envs", num_envs)
        if isinstance(autoreset_mode, str):
            autoreset_mode = _MODES[check_choice("autoreset_mode", autoreset_mode, tuple(_MODES))]
        if autoreset_mode not in _MODES.values():
            raise EnvConfigError(f"autoreset_mode must be one of {', '.join(_MODES)}")
        if "render_mode" in kwargs and kwargs["render_mode"] is not None:
            raise EnvConfigError("BatchedCodeGenVectorEnv does not render; render a single CodeGen-v0 instead")
        kwargs.pop("render_mode", None)
        self.num_envs = num_envs
        self.autoreset_mode = autoreset_mode
        self.metadata = {**self.metadata, "autoreset_mode": autoreset_mode}
        self._init_executor(executor)  # one executor for every sub-env, handed to them once it exists
        self.envs = [CodeGenEnv(**kwargs) for _ in range(num_envs)]
        shared_pool: TaskPool = self.envs[0].task_pool  # one lazy load for all sub-envs
        for env in self.envs[1:]:
            env.task_pool = shared_pool
        self.single_observation_space = self.envs[0].observation_space
        self.single_action_space = self.envs[0].action_space
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self._needs_reset = np.zeros(num_envs, dtype=bool)
        self._obs: list[dict[str, str]] = [{} for _ in range(num_envs)]

    def _executor_ready(self, executor: Executor) -> None:
        for env in self.envs:
            env.use_executor(executor)

    def reset(self, *, seed: int | Sequence[int | None] | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, tuple[str, ...]], dict[str, Any]]:
        if seed is None or isinstance(seed, int):
            seeds = [None if seed is None else seed + i for i in range(self.num_envs)]
        else:
            seeds = list(seed)
            if len(seeds) != self.num_envs:
                raise EnvConfigError(f"reset got {len(seeds)} seeds for {self.num_envs} envs")
        # gymnasium's partial reset (SyncVectorEnv, AsyncVectorEnv): options["reset_mask"] names the sub-envs to
        # reset, the others keep their episode; the remaining options go to each reset sub-env
        mask = np.ones(self.num_envs, dtype=bool)
        if options is not None and "reset_mask" in options:
            options = dict(options)
            mask = options.pop("reset_mask")
            if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_ or mask.shape != (self.num_envs,):
                raise EnvConfigError(f"options['reset_mask'] must be a numpy bool array of shape ({self.num_envs},)")
            if not mask.any():
                raise EnvConfigError("options['reset_mask'] must select at least one sub-env")
        infos: dict[str, Any] = {}
        for i, env in enumerate(self.envs):
            if not mask[i]:
                continue
            self._obs[i], info = env.reset(seed=seeds[i], options=options)
            infos = self._add_info(infos, info, i)
        self._needs_reset[mask] = False
        return self._batch(self._obs), infos

    def step(self, actions: Sequence[str]) -> tuple[dict[str, tuple[str, ...]], np.ndarray, np.ndarray, np.ndarray,
                                                   dict[str, Any]]:
        actions = list(actions)
        if len(actions) != self.num_envs:
            raise EnvConfigError(f"step got {len(actions)} actions for {self.num_envs} envs")
        rewards = np.zeros(self.num_envs, dtype=np.float64)
        terminations = np.zeros(self.num_envs, dtype=bool)
        truncations = np.zeros(self.num_envs, dtype=bool)
        infos: dict[str, Any] = {}
        pending: dict[int, PendingStep] = {}
        reset_now: list[int] = []
        # resolved before the sub-envs prepare: it reaches them first (_executor_ready), so the requests they build
        # carry this executor's default limits
        executor = self.executor
        for i, env in enumerate(self.envs):
            if self.autoreset_mode == AutoresetMode.NEXT_STEP and self._needs_reset[i]:
                reset_now.append(i)
            else:
                pending[i] = env.prepare_step(actions[i])
        order = [i for i in pending if pending[i].request is not None]
        results = executor.run_many([pending[i].request for i in order]) if order else []
        by_env = dict(zip(order, results))
        step_infos: dict[int, dict[str, Any]] = {}
        for i, step in pending.items():
            obs, reward, terminated, truncated, info = self.envs[i].finish_step(step, by_env.get(i))
            rewards[i], terminations[i], truncations[i] = reward, terminated, truncated
            self._obs[i] = obs
            step_infos[i] = info
        for i in range(self.num_envs):
            if i in reset_now:
                self._obs[i], info = self.envs[i].reset()
                self._needs_reset[i] = False
                infos = self._add_info(infos, info, i)
                continue
            info = step_infos[i]
            done = bool(terminations[i] or truncations[i])
            if done and self.autoreset_mode == AutoresetMode.SAME_STEP:
                infos = self._add_info(infos, {"final_obs": self._obs[i], "final_info": info}, i)
                self._obs[i], info = self.envs[i].reset()
            elif done:
                self._needs_reset[i] = True
            infos = self._add_info(infos, info, i)
        return self._batch(self._obs), rewards, terminations, truncations, infos

    def _batch(self, observations: list[dict[str, str]]) -> dict[str, tuple[str, ...]]:
        keys = self.single_observation_space.spaces.keys()
        return {k: tuple(o[k] for o in observations) for k in keys}

    def close_extras(self, **kwargs: Any) -> None:
        self._close_executor()
