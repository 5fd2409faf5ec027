"""``CodeRefine-v0`` as a TRL environment: ``GRPOTrainer(environment_factory=...)`` with a ``run_tests`` tool.

TRL's ``GRPOTrainer`` (1.16) takes ``environment_factory``, a callable that returns one environment per rollout.
The trainer calls the environment's ``reset(**row)`` with the dataset row's columns before generating (a string it
returns is appended to the last user message), exposes every other public method as a tool the model may call
while it generates (name, type hints and Google-style docstring become the tool's JSON schema), and, when the
environment has ``get_reward()``, calls it once per finished rollout as a reward source of weight 1 logged under
the environment's class name (``rewards/CodeRefineToolEnv/mean``).

:class:`CodeRefineToolEnv` plays one ``CodeRefine-v0`` episode per rollout:

* ``reset(task_id=..., **row)`` resets the codegym env on the row's task and returns the visible tests as the env
  shows them (after its ``visible=`` split; a HumanEval task's first assertion) and the run budget.
* ``run_tests(code)``, the one tool, is one ``env.step(code)``: the program runs on the visible tests and on the
  hidden tests in separate sandbox processes, and the tool returns the env's feedback on the visible tests only
  (failing call, expected vs actual, error and line) plus how many runs are left. After the episode ended (a
  program passed every visible test, or ``max_turns`` runs) it raises :class:`~codegym.errors.EnvStateError`,
  which TRL hands the model as the tool's error, as TRL's docs recommend for a finished game.
* ``get_reward()`` is the episode's return: the sum of the rewards ``env.step`` returned, so with the default
  ``reward_mode="final"`` the reward of the last program run (hidden tests decide it; ``reward=`` picks the
  function), with ``"improvement"`` that mode's sum. A rollout that never called ``run_tests`` gets 0.0: the
  environment never sees the model's final message (``get_reward`` takes no arguments), so a final answer is scored
  by a reward function instead -- :func:`codegym.rewards.adapters.trl_reward_function` in ``reward_funcs`` scores
  the last assistant message's program, and TRL adds both rewards.

The codegym env is built with ``gymnasium.make("CodeRefine-v0", ...)`` (its checks and wrappers apply), then
wrapped by ``wrappers`` (e.g. ``lambda env: RewardWrapper(env, RLTFReward())``); rewards and episode ends are read
from the outermost wrapper. :class:`ToolEnvFactory` is the ``environment_factory``: it loads the task spec once,
resolves a backend name (``executor="docker"``) to one executor shared by every environment it builds (TRL builds
one per rollout of a batch), checks the env's arguments by building the first one, and closes them all in
:meth:`ToolEnvFactory.close`. :func:`tool_env_rows` builds the dataset rows (conversational prompt and
``task_id``). Nothing here imports TRL: the trainer only calls these methods.

TRL turns every public function of the environment's class into a tool, so the class has no public method other
than ``reset``, ``run_tests`` and ``get_reward``: its state is in properties, and it is closed by its factory (or
used as a context manager).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import gymnasium as gym

from codegym.errors import EnvConfigError, EnvStateError

if TYPE_CHECKING:
    from codegym.envs.taskpool import TaskSpec
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

#: The env every :class:`CodeRefineToolEnv` plays.
ENV_ID = "CodeRefine-v0"

#: The instruction of :func:`tool_env_rows`' prompts: the model tests programs with the tool, then answers.
TOOL_INSTRUCTION = ("Solve the following Python programming task. Check your program with the run_tests tool, "
                    "which runs it on the visible tests and reports how it did; then answer with the complete "
                    "program in a single ```python code block.")

Wrapper = Callable[[gym.Env], gym.Env]


class CodeRefineToolEnv:
    """One ``CodeRefine-v0`` episode per TRL rollout, with ``run_tests`` as the model's tool.

    Args:
        tasks: the tasks the rows name (a task spec for ``CodeRefine-v0``: ``"builtin"``, a path, a list of
            :class:`~codegym.tasks.model.Task`); :class:`ToolEnvFactory` passes its loaded list.
        wrappers: callables applied in order to the env ``gymnasium.make`` built (each takes and returns an env).
        **env_kwargs: ``CodeRefine-v0``'s arguments (``max_turns``, ``reward_mode``, ``reward``, ``visible``,
            ``show_visible_tests``, ``action_format``, ``executor``, ``limits``, ...) and ``gymnasium.make``'s
            (``max_episode_steps``); an unknown one is an :class:`~codegym.errors.EnvConfigError` naming the valid
            ones.

    State, read by reward functions through TRL's ``environments`` keyword: :attr:`task_id`, :attr:`turns`,
    :attr:`done`, :attr:`info` (the last step's ``info``) and :attr:`env` (the wrapped codegym env).
    """

    def __init__(self, tasks: TaskSpec = "builtin", *, wrappers: Sequence[Wrapper] = (), **env_kwargs: Any) -> None:
        env: gym.Env = gym.make(ENV_ID, tasks=tasks, **env_kwargs)
        for wrap in wrappers:
            if not callable(wrap):
                env.close()
                raise EnvConfigError(f"wrappers= takes callables that wrap an env (e.g. a gymnasium.Wrapper "
                                     f"class or a lambda), not {type(wrap).__name__}")
            env = wrap(env)
        self._env = env
        self._max_turns = int(env.get_wrapper_attr("max_turns"))
        self._task_id: str | None = None
        self._turns = 0
        self._return = 0.0
        self._done = True
        self._end = ""  # why the episode ended, for the tool's error
        self._info: dict[str, Any] = {}

    # -- what TRL calls -------------------------------------------------------------------------------------------
    def reset(self, **example: Any) -> str | None:
        """Start an episode on the task the dataset row names in its ``task_id`` column; every other column is
        ignored. Returns the text TRL appends to the prompt's last user message: the visible tests as the env
        runs them (unless ``show_visible_tests=False``) and the run budget."""
        task_id = example.get("task_id")
        if task_id is None:
            raise EnvConfigError(f"{type(self).__name__}.reset needs the row's task_id (the dataset's columns "
                                 f"were {sorted(example)}); build the rows with "
                                 "codegym.integrations.trl.tool_env_rows(tasks)")
        observation, info = self._env.reset(options={"task_id": str(task_id)})
        self._task_id = str(info.get("task_id", task_id))
        self._turns = 0
        self._return = 0.0
        self._done = False
        self._end = ""
        self._info = dict(info)
        parts = []
        tests = str(observation.get("tests", "")).strip()
        if tests:
            parts.append(f"Visible tests:\n{tests}")
        parts.append(f"run_tests runs a program on the visible tests; you have {self._max_turns} runs, and the "
                     "episode ends when a program passes them all.")
        return "\n\n" + "\n\n".join(parts)

    def run_tests(self, code: str) -> str:
        """Run a complete Python program on the task's visible tests and report how it did.

        Args:
            code: The complete Python program: every function the task asks for, with its imports.

        Returns:
            How many visible tests passed and, for a failing test, the call, the expected and actual values or the
            error and its line, then how many runs are left.
        """
        if self._task_id is None:
            raise EnvStateError("run_tests was called before reset(): TRL resets every environment with its "
                                "dataset row before generating; call reset(task_id=...) first")
        if self._done:
            raise EnvStateError(f"The episode is over: {self._end}. Do not call run_tests again; answer with your "
                                "final program.")
        observation, reward, terminated, truncated, info = self._env.step(code)
        self._turns += 1
        self._return += float(reward)
        self._info = dict(info)
        self._done = bool(terminated or truncated)
        feedback = str(observation.get("feedback", "")).strip()
        if terminated:
            self._end = "the last program passed every visible test"
            status = "Every visible test passed; the episode is over."
        elif truncated:
            self._end = f"all {self._turns} runs are used"
            status = f"That was the last run ({self._turns} of {self._max_turns}); the episode is over."
        else:
            left = self._max_turns - self._turns
            status = f"{left} run{'s' if left != 1 else ''} left."
        return f"{feedback}\n\n{status}" if feedback else status

    def get_reward(self) -> float:
        """The episode's return: the sum of the rewards of its ``run_tests`` steps (0.0 without any)."""
        return self._return

    # -- state (properties: TRL would expose a public method as a tool) -----------------------------------------------
    @property
    def task_id(self) -> str | None:
        """The task of the current episode (None before the first reset)."""
        return self._task_id

    @property
    def turns(self) -> int:
        """How many times ``run_tests`` stepped the env in this episode."""
        return self._turns

    @property
    def max_turns(self) -> int:
        """The env's run budget per episode (``max_turns``)."""
        return self._max_turns

    @property
    def done(self) -> bool:
        """Whether the episode ended (or none was started)."""
        return self._done

    @property
    def info(self) -> dict[str, Any]:
        """The ``info`` of the last step (of the reset before any step): pass counts and rates, status, turn."""
        return self._info

    @property
    def env(self) -> gym.Env:
        """The codegym env, as built and wrapped."""
        return self._env

    def _close(self) -> None:
        self._env.close()

    def __enter__(self) -> CodeRefineToolEnv:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


class ToolEnvFactory:
    """TRL's ``environment_factory`` for :class:`CodeRefineToolEnv`: ``GRPOTrainer(environment_factory=factory)``.

    Args:
        tasks: a task spec (``"builtin"``, ``"micro:16:1"``, a dataset path, a list of tasks), loaded once here and
            shared by every environment.
        executor: an :class:`~codegym.sandbox.api.Executor` (shared, not closed here), a backend name (``"local"``,
            ``"docker"``, ``"ray"``: one executor is created, shared, and closed by :meth:`close`) or None (the
            process-wide default executor).
        limits: the sandbox limits of every run (a :class:`~codegym.sandbox.api.Limits` or its fields as a dict).
        wrappers: callables applied in order to each env ``gymnasium.make`` builds.
        **env_kwargs: the rest of ``CodeRefine-v0``'s arguments and ``gymnasium.make``'s.

    The first environment is built here, so a bad argument fails now rather than inside the trainer; TRL's first
    call receives it. Every call after that builds a new one. :meth:`close` (or leaving a ``with`` block) closes
    them all.
    """

    def __init__(self, tasks: TaskSpec = "builtin", *, executor: Executor | str | None = None,
                 limits: Limits | dict[str, Any] | None = None, wrappers: Sequence[Wrapper] = (),
                 **env_kwargs: Any) -> None:
        from codegym.envs.executor import check_executor_arg, resolve_executor
        from codegym.envs.taskpool import resolve_tasks

        self.tasks: list[Task] = resolve_tasks(tasks)
        self._owned_executor: Executor | None = None
        if isinstance(check_executor_arg(executor), str):
            # one executor for every rollout's env: an env given a backend name would start its own workers
            self._owned_executor = resolve_executor(executor)
            executor = self._owned_executor
        self._kwargs = dict(env_kwargs, executor=executor, limits=limits)
        self._wrappers = tuple(wrappers)
        self._envs: list[CodeRefineToolEnv] = []
        try:
            self._spare: CodeRefineToolEnv | None = self._build()
        except BaseException:
            self.close()
            raise

    def _build(self) -> CodeRefineToolEnv:
        env = CodeRefineToolEnv(self.tasks, wrappers=self._wrappers, **self._kwargs)
        self._envs.append(env)
        return env

    def __call__(self) -> CodeRefineToolEnv:
        """A new environment (the first call returns the one built to check the arguments)."""
        if self._spare is not None:
            env, self._spare = self._spare, None
            return env
        return self._build()

    @property
    def environments(self) -> list[CodeRefineToolEnv]:
        """Every environment built so far."""
        return list(self._envs)

    def close(self) -> None:
        """Close every environment built, and the executor if this factory created it."""
        envs, self._envs, self._spare = self._envs, [], None
        for env in envs:
            env._close()
        if self._owned_executor is not None:
            self._owned_executor.close()
            self._owned_executor = None

    def __enter__(self) -> ToolEnvFactory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tool_env_rows(tasks: TaskSpec | Iterable[Task], *, system_prompt: str | None = None,
                  instruction: str | None = TOOL_INSTRUCTION) -> list[dict[str, Any]]:
    """TRL dataset rows for :class:`CodeRefineToolEnv`: ``{"prompt": chat messages, "task_id": ...}`` per task.

    The prompt is :func:`codegym.integrations.export.chat_prompt` with ``instruction`` and without the visible
    tests: ``reset`` appends them as the env runs them (which can differ from the task file's, e.g. after
    ``visible=`` or for a HumanEval task, whose first assertion becomes visible). ``tasks`` is a task spec or an
    iterable of tasks; give the factory the same tasks.
    """
    from codegym.envs.taskpool import resolve_tasks
    from codegym.integrations.export import chat_prompt

    loaded = resolve_tasks(list(tasks) if isinstance(tasks, Iterator) else tasks)  # a generator of tasks too
    return [{"prompt": chat_prompt(task, system_prompt=system_prompt, show_visible_tests=False,
                                   instruction=instruction),
             "task_id": task.task_id} for task in loaded]
