"""``CodeGen-v0``: single-turn code generation (one program per episode, scored by its hidden tests)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gymnasium as gym
from gymnasium import spaces

from codegym.envs.common import (
    MAX_CODE_CHARS,
    MAX_FEEDBACK_CHARS,
    MAX_ID_CHARS,
    MAX_PROMPT_CHARS,
    NO_HIDDEN_TESTS_KEY,
    SUCCESS_KEY,
    EnvConfigError,
    EnvStateError,
    ExecutorOwner,
    RewardFn,
    SplitRequests,
    TaskPool,
    TaskSpec,
    check_render_mode,
    check_text_action,
    combine_split,
    emit_render,
    hacking_info,
    process_signal,
    render_tests,
    resolve_limits,
    resolve_reward,
    sanitize_text,
    score,
    solved,
    split_requests,
    step_info,
    text_space,
    visible_feedback,
)
from codegym.envs.extraction import ACTION_FORMATS, ActionFormat, extract_code

if TYPE_CHECKING:
    from codegym.envs.common import SplitEvaluation
    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.base import RewardOutput
    from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits
    from codegym.tasks.model import Task

#: ``info`` keys of a step that never ran (format error), so every step's info has the same keys.
_EMPTY_SUMMARY: dict[str, Any] = {
    "status": "format_error", "passed": False, "tests_passed": 0, "tests_total": 0, "visible_passed": 0,
    "visible_total": 0, "hidden_passed": 0, "hidden_total": 0, "visible_pass_rate": None,
    "hidden_pass_rate": None, "visible_hidden_gap": None, "error": None, "failing_test": None,
}


@dataclass
class PendingStep:
    """A step whose program is built but not yet executed (lets vector envs batch executions).

    The program runs as two requests, never one: ``split.visible`` (the visible tests, whose output feeds the
    observation) and ``split.hidden`` (the hidden tests, which decide the reward). Batch callers run
    :attr:`requests` and pass the results, in order, to :meth:`CodeGenEnv.finish_step`. Callers written for a
    single request run :attr:`request` and pass its one result; ``finish_step`` then runs the other request itself,
    together with those of every other prepared step of the same executor still waiting (one ``run_many``).
    """

    task: Task
    response: str
    program: str | None  # None: format error, nothing to run
    format_error: str | None
    split: SplitRequests | None
    results: dict[str, ExecutionResult] = field(default_factory=dict)  # "visible" / "hidden" -> result
    owner: Any = field(default=None, repr=False, compare=False)  # the env that prepared it
    _claimed: bool = field(default=False, repr=False, compare=False)
    _filled: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def requests(self) -> list[ExecutionRequest]:
        """Every request of the step, visible first (empty on a format error)."""
        return self.split.requests if self.split is not None else []

    @property
    def request(self) -> ExecutionRequest | None:
        """The request deciding the reward: the hidden tests' (the visible tests' when the task has none)."""
        if self.split is None:
            return None
        return self.split.hidden if self.split.hidden is not None else self.split.visible

    @property
    def n_visible(self) -> int:
        return self.split.n_visible if self.split is not None else 0

    def _roles(self) -> list[tuple[str, ExecutionRequest]]:
        if self.split is None:
            return []
        return [(role, req) for role, req in (("visible", self.split.visible), ("hidden", self.split.hidden))
                if req is not None]

    def missing(self) -> list[tuple[str, ExecutionRequest]]:
        """The (role, request) pairs that have no result yet."""
        return [(role, req) for role, req in self._roles() if role not in self.results]

    def missing_secondary(self) -> list[tuple[str, ExecutionRequest]]:
        """The missing pairs other than :attr:`request`'s (which a single-request caller runs itself)."""
        primary = self.request
        return [(role, req) for role, req in self.missing() if req is not primary]

    def accept(self, result: ExecutionResult | Sequence[ExecutionResult] | None) -> None:
        """Record results: one for :attr:`request`, or a sequence aligned with :attr:`requests`."""
        if result is None or self.split is None:
            return
        roles = self._roles()
        if isinstance(result, Sequence):
            if len(result) != len(roles):
                raise EnvConfigError(f"finish_step got {len(result)} results for {len(roles)} requests "
                                     "(pass the results of pending.requests, in order)")
            self.results.update((role, r) for (role, _), r in zip(roles, result))
        else:
            self.results["hidden" if self.split.hidden is not None else "visible"] = result


#: Prepared steps whose secondary request (the one besides :attr:`PendingStep.request`) has not run yet, so that
#: callers batching only ``pending.request`` still get the secondary requests of the whole batch run together, in
#: one ``run_many``. Weak references: an abandoned step just disappears.
_WAITING: list[weakref.ref[PendingStep]] = []
_WAITING_LOCK = threading.Lock()


def _register(pending: PendingStep) -> None:
    with _WAITING_LOCK:
        if len(_WAITING) > 256:
            _WAITING[:] = [r for r in _WAITING
                           if (p := r()) is not None and not p._claimed and p.missing_secondary()]
        _WAITING.append(weakref.ref(pending))


def _executor_of(env: Any) -> Executor | None:
    """The executor ``env`` runs on, without creating one (a backend-name spec makes its own executor later)."""
    executor = getattr(env, "_executor", None)
    if executor is not None:
        return executor
    spec = getattr(env, "_executor_spec", "")
    if spec is None:
        return env.executor  # the process-wide default, shared
    from codegym.sandbox.api import Executor

    return spec if isinstance(spec, Executor) else None


def _run_missing(pending: PendingStep, executor: Executor) -> None:
    """Run ``pending``'s missing requests, with those of every other waiting step on the same executor."""
    with _WAITING_LOCK:
        claimed_elsewhere = pending._claimed
        batch: list[PendingStep] = []
        if not claimed_elsewhere:
            keep: list[weakref.ref[PendingStep]] = []
            for ref in _WAITING:
                other = ref()
                if other is None or other._claimed or other is pending or not other.missing_secondary():
                    continue
                if _executor_of(other.owner) is executor:
                    batch.append(other)
                else:
                    keep.append(ref)
            _WAITING[:] = keep
            batch.insert(0, pending)
            for step in batch:
                step._claimed = True
    if claimed_elsewhere:  # another thread's batch holds it: wait for that run
        pending._filled.wait()
        batch = [pending] if pending.missing() else []  # that run failed: run it here
    # this step's every missing request; of the other waiting steps only the secondary ones (their callers are
    # running, or have run, their primary request themselves)
    jobs = [(step, role, request) for step in batch
            for role, request in (step.missing() if step is pending else step.missing_secondary())]
    try:
        if jobs:
            for (step, role, _), result in zip(jobs, executor.run_many([job[2] for job in jobs])):
                step.results[role] = result
    finally:
        for step in batch:
            step._filled.set()


class CodeGenEnv(ExecutorOwner, gym.Env):
    """Single-turn code generation over a pool of programming tasks.

    ## Description

    Each episode is one task. ``reset`` picks a task (uniformly with ``self.np_random``, or the one named by
    ``options={"task_id": ...}``) and shows its prompt. The agent answers once with a program (raw code or a model
    response containing a fenced code block); the env runs it in the sandbox executor against the task's visible
    tests and, in a separate request (so a separate sandbox process), its hidden tests, scores it with the reward
    function and ends the episode. Only the visible run's output reaches the observation; the hidden run decides
    the reward and appears in ``info`` as counts, pass rates and per-test status only.

    ## Action Space

    ``Text(max_length=32768, charset=printable ASCII)``: the agent's answer. Any ``str`` is accepted (longer or
    non-ASCII answers too); how code is taken from it is set by ``action_format``:
    ``"auto"`` (last fenced block if any, else the whole text), ``"markdown"`` (a fenced block is required; none is a
    format error with reward 0, as in DeepCoder), ``"code"`` (the text is the program).

    ## Observation Space

    ``Dict`` of ``Text`` fields (printable ASCII; other characters are backslash-escaped, long text is truncated
    with a marker):

    * ``task_id``: the task's id.
    * ``prompt``: the problem statement (for completion tasks such as HumanEval, the signature and docstring).
    * ``tests``: the visible tests rendered as text (empty when ``show_visible_tests=False`` or none exist).
    * ``feedback``: empty after ``reset``; after the step, the verdict of the visible run (without visible tests,
      only whether the program parses).

    ## Rewards

    ``reward(evaluation, task, program, response=..., turn=1)``; the default ``BinaryPassReward`` gives 1.0 when every
    hidden test passes and 0.0 otherwise. A format error gives ``format_error_reward`` (default 0.0) without running
    anything.

    ## Episode End

    Terminates after the single step. Never truncates.

    ## Arguments

    * ``tasks``: a source spec for ``codegym.tasks.sources.load_tasks`` (same as ``codegym evaluate --tasks``;
      default ``"builtin"``), a ``Task`` or a list of ``Task``. Loaded on the first ``reset``.
    * ``visible``: re-split every task's tests (``None``, the default, keeps the tasks' own split). The tests are
      pooled and every ``check(candidate)`` program is split into one test per assertion; an int ``k`` makes the
      first ``k`` assertions visible, a float that fraction of them (rounded). At least one test always stays
      hidden: ``k`` is capped at ``n - 1``, so a task whose check cannot be split keeps its one test hidden.
    * ``show_visible_tests``: put the visible tests in the observation (default True).
    * ``action_format``: ``"auto" | "code" | "markdown"`` (default ``"auto"``).
    * ``reward``: a ``codegym.rewards.base.Reward`` or a callable ``(evaluation, task, program, **ctx) -> float``.
    * ``format_error_reward``: reward for an answer without a code block in ``"markdown"`` mode (default 0.0).
    * ``executor``: an ``Executor``, a backend name (``"local"``, ``"docker"``, ``"ray"``) or ``None`` for
      ``codegym.sandbox.default_executor()``. Resolved on the first step, never at construction.
    * ``limits``: ``codegym.sandbox.Limits`` (or a dict of its fields) for every execution.
    * ``render_mode``: ``None``, ``"ansi"`` or ``"human"``.

    ``info`` after the step holds ``ProgramEvaluation.summary()`` of the agent's view (status, tests passed/total,
    visible and hidden pass rates, error, failing test), ``task_id``, ``program``, ``format_error``, ``success``
    (True when the program solved the task: every hidden test passed, or every test when the task has no hidden
    ones -- the one definition of success agents and benchmarks read),
    ``no_hidden_tests`` (True when the task has no hidden tests, so the reward is computed on the visible ones; also
    in the reset info, and warned about once when the tasks load), the reward-hacking signals under ``"hacking"``
    (visible-vs-hidden gap, visible-test literals embedded in the program, process/outcome disagreement; see
    :func:`codegym.envs.common.hacking_info`) and, for reward wrappers, the agent's view ``ProgramEvaluation``
    under ``"evaluation"`` (``None`` on a format error). Nothing in ``info`` carries hidden-test text or output:
    ``error`` and ``failing_test`` come from the visible run, and hidden outcomes are reduced to index, kind,
    pass/fail and status (see :class:`codegym.envs.common.SplitEvaluation`); the reward function itself gets the
    full evaluation. Because the evaluation carries wall-clock timings and programs may behave
    nondeterministically, the registered spec is marked ``nondeterministic``.

    ## Version History

    * v0: initial version.
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(self, tasks: TaskSpec = "builtin", *, visible: int | float | None = None,
                 show_visible_tests: bool = True, action_format: ActionFormat = "auto",
                 reward: RewardFn | None = None, format_error_reward: float = 0.0,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        if action_format not in ACTION_FORMATS:
            raise EnvConfigError(f"action_format must be one of {', '.join(ACTION_FORMATS)}, not {action_format!r}")
        render_mode = check_render_mode(render_mode, self.metadata["render_modes"], "CodeGen-v0")
        self.task_pool = TaskPool(tasks, visible, env_name="CodeGen-v0")
        self.show_visible_tests = bool(show_visible_tests)
        self.action_format: ActionFormat = action_format
        self.reward_fn = resolve_reward(reward)
        self.format_error_reward = float(format_error_reward)
        self._init_executor(executor)
        self.limits = resolve_limits(limits)
        self.render_mode = render_mode

        self.action_space = text_space(MAX_CODE_CHARS)
        self.observation_space = spaces.Dict({
            "task_id": text_space(MAX_ID_CHARS),
            "prompt": text_space(MAX_PROMPT_CHARS),
            "tests": text_space(MAX_PROMPT_CHARS),
            "feedback": text_space(MAX_FEEDBACK_CHARS),
        })
        self.task: Task | None = None
        self._done = True
        self._last_program: str | None = None
        self._last_feedback = ""
        self._last_reward: float | None = None

    # -- properties ----------------------------------------------------------------------------------------------
    @property
    def tasks(self) -> list[Task]:
        return self.task_pool.tasks

    # -- gymnasium API -------------------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, str], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = self.task_pool.pick(self.np_random, options)
        self._done = False
        self._last_program = None
        self._last_feedback = ""
        self._last_reward = None
        if self.render_mode == "human":
            self.render()
        return self._observation(""), {"task_id": self.task.task_id,
                                       NO_HIDDEN_TESTS_KEY: not self.task.hidden_tests}

    def step(self, action: str) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        pending = self._prepare(action, batchable=False)
        results = self.executor.run_many(pending.requests) if pending.requests else None
        return self.finish_step(pending, results)

    def prepare_step(self, action: str) -> PendingStep:
        """Extract the program and build its execution requests (no execution yet)."""
        return self._prepare(action, batchable=True)

    def _prepare(self, action: str, batchable: bool) -> PendingStep:
        if self.task is None or self._done:
            raise EnvStateError("CodeGen-v0: call reset() before step(); the episode ends after one step")
        response = check_text_action(action, "CodeGen-v0")
        program = extract_code(response, self.action_format)
        if program is None:
            return PendingStep(self.task, response, None, "no fenced code block found in the response", None,
                               owner=self)
        pending = PendingStep(self.task, response, program, None, split_requests(self.task, program, self.limits),
                              owner=self)
        if batchable:
            _register(pending)
        return pending

    def finish_step(self, pending: PendingStep,
                    result: ExecutionResult | Sequence[ExecutionResult] | None = None,
                    ) -> tuple[dict[str, str], float, bool, bool, dict[str, Any]]:
        """Score an executed :class:`PendingStep` and end the episode.

        ``result``: the results of ``pending.requests`` in order, or the one result of ``pending.request`` (the
        other request is then run here, batched with the other waiting steps), or None (everything runs here).
        """
        pending.accept(result)
        if pending.missing():
            _run_missing(pending, self.executor)
        split, reward_out = self._score(pending)
        agent_view = split.agent_view if split is not None else None
        reward = reward_out.reward if reward_out is not None else self.format_error_reward
        feedback = visible_feedback(agent_view, pending.format_error).text
        self._done = True
        self._last_program = pending.program if pending.program is not None else pending.response
        self._last_feedback = feedback
        self._last_reward = reward
        info = self._info(pending, agent_view, reward_out)
        if self.render_mode == "human":
            self.render()
        return self._observation(feedback), reward, True, False, info

    def render(self) -> str | None:
        if self.render_mode not in self.metadata["render_modes"]:
            gym.logger.warn("CodeGen-v0.render() needs render_mode='ansi' or 'human'")
            return None
        text = self._render_text()
        return emit_render(self.render_mode, text)


    # -- helpers -------------------------------------------------------------------------------------------------
    def _score(self, pending: PendingStep) -> tuple[SplitEvaluation | None, RewardOutput | None]:
        if pending.program is None or pending.split is None:
            return None, None
        visible = pending.results.get("visible") if pending.split.visible is not None else None
        hidden = pending.results.get("hidden") if pending.split.hidden is not None else None
        split = combine_split(pending.split, visible, hidden)
        # the reward sees every outcome; observations and info only the agent's view
        out = score(self.reward_fn, split.evaluation, pending.task, pending.program, response=pending.response,
                    turn=1)
        return split, out

    def _info(self, pending: PendingStep, agent_view: ProgramEvaluation | None,
              reward_out: RewardOutput | None) -> dict[str, Any]:
        if agent_view is not None:
            info = step_info(agent_view.summary())
        else:
            info = step_info(dict(_EMPTY_SUMMARY, task_id=pending.task.task_id, error=pending.format_error))
        info["program"] = pending.program
        info["format_error"] = pending.format_error is not None
        info["evaluation"] = agent_view
        info[NO_HIDDEN_TESTS_KEY] = not pending.task.hidden_tests
        info[SUCCESS_KEY] = solved(agent_view)
        if reward_out is not None and reward_out.line_rewards is not None:
            info["line_rewards"] = list(reward_out.line_rewards)
        info["hacking"] = hacking_info(agent_view, pending.task, pending.program, process_signal(reward_out))
        return info

    def _observation(self, feedback: str) -> dict[str, str]:
        assert self.task is not None
        tests = render_tests(self.task.visible_tests) if self.show_visible_tests else ""
        return {
            "task_id": sanitize_text(self.task.task_id, MAX_ID_CHARS),
            "prompt": sanitize_text(self.task.prompt, MAX_PROMPT_CHARS),
            "tests": sanitize_text(tests, MAX_PROMPT_CHARS),
            "feedback": sanitize_text(feedback, MAX_FEEDBACK_CHARS),
        }

    def _render_text(self) -> str:
        if self.task is None:
            return "CodeGen-v0: not reset yet"
        parts = [f"=== task {self.task.task_id} ===", self.task.prompt.rstrip()]
        if self.show_visible_tests and self.task.visible_tests:
            parts += ["--- visible tests ---", render_tests(self.task.visible_tests)]
        if self._last_program is not None:
            parts += ["--- code ---", self._last_program.rstrip(), "--- feedback ---", self._last_feedback,
                      f"reward: {self._last_reward}"]
        return "\n".join(parts) + "\n"
