"""``CodeGen-v0`` and ``CodeRefine-v0`` as SkyRL-gym text environments (``skyrl_gym.envs.BaseTextEnv``).

SkyRL's generator builds one env per rollout with ``skyrl_gym.make(env_class, env_config=..., extras=...)``, calls
``init(prompt)`` with the row's chat messages, then ``step(llm_text)`` until ``done``, appending each step's
``observations`` (chat messages) to the conversation; ``get_metrics()`` and ``close()`` end the episode. Here each
env wraps one codegym env on one task:

* ``codegym_codegen`` (:class:`CodeGenTextEnv`): one answer, scored by the hidden tests; ``done`` after it.
* ``codegym_refine`` (:class:`CodeRefineTextEnv`): after each answer the env replies with execution feedback on
  the visible tests as a user message, until the program passes them or the turns run out; per-turn rewards as
  ``CodeRefine-v0`` gives them (``reward_mode``: ``final`` or ``improvement``).

The task comes from the dataset row, as :mod:`codegym.integrations.export` writes it (``codegym export --format
skyrl``): ``extras["reward_spec"]["ground_truth"]`` is the task's JSON. Alternatively ``env_config["tasks"]`` (a
task spec for :func:`codegym.tasks.sources.load_tasks`) plus ``extras["extra_info"]["task_id"]``.

``env_config`` (the defaults given to :func:`register_skyrl_envs`, overridden key by key by what SkyRL passes
from its ``environment.skyrl_gym.<env_class>`` section, if any; every key optional) takes the codegym env's keyword
arguments: ``action_format`` (default ``"auto"``), ``reward`` (a name for :func:`codegym.rewards.get_reward`,
default binary all-pass), ``format_error_reward``, ``show_visible_tests``, ``visible``, ``executor`` (``"local"``,
``"docker"``, ``"ray"``: one executor per backend and process, shared by every rollout; default: the process-wide
default executor), ``limits`` and, for refinement, ``max_turns``, ``reward_mode``, ``improvement_coef``,
``turn_cost``. The number of turns is ``env_config["max_turns"]``, else SkyRL's ``generator.max_turns`` (which the
generator puts in ``extras["max_turns"]``), else ``CodeRefine-v0``'s default of 4.

Importing this module needs ``skyrl-gym`` (``pip install skyrl-gym``); :func:`register_skyrl_envs` registers both
ids with ``skyrl_gym.register`` (call it in SkyRL's entrypoint task, as SkyRL's docs register custom envs), and
takes ``env_config`` defaults: SkyRL's ``environment.skyrl_gym`` section is a dataclass with a field per built-in
env, so codegym's options are given there rather than in SkyRL's config.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import gymnasium
from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput

from codegym.errors import EnvConfigError
from codegym.tasks.model import Task

#: SkyRL env ids (``env_class`` in a dataset row or in ``environment.env_class``) -> codegym env.
SKYRL_ENV_CLASSES: dict[str, str] = {"codegym_codegen": "CodeGen-v0", "codegym_refine": "CodeRefine-v0"}

#: ``env_config`` keys passed to the codegym env (the others are read here: ``tasks``).
_COMMON_KEYS = ("action_format", "reward", "format_error_reward", "show_visible_tests", "visible", "executor",
                "limits")
_REFINE_KEYS = ("max_turns", "reward_mode", "improvement_coef", "turn_cost")

#: ``info`` keys of a codegym step that go into the SkyRL step's ``metadata`` (plain values only).
_METADATA_KEYS = ("task_id", "status", "passed", "success", "tests_passed", "tests_total", "visible_passed", "visible_total",
                  "hidden_passed", "hidden_total", "visible_pass_rate", "hidden_pass_rate", "format_error",
                  "program", "turn", "turn_reward")

FEEDBACK_INSTRUCTION = "Fix the program and answer with the complete program in a single ```python code block."


def _plain(config: Any) -> dict[str, Any]:
    """``env_config`` as a plain dict (SkyRL passes an OmegaConf ``DictConfig`` or a dict)."""
    if config is None:
        return {}
    try:
        from omegaconf import DictConfig, OmegaConf
    except ImportError:  # pragma: no cover - omegaconf is a dependency of skyrl-gym
        DictConfig = None  # type: ignore[assignment,misc]
    if DictConfig is not None and isinstance(config, DictConfig):
        return dict(OmegaConf.to_container(config, resolve=True))  # type: ignore[arg-type]
    if isinstance(config, Mapping):
        return dict(config)
    raise EnvConfigError(f"env_config must be a mapping, got {type(config).__name__}")


_TASK_SOURCES: dict[str, dict[str, Task]] = {}
_EXECUTORS: dict[str, Any] = {}


def _shared_executor(backend: str) -> Any:
    """One executor per backend name per process, shared by every rollout's env (an env per rollout must not
    start its own worker pool)."""
    if backend not in _EXECUTORS:
        from codegym.envs.executor import resolve_executor

        _EXECUTORS[backend] = resolve_executor(backend)
    return _EXECUTORS[backend]


def _task_from_spec(spec: str, task_id: str) -> Task:
    if spec not in _TASK_SOURCES:
        from codegym.tasks.sources import load_tasks

        _TASK_SOURCES[spec] = {t.task_id: t for t in load_tasks(spec)}
    try:
        return _TASK_SOURCES[spec][task_id]
    except KeyError:
        from codegym.errors import UnknownTaskError

        raise UnknownTaskError(f"task {task_id!r} is not in the task source {spec!r}") from None


def task_from_extras(extras: Mapping[str, Any], config: Mapping[str, Any]) -> Task:
    """The task of a SkyRL rollout: ``extras["task"]``, else ``extras["reward_spec"]["ground_truth"]`` (task
    JSON), else ``extras["extra_info"]["task_id"]`` looked up in the task spec ``config["tasks"]``."""
    from codegym.rewards.adapters import task_from_ground_truth

    if extras.get("task") is not None:
        return task_from_ground_truth(extras["task"])
    spec = extras.get("reward_spec") or {}
    if isinstance(spec, Mapping) and spec.get("ground_truth") is not None:
        return task_from_ground_truth(spec["ground_truth"])
    info = extras.get("extra_info") or {}
    if config.get("tasks") and isinstance(info, Mapping) and info.get("task_id") is not None:
        return _task_from_spec(str(config["tasks"]), str(info["task_id"]))
    raise EnvConfigError("a codegym SkyRL env needs its task: extras['reward_spec']['ground_truth'] = Task.to_json() "
                         "(codegym export --format skyrl writes it), or env_config['tasks'] plus "
                         "extras['extra_info']['task_id']")


class CodegymTextEnv(BaseTextEnv):
    """A codegym env on one task behind SkyRL-gym's ``BaseTextEnv`` (``init``/``step``/``close``/``get_metrics``).

    Subclasses set :attr:`codegym_env_id`. ``step`` returns ``BaseTextEnvStepOutput(observations, reward, done,
    metadata)``: ``observations`` is ``[]`` when the episode ends, else one user message with the feedback on the
    visible tests; ``metadata`` holds the step's verdict (status, pass counts and rates, ``format_error``, the
    program that ran). The codegym env itself is :attr:`env`.
    """

    codegym_env_id: ClassVar[str] = "CodeGen-v0"
    #: ``env_config`` defaults, set by :func:`register_skyrl_envs` (keys of the ``env_config`` SkyRL passes win)
    default_config: ClassVar[dict[str, Any]] = {}

    def __init__(self, env_config: Any = None, extras: Mapping[str, Any] | None = None) -> None:
        super().__init__()
        config = {**self.default_config, **_plain(env_config)}
        extras = dict(extras or {})
        self.task = task_from_extras(extras, config)
        kwargs = {k: config[k] for k in _COMMON_KEYS if config.get(k) is not None}
        if isinstance(kwargs.get("reward"), str):
            from codegym.rewards import get_reward

            kwargs["reward"] = get_reward(kwargs["reward"])
        if isinstance(kwargs.get("executor"), str):
            kwargs["executor"] = _shared_executor(kwargs["executor"])
        if self.codegym_env_id == "CodeRefine-v0":
            kwargs.update({k: config[k] for k in _REFINE_KEYS if config.get(k) is not None})
            if "max_turns" not in kwargs and extras.get("max_turns") is not None:
                kwargs["max_turns"] = int(extras["max_turns"])
        # Through gymnasium, as any user builds it: its wrappers (order enforcing, the env checker) stay in place.
        self.env: Any = gymnasium.make(self.codegym_env_id, tasks=[self.task], **kwargs)
        self.max_turns = int(self.env.get_wrapper_attr("max_turns")) if self.codegym_env_id == "CodeRefine-v0" else 1
        self._last: dict[str, Any] = {}
        self._total_reward = 0.0

    def init(self, prompt: list[dict[str, str]] | None = None) -> tuple[list[dict[str, str]], dict[str, Any]]:
        """Start the episode. Returns the row's prompt unchanged (or, without one, the codegym chat prompt of the
        task) and ``{"task_id": ...}``."""
        _, info = self.env.reset(options={"task_id": self.task.task_id})
        self.turns = 0
        self._last = {}
        self._total_reward = 0.0
        if not prompt:
            from codegym.integrations.export import chat_prompt

            prompt = chat_prompt(self.task)
        return list(prompt), {"task_id": info["task_id"]}

    def step(self, action: str) -> BaseTextEnvStepOutput:
        if self.turns == 0 and self.env.get_wrapper_attr("task") is None:
            self.init()  # SkyRL always calls init first; be forgiving when a caller does not
        self.turns += 1
        observation, reward, terminated, truncated, info = self.env.step(action)
        done = bool(terminated or truncated)
        self._total_reward += float(reward)
        self._last = {k: info[k] for k in _METADATA_KEYS if k in info}
        observations = [] if done else [{"role": "user", "content": self._feedback(observation)}]
        return BaseTextEnvStepOutput(observations=observations, reward=float(reward), done=done,
                                     metadata=dict(self._last), postprocessed_action=None)

    @staticmethod
    def _feedback(observation: Mapping[str, Any]) -> str:
        feedback = str(observation.get("feedback", "")).strip() or "The program did not pass the visible tests."
        return f"Feedback on your previous attempt:\n{feedback}\n\n{FEEDBACK_INSTRUCTION}"

    def get_metrics(self) -> dict[str, Any]:
        """Episode metrics for SkyRL's logs: ``turns``, ``passed`` (the env's ``info["success"]``: the last program
        solved the task), ``hidden_pass_rate``, ``format_error``, ``total_reward``."""
        hidden = self._last.get("hidden_pass_rate")
        return {"turns": self.turns, "passed": bool(self._last.get("success", False)),
                "hidden_pass_rate": float(hidden) if hidden is not None else 0.0,
                "format_error": bool(self._last.get("format_error", False)), "total_reward": self._total_reward}

    def close(self) -> None:
        self.env.close()


class CodeGenTextEnv(CodegymTextEnv):
    """``CodeGen-v0`` (single turn) as SkyRL env ``codegym_codegen``."""

    codegym_env_id = "CodeGen-v0"


class CodeRefineTextEnv(CodegymTextEnv):
    """``CodeRefine-v0`` (multi-turn refinement with execution feedback) as SkyRL env ``codegym_refine``."""

    codegym_env_id = "CodeRefine-v0"


_ENV_TYPES: dict[str, type[CodegymTextEnv]] = {"codegym_codegen": CodeGenTextEnv,
                                               "codegym_refine": CodeRefineTextEnv}


def register_skyrl_envs(env_config: Mapping[str, Any] | None = None) -> list[str]:
    """Register ``codegym_codegen`` and ``codegym_refine`` with ``skyrl_gym``; returns the ids.

    ``env_config`` sets defaults for both envs (for instance ``{"max_turns": 4, "reward": "rltf", "executor":
    "docker"}``); the ``env_config`` SkyRL passes at ``make`` time overrides them key by key. SkyRL's
    ``environment.skyrl_gym`` config section is a dataclass with a field per built-in env, so this is where
    codegym's options go. Calling it again re-registers both ids with the new defaults.
    """
    import skyrl_gym

    defaults = _plain(env_config)
    for env_id, env_type in _ENV_TYPES.items():
        if env_id in skyrl_gym.registry:
            skyrl_gym.envs.registration.deregister(env_id)
        entry: Any = f"{env_type.__module__}:{env_type.__name__}"
        if defaults:
            entry = type(env_type.__name__, (env_type,), {"default_config": dict(defaults),
                                                          "__module__": env_type.__module__})
        skyrl_gym.register(id=env_id, entry_point=entry)
    return list(_ENV_TYPES)
