"""Episodes played in lockstep through one gymnasium vector env: the only place agents step envs in batches.

Training rollouts (:mod:`agents.rollout`, :mod:`agents.multiturn`), evaluation and ``codegym bench`` all play their
episodes through an :class:`EnvBatch`, which builds its vector env with ``gymnasium.make_vec`` (see
``docs/vector_envs.md``), so every wrapper the env id and the caller ask for is honoured on every step:

* without per-env ``wrappers``, an id with its own vector env (``CodeGen-v0``'s batched env) gets it: the
  programs of a step run together in one ``executor.run_many``;
* with ``wrappers`` (or for ids without one, e.g. ``CodeRefine-v0``), gymnasium's ``SyncVectorEnv`` over
  ``gymnasium.make`` envs (with their ``OrderEnforcing`` and checker wrappers) and the caller's wrappers on each
  sub-env; each sub-env's step still runs its own requests (visible and hidden tests) together, and
  ``vectorization_mode="async"`` puts the sub-envs in processes instead.

Slot ``i`` of a batch plays the episode of ``task_ids[i]``: :meth:`EnvBatch.reset` resets the slots of one task
with gymnasium's partial reset (``options={"task_id": ..., "reset_mask": ...}``). Episodes end at different turns
(``CodeRefine-v0``); a vector env steps every slot, so each sub-env of a ``SyncVectorEnv`` batch sits under
:class:`HoldFinishedEpisode`, which answers a finished slot without touching its env (no program runs, no inner
wrapper sees a step or an autoreset nobody asked for). The batch uses next-step autoreset throughout.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from codegym.errors import CodegymError

if TYPE_CHECKING:
    from codegym.tasks.model import Task

Wrapper = Callable[[gym.Env], gym.Env]


class EnvBatchError(CodegymError, ValueError):
    """A lockstep batch used in a way its vector env cannot honour."""


@dataclass
class Transition:
    """One slot's result of one vector step."""

    observation: dict[str, Any]
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated


class HoldFinishedEpisode(gym.Wrapper):
    """Plays exactly the episodes it is reset into with options: once an episode ends, further steps and
    option-less resets (a vector env's autoreset) return the episode's last observation without reaching the env.

    It is the outermost wrapper of every sub-env of an :class:`EnvBatch` built on gymnasium's vector envs, so a
    slot whose episode is over costs nothing while the others play on.
    """

    def __init__(self, env: gym.Env) -> None:
        super().__init__(env)
        self._last: Any = None
        self._held = False

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):  # type: ignore[override]
        if self._held and options is None:
            return self._last, {}
        self._held = False
        self._last, info = self.env.reset(seed=seed, options=options)
        return self._last, info

    def step(self, action: Any):  # type: ignore[override]
        if self._held:
            return self._last, 0.0, True, False, {}
        obs, reward, terminated, truncated, info = self.env.step(action)
        self._last, self._held = obs, bool(terminated or truncated)
        return obs, reward, terminated, truncated, info


def resolve_vectorization_mode(env_id: str, wrappers: Sequence[Wrapper] = (), requested: str | None = None) -> str:
    """The ``make_vec`` mode of a batch: ``requested``, else the id's own vector env when there are no wrappers,
    else ``"sync"``."""
    from codegym.envs import register_envs

    register_envs()
    if requested is not None:
        return requested
    return "vector_entry_point" if gym.spec(env_id).vector_entry_point and not wrappers else "sync"


def make_vector_env(env_id: str, tasks: Sequence[Task], num_envs: int, *, executor: Any = None,
                    wrappers: Sequence[Wrapper] = (), vectorization_mode: str | None = None,
                    **env_kwargs: Any) -> gym.vector.VectorEnv:
    """``gymnasium.make_vec(env_id, num_envs, ...)`` for lockstep episodes (see the module docstring): the id's
    own vector env when there are no ``wrappers`` (``vectorization_mode=None``), else ``"sync"``; next-step
    autoreset; :class:`HoldFinishedEpisode` outermost on every sub-env of gymnasium's vector envs."""
    vectorization_mode = resolve_vectorization_mode(env_id, wrappers, vectorization_mode)
    kwargs: dict[str, Any] = {"tasks": list(tasks), "executor": executor, **env_kwargs}
    if vectorization_mode == "vector_entry_point":
        if wrappers:
            raise EnvBatchError(f"{env_id}'s own vector env takes no per-env wrappers; use "
                                "vectorization_mode='sync' (or 'async') to wrap each sub-env")
        return gym.make_vec(env_id, num_envs, vectorization_mode=vectorization_mode, autoreset_mode="next_step",
                            **kwargs)
    return gym.make_vec(env_id, num_envs, vectorization_mode=vectorization_mode,
                        vector_kwargs={"autoreset_mode": gym.vector.AutoresetMode.NEXT_STEP},
                        wrappers=[*wrappers, HoldFinishedEpisode], **kwargs)


class EnvBatch:
    """Episodes of one env id in lockstep through one vector env (one per batch size).

    Args:
        env_id: a registered Gymnasium id (``CodeGen-v0``, ``CodeRefine-v0``).
        tasks: the task pool of every sub-env; episodes pick theirs by ``task_id``.
        executor: an Executor, a backend name (started here, closed by :meth:`close`) or ``None`` for the
            process-wide default; shared by every sub-env.
        reward: the env's ``reward`` argument (a codegym ``Reward`` or callable), or ``None`` for its default.
        wrappers: per-env wrappers (``gymnasium.make_vec``'s ``wrappers``), applied to every sub-env.
        env_kwargs: other env arguments (``max_turns``, ``visible``, ``limits``...).
        vectorization_mode: ``None`` (see :func:`make_vector_env`), ``"sync"``, ``"async"`` or
            ``"vector_entry_point"``.
    """

    def __init__(self, env_id: str, tasks: Sequence[Task], *, executor: Any = None, reward: Any = None,
                 wrappers: Sequence[Wrapper] = (), env_kwargs: dict[str, Any] | None = None,
                 vectorization_mode: str | None = None) -> None:
        from codegym.sandbox import default_executor, get_executor

        self.env_id = env_id
        self.tasks = list(tasks)
        self.wrappers = list(wrappers)
        self.vectorization_mode = resolve_vectorization_mode(env_id, self.wrappers, vectorization_mode)
        self.kwargs = dict(env_kwargs or {})
        if reward is not None:
            self.kwargs["reward"] = reward
        self._owns_executor = isinstance(executor, str)
        self.executor = get_executor(executor) if executor is not None else default_executor()
        self._venvs: dict[int, gym.vector.VectorEnv] = {}
        self._venv: gym.vector.VectorEnv | None = None  # the one the last reset used

    @property
    def holds_finished_episodes(self) -> bool:
        """Whether a slot whose episode ended sits out later steps (gymnasium's vector envs, see above)."""
        return self.vectorization_mode != "vector_entry_point"

    def vector_env(self, num_envs: int) -> gym.vector.VectorEnv:
        """The vector env for ``num_envs`` slots, built on first use and kept (training alternates between a few
        batch sizes: rollouts, evaluation, screening)."""
        if num_envs not in self._venvs:
            self._venvs[num_envs] = make_vector_env(self.env_id, self.tasks, num_envs, executor=self.executor,
                                                    wrappers=self.wrappers,
                                                    vectorization_mode=self.vectorization_mode, **self.kwargs)
        self._venv = self._venvs[num_envs]
        return self._venv

    def reset(self, task_ids: Sequence[str], seed: int | None = None) -> list[dict[str, Any]]:
        """Start the episode of ``task_ids[i]`` in slot ``i``; returns the first observations."""
        if not task_ids:
            raise EnvBatchError("a batch needs at least one episode")
        venv = self.vector_env(len(task_ids))
        slots: dict[str, list[int]] = {}
        for i, task_id in enumerate(task_ids):
            slots.setdefault(task_id, []).append(i)
        seeds = [None if seed is None else seed + i for i in range(len(task_ids))]
        observations: list[dict[str, Any]] = [{} for _ in task_ids]
        for number, (task_id, indices) in enumerate(slots.items()):
            options: dict[str, Any] = {"task_id": task_id}
            if number:  # the first reset starts every slot (a fresh vector env has no observation to keep)
                options["reset_mask"] = np.isin(np.arange(len(task_ids)), indices)
            obs, _ = venv.reset(seed=seeds, options=options)
            unbatched = list(gym.vector.utils.iterate(venv.observation_space, obs))
            for i in indices:
                observations[i] = _plain(unbatched[i])
        return observations

    def step(self, actions: Sequence[str | None]) -> list[Transition | None]:
        """Step every slot; ``None`` marks a slot whose episode is over (its result is ``None``)."""
        venv = self._venv
        if venv is None or venv.num_envs != len(actions):
            raise EnvBatchError("step() got a different number of actions than reset() started episodes")
        if any(a is None for a in actions) and not self.holds_finished_episodes:
            raise EnvBatchError(f"{type(venv.unwrapped).__name__} steps every slot; it plays single-step episodes "
                                "only (use vectorization_mode='sync' for episodes of different lengths)")
        obs, rewards, terminated, truncated, infos = venv.step(["" if a is None else a for a in actions])
        unbatched = list(gym.vector.utils.iterate(venv.observation_space, obs))
        out: list[Transition | None] = []
        for i, action in enumerate(actions):
            if action is None:
                out.append(None)
                continue
            out.append(Transition(_plain(unbatched[i]), float(rewards[i]), bool(terminated[i]), bool(truncated[i]),
                                  slot_info(infos, i)))
        return out

    def play(self, task_ids: Sequence[str], act: Callable[[list[int], list[dict[str, Any]]], Sequence[str]],
             seed: int | None = None, max_steps: int = 100) -> list[list[Transition]]:
        """Play the episode of every ``task_ids[i]`` to its end (at most ``max_steps`` steps); ``act(slots,
        observations)`` answers for the live slots. Returns each slot's transitions."""
        observations = self.reset(task_ids, seed)
        episodes: list[list[Transition]] = [[] for _ in task_ids]
        live = list(range(len(task_ids)))
        for _ in range(max_steps):
            if not live:
                break
            answers = list(act(live, [observations[i] for i in live]))
            if len(answers) != len(live):
                raise EnvBatchError(f"act returned {len(answers)} actions for {len(live)} live episodes")
            actions: list[str | None] = [None] * len(task_ids)
            for i, answer in zip(live, answers):
                actions[i] = answer
            results = self.step(actions)
            still = []
            for i in live:
                transition = results[i]
                assert transition is not None
                episodes[i].append(transition)
                observations[i] = transition.observation
                if not transition.done:
                    still.append(i)
            live = still
        return episodes

    def close(self) -> None:
        for venv in self._venvs.values():
            venv.close()
        self._venvs = {}
        self._venv = None
        if self._owns_executor:
            self.executor.close()


def slot_info(infos: dict[str, Any], i: int) -> dict[str, Any]:
    """Sub-env ``i``'s info out of gymnasium's batched ``{key: array, "_key": mask}`` infos, as plain Python."""
    out: dict[str, Any] = {}
    for key, value in infos.items():
        if key.startswith("_"):
            continue
        mask = infos.get(f"_{key}")
        if mask is not None and not mask[i]:
            continue
        out[key] = slot_info(value, i) if isinstance(value, dict) else _plain(value[i])
    return out


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers, recursively through dicts (so infos compare and serialise plainly)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def nan_to_none(value: Any) -> Any:
    """Envs report a missing rate as NaN in ``info`` (so vector envs can batch it); records keep ``None``."""
    return None if isinstance(value, float) and math.isnan(value) else value


__all__ = ["EnvBatch", "EnvBatchError", "HoldFinishedEpisode", "Transition", "make_vector_env", "slot_info",
           "nan_to_none"]
