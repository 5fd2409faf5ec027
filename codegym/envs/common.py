"""Pieces every codegym env shares: text spaces, task pools, executor and reward resolution, feedback text.

Nothing here executes code by itself; envs build requests through :mod:`codegym.evaluation` and run them on an
:class:`~codegym.sandbox.api.Executor`.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Union

from codegym.errors import CodegymError

if TYPE_CHECKING:
    import numpy as np
    from gymnasium import spaces

    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.base import Reward, RewardOutput
    from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits, TestOutcome
    from codegym.tasks.model import Task, Test

#: Characters allowed in every text observation and action space: printable ASCII plus tab/newline/CR. Gymnasium's
#: ``Text`` space defaults to alphanumerics only, which would reject every real program; anything outside this set
#: is written as a Python-style backslash escape by :func:`sanitize_text`, so no information is dropped silently.
TEXT_CHARSET: str = string.printable

#: Caps on text fields (characters). Prompts of competitive-programming tasks run to a few thousand characters;
#: 32 KiB leaves room for long statements while keeping ``Text.sample()`` cheap.
MAX_PROMPT_CHARS = 32_768
MAX_CODE_CHARS = 32_768
MAX_FEEDBACK_CHARS = 8_192
MAX_ID_CHARS = 256

TaskSpec = Union[str, "os.PathLike[str]", "Task", Sequence["Task"], Callable[[], Any]]
RewardFn = Union["Reward", Callable[..., float]]


class EnvConfigError(CodegymError, ValueError):
    """A bad keyword argument to an env constructor; the message names the argument and the accepted values."""


class EnvStateError(CodegymError, RuntimeError):
    """An env method called in the wrong state (``step`` before ``reset``, or after the episode ended)."""


class ActionError(CodegymError, TypeError):
    """An action of the wrong type (envs take text actions: ``str``)."""


def sanitize_text(text: Any, max_chars: int) -> str:
    """``text`` as a string inside :data:`TEXT_CHARSET`, at most ``max_chars`` long.

    Characters outside the charset become backslash escapes (``é`` -> ``\\xe9``); over-long text is cut with a
    ``...[N chars truncated]`` marker so the cut is visible to the agent.
    """
    if text is None:
        return ""
    text = str(text)
    if not all(ch in _CHARSET_SET for ch in text):
        text = "".join(ch if ch in _CHARSET_SET else ch.encode("ascii", "backslashreplace").decode("ascii")
                       for ch in text)
        # control characters below 0x20 other than \t\n\r are ASCII, so backslashreplace leaves them: escape them
        text = "".join(ch if ch in _CHARSET_SET else f"\\x{ord(ch):02x}" for ch in text)
    if len(text) > max_chars:
        marker = f"\n...[{len(text) - max_chars} chars truncated]"
        keep = max(0, max_chars - len(marker))
        text = (text[:keep] + marker)[:max_chars]
    return text


_CHARSET_SET = frozenset(TEXT_CHARSET)


def text_space(max_length: int) -> spaces.Text:
    """A gymnasium ``Text`` space over :data:`TEXT_CHARSET` that accepts the empty string."""
    from gymnasium import spaces

    return spaces.Text(max_length=max_length, min_length=0, charset=TEXT_CHARSET)


def check_render_mode(render_mode: str | None, supported: Sequence[str], env_name: str) -> str | None:
    """Accept ``render_mode`` as gymnasium does: an unsupported mode (SB3's ``make_vec_env`` asks for
    ``"rgb_array"``) is only warned about, and ``render()`` then returns ``None``."""
    if render_mode is not None and render_mode not in supported:
        import gymnasium

        gymnasium.logger.warn(f"{env_name} renders only {', '.join(supported)}; render_mode={render_mode!r} will "
                              "render nothing")
    return render_mode


def check_text_action(action: Any, env_name: str) -> str:
    """The action as ``str``; anything else is an :class:`ActionError` that says what to pass."""
    if isinstance(action, bytes):
        return action.decode("utf-8", errors="replace")
    if isinstance(action, str):
        return action
    import numpy as np

    if isinstance(action, np.str_):
        return str(action)
    raise ActionError(f"{env_name} takes a text action (str: raw code or a model response with a fenced code "
                      f"block), got {type(action).__name__}")


# -- tasks -----------------------------------------------------------------------------------------------------

def resolve_tasks(tasks: TaskSpec, visible: int | float | None = None) -> list[Task]:
    """Materialise a task spec: a spec string (or path) for :func:`codegym.tasks.sources.load_tasks`, a Task, a
    list of Tasks, or a zero-argument callable returning one of those (a lazy loader).

    ``visible`` re-splits every task's tests with :func:`resplit_task`.
    """
    from codegym.tasks.model import Task

    if callable(tasks) and not isinstance(tasks, Task):
        tasks = tasks()  # a zero-argument loader, called on first use
    if isinstance(tasks, Task):
        loaded = [tasks]
    elif isinstance(tasks, (str, os.PathLike)):
        try:
            from codegym.tasks.sources import load_tasks
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
            raise EnvConfigError(f"tasks={tasks!r} needs codegym.tasks.sources, which is not installed; "
                                 "pass a list of codegym Task objects instead") from exc
        loaded = list(load_tasks(tasks))
    elif isinstance(tasks, Sequence):
        loaded = list(tasks)
        bad = [type(t).__name__ for t in loaded if not isinstance(t, Task)]
        if bad:
            raise EnvConfigError(f"tasks= must hold codegym Task objects, found {', '.join(sorted(set(bad)))}")
    else:
        raise EnvConfigError(f"tasks= takes a source spec (str, e.g. 'builtin'), a Task or a list of Tasks, "
                             f"not {type(tasks).__name__}")
    if not loaded:
        raise EnvConfigError(f"tasks={tasks!r} holds no tasks; pass a non-empty source or list")
    if visible is not None:
        loaded = [resplit_task(task, visible) for task in loaded]
    return loaded


def resplit_task(task: Task, visible: int | float) -> Task:
    """``task`` with its tests re-split by ``visible=``: the tests are pooled (visible first), every
    ``check(candidate)`` assert test is split into one test per assertion, then an int ``k`` makes the first ``k``
    of them visible and a float that fraction (rounded). At least one test always stays hidden: ``k`` is capped at
    ``n - 1``, so a task whose tests cannot be split into two or more keeps its single test hidden."""
    import dataclasses

    from codegym.tasks.formats._common import explode_check_tests, split_keep_hidden

    shown, hidden = split_keep_hidden(explode_check_tests(task.all_tests), visible)
    return dataclasses.replace(task, visible_tests=shown, hidden_tests=hidden)


def check_visible_arg(visible: Any) -> int | float | None:
    """Validate an env's ``visible=`` kwarg: ``None``, an int >= 0 or a float in [0, 1]."""
    if visible is None:
        return None
    if isinstance(visible, bool) or not isinstance(visible, (int, float)):
        raise EnvConfigError(f"visible= takes a test count (int) or a fraction (float), not {visible!r}")
    if isinstance(visible, int) and visible < 0:
        raise EnvConfigError(f"visible= must be >= 0, not {visible}")
    if isinstance(visible, float) and not 0.0 <= visible <= 1.0:
        raise EnvConfigError(f"a visible= fraction must be in [0, 1], not {visible}")
    return visible


#: ``info`` key, in every ``reset`` and ``step`` info of ``CodeGen-v0`` and ``CodeRefine-v0``: True when the task
#: has no hidden tests, so its reward is computed on the visible tests (which the agent sees).
NO_HIDDEN_TESTS_KEY = "no_hidden_tests"


class TaskPool:
    """Tasks of an env, loaded on first use (so constructing or registering an env never reads a dataset).

    ``transform`` is applied to every task once, after loading and the ``visible=`` re-split. When some tasks end
    up without hidden tests, ``env_name`` is used in a one-time warning (at load) that their reward is computed on
    the visible tests; envs report it per episode in ``info["no_hidden_tests"]``.
    """

    def __init__(self, tasks: TaskSpec, visible: int | float | None = None,
                 transform: Callable[[Task], Task] | None = None, env_name: str | None = None) -> None:
        self._spec = tasks
        self._visible = check_visible_arg(visible)
        self._transform = transform
        self._env_name = env_name
        self._tasks: list[Task] | None = None
        self._by_id: dict[str, int] | None = None

    @property
    def tasks(self) -> list[Task]:
        if self._tasks is None:
            tasks = resolve_tasks(self._spec, self._visible)
            if self._transform is not None:
                tasks = [self._transform(t) for t in tasks]
            self._tasks = tasks
            self._by_id = {t.task_id: i for i, t in enumerate(self._tasks)}
            if self._env_name is not None:
                warn_no_hidden_tests(self._env_name, self._tasks)
        return self._tasks

    def __len__(self) -> int:
        return len(self.tasks)

    def pick(self, rng: np.random.Generator, options: dict[str, Any] | None) -> Task:
        """The task named by ``options["task_id"]`` (or ``options["task_index"]``), else one drawn with ``rng``."""
        tasks = self.tasks
        options = options or {}
        if options.get("task_id") is not None:
            assert self._by_id is not None
            index = self._by_id.get(str(options["task_id"]))
            if index is None:
                from codegym.errors import UnknownTaskError

                sample = ", ".join(list(self._by_id)[:5])
                raise UnknownTaskError(f"task_id {options['task_id']!r} is not in this env's tasks "
                                       f"({len(tasks)} tasks, e.g. {sample})")
            return tasks[index]
        if options.get("task_index") is not None:
            index = int(options["task_index"])
            if not 0 <= index < len(tasks):
                raise EnvConfigError(f"task_index {index} is out of range; this env has {len(tasks)} tasks")
            return tasks[index]
        return tasks[int(rng.integers(len(tasks)))]


def warn_no_hidden_tests(env_name: str, tasks: Sequence[Task]) -> None:
    """One warning naming the tasks that have no hidden tests (their reward is computed on visible tests)."""
    import warnings

    bare = [t.task_id for t in tasks if not t.hidden_tests and t.visible_tests]
    if not bare:
        return
    sample = ", ".join(bare[:5]) + (f" and {len(bare) - 5} more" if len(bare) > 5 else "")
    warnings.warn(f"{env_name}: {len(bare)} of {len(tasks)} tasks have no hidden tests ({sample}): their tests "
                  "could not be split so that one stays hidden, so the reward for them is computed on the visible "
                  "tests, which the agent sees; info['no_hidden_tests'] is True in their episodes",
                  UserWarning, stacklevel=4)


# -- executor, limits, rewards ---------------------------------------------------------------------------------

def resolve_executor(executor: Executor | str | None) -> Executor:
    """An Executor instance, a backend name for :func:`codegym.sandbox.get_executor`, or ``None`` for the default."""
    from codegym.sandbox import default_executor, get_executor
    from codegym.sandbox.api import Executor

    if executor is None:
        return default_executor()
    if isinstance(executor, Executor):
        return executor
    if isinstance(executor, str):
        try:
            return get_executor(executor)
        except ValueError as exc:
            raise EnvConfigError(str(exc)) from None
    raise EnvConfigError(f"executor= takes an Executor, a backend name ('local', 'docker', 'ray') or None, "
                         f"not {type(executor).__name__}")


class ExecutorOwner:
    """Mixin for envs: the executor they were given, created on first use, closed with them only if theirs.

    ``executor=`` takes an :class:`~codegym.sandbox.api.Executor` (shared, never closed by the env), a backend name
    (the env creates that executor and closes it in :meth:`close`), or ``None`` (the process-wide default).
    """

    _executor_spec: Executor | str | None
    _executor: Executor | None
    _owns_executor: bool

    def _init_executor(self, executor: Executor | str | None) -> None:
        self._executor_spec = executor
        self._executor = None
        self._owns_executor = isinstance(executor, str)

    @property
    def executor(self) -> Executor:
        """The executor (created or fetched on first use)."""
        if self._executor is None:
            self._executor = resolve_executor(self._executor_spec)
        return self._executor

    def close(self) -> None:
        if self._owns_executor and self._executor is not None:
            self._executor.close()
        self._executor = None


def emit_render(render_mode: str | None, text: str) -> str | None:
    """Gymnasium's text render contract: ``ansi`` returns the text, ``human`` prints it."""
    if render_mode == "ansi":
        return text
    print(text)
    return None


def resolve_limits(limits: Limits | dict[str, Any] | None) -> Limits | None:
    """``Limits``, a dict of ``Limits`` fields, or ``None`` (executor defaults)."""
    from codegym.sandbox.api import Limits

    if limits is None or isinstance(limits, Limits):
        return limits
    if isinstance(limits, dict):
        try:
            return Limits(**limits)
        except TypeError as exc:
            raise EnvConfigError(f"limits= dict has a field Limits does not know: {exc}") from None
    raise EnvConfigError(f"limits= takes a codegym Limits, a dict of its fields or None, not {type(limits).__name__}")


def resolve_reward(reward: RewardFn | None) -> RewardFn:
    """The reward to use: a :class:`~codegym.rewards.base.Reward`, a callable, or ``None`` for ``BinaryPassReward``."""
    from codegym.rewards.base import BinaryPassReward

    if reward is None:
        return BinaryPassReward()
    if not callable(reward):
        raise EnvConfigError("reward= takes a codegym Reward or a callable "
                             "(evaluation, task, program, **context) -> float")
    return reward


def score(reward: RewardFn, evaluation: ProgramEvaluation, task: Task, program: str,
          **context: Any) -> RewardOutput:
    """Apply a Reward (keeping its per-line rewards) or a plain callable; the scalar is always a finite float."""
    import math

    from codegym.rewards.base import Reward, RewardOutput

    if isinstance(reward, Reward):
        out = reward.compute(evaluation, task, program, **context)
    else:
        out = RewardOutput(float(reward(evaluation, task, program, **context)))
    value = float(out.reward)
    if not math.isfinite(value):
        raise EnvConfigError(f"the reward function returned {value}; rewards must be finite floats")
    out.reward = value
    return out


# -- feedback text ---------------------------------------------------------------------------------------------

def render_test(test: Test) -> str:
    """One test as the agent sees it (a call with its expected value, stdin/stdout, or an assert program)."""
    kind = getattr(test, "kind", "")
    if kind == "call":
        args = ", ".join([*(repr(a) for a in test.args), *(f"{k}={v!r}" for k, v in test.kwargs.items())])
        return f"{test.entry_point}({args}) == {test.expected!r}"
    if kind == "stdio":
        return f"input:\n{test.stdin.rstrip()}\nexpected output:\n{test.expected_stdout.rstrip()}"
    return str(getattr(test, "code", test)).strip()


def render_tests(tests: Sequence[Test]) -> str:
    """The visible tests as a numbered list (empty string when there are none)."""
    return "\n".join(f"# test {i + 1}\n{render_test(t)}" for i, t in enumerate(tests))


def render_outcome(outcome: TestOutcome, max_excerpt: int = 600) -> str:
    """Execution feedback for one failing test: what ran, expected vs actual, the error and its line, stdout."""
    parts = [f"test {outcome.index + 1}{f' ({outcome.name})' if outcome.name else ''}: {outcome.status}"]
    if outcome.call:
        parts.append(f"call: {outcome.call[:max_excerpt]}")
    if outcome.stdin:
        parts.append(f"input: {outcome.stdin[:max_excerpt]}")
    if outcome.expected is not None:
        parts.append(f"expected: {outcome.expected[:max_excerpt]}")
    if outcome.actual is not None:
        parts.append(f"actual: {outcome.actual[:max_excerpt]}")
    if outcome.error_type or outcome.message:
        message = outcome.message or ""
        # executors often put the type in the message already ("ZeroDivisionError: division by zero")
        error = message if outcome.error_type and message.startswith(outcome.error_type) else \
            ": ".join(x for x in (outcome.error_type, message) if x)
        parts.append(f"error: {error[:max_excerpt]}")
    if outcome.line is not None:
        parts.append(f"line: {outcome.line}")
    if outcome.stdout:
        parts.append(f"stdout: {outcome.stdout[:max_excerpt]}")
    return "\n".join(parts)


@dataclass
class Feedback:
    """Feedback on the visible tests of one submission (what a refinement agent reads)."""

    text: str
    visible_passed: int
    visible_total: int


def visible_feedback(evaluation: ProgramEvaluation | None, format_error: str | None = None) -> Feedback:
    """Feedback text from the visible outcomes only.

    ``evaluation`` is the agent's view of a split run (:attr:`SplitEvaluation.agent_view`): its visible outcomes
    and request-level output come from a request that held no hidden test. Without visible tests the text says
    only whether the program parses (checked here, without running anything).
    """
    if format_error is not None:
        return Feedback(f"format error: {format_error}", 0, 0)
    assert evaluation is not None
    outcomes = evaluation.visible_outcomes
    passed = sum(o.passed for o in outcomes)
    if not outcomes:
        error = syntax_error_text(evaluation.program)
        text = f"no visible tests; program status: {'syntax_error' if error else 'parses'}"
        if error:
            text += f"\nerror: {error[:600]}"
        return Feedback(text, 0, 0)
    lines = [f"visible tests passed: {passed}/{len(outcomes)}"]
    failing = next((o for o in outcomes if not o.passed), None)
    if failing is not None:
        if evaluation.result.error and failing.message is None:
            lines.append(f"error: {evaluation.result.error[:600]}")
        lines.append(render_outcome(failing))
    return Feedback("\n".join(lines), passed, len(outcomes))


def syntax_error_text(program: str) -> str | None:
    """``"SyntaxError on line N: message"`` when ``program`` does not parse, else None (parsing runs nothing)."""
    from codegym.parsing import parse_python

    try:
        parse_python(program, "<solution>")
    except SyntaxError as exc:
        return f"{type(exc).__name__} on line {exc.lineno}: {exc.msg}"
    except (ValueError, MemoryError, RecursionError) as exc:
        return f"{type(exc).__name__}: {str(exc)[:200]}"
    return None


# -- split execution: visible tests for the agent, hidden tests for the reward ---------------------------------

@dataclass
class SplitRequests:
    """The executions of one program on one task, visible and hidden tests in separate requests.

    A request runs in its own sandbox process(es), so the program never runs in a process that holds a hidden test
    while its output (stdout, stderr, exception messages, tracebacks, assertion text, timing) can reach the agent:
    only ``visible``'s result feeds observations; ``hidden``'s feeds the reward and the pass/fail counts of info.
    ``visible`` is None when the task has no visible tests (unless it has no tests at all: then it runs the bare
    program), ``hidden`` when it has no hidden tests.
    """

    task_id: str
    program: str
    visible: ExecutionRequest | None
    hidden: ExecutionRequest | None
    n_visible: int

    @property
    def requests(self) -> list[ExecutionRequest]:
        """The requests to run, visible first (what :func:`combine_split` takes results for, in this order)."""
        return [r for r in (self.visible, self.hidden) if r is not None]


def split_requests(task: Task, program: str, limits: Limits | None = None) -> SplitRequests:
    """Build the visible-tests request and the hidden-tests request for ``program`` (nothing runs yet)."""
    from codegym.evaluation import build_request

    visible = hidden = None
    if task.visible_tests or not task.hidden_tests:
        visible, _ = build_request(task, program, "visible", limits)
        visible.request_id = f"{task.task_id}#visible"
    if task.hidden_tests:
        hidden, _ = build_request(task, program, "hidden", limits)
        hidden.request_id = f"{task.task_id}#hidden"
    return SplitRequests(task.task_id, program, visible, hidden, len(task.visible_tests))


@dataclass
class SplitEvaluation:
    """A split run put back together.

    ``evaluation`` has every outcome in full (visible first, then hidden, as ``ProgramEvaluation`` expects); only
    the reward function gets it. ``agent_view`` is what observations and ``info`` may carry: visible outcomes and
    the request-level output (stdout, stderr, error, timings) of the visible request in full, and each hidden
    outcome reduced to its index, kind, pass/fail and status -- no test text, messages, values, output or timing.
    """

    evaluation: ProgramEvaluation
    agent_view: ProgramEvaluation


#: Overall status when the two requests fail in different ways (the executor's own precedence within a request).
_STATUS_PRECEDENCE = ("sandbox_error", "syntax_error", "memory_limit", "output_limit", "timeout", "runtime_error",
                      "failed")


def _overall_status(results: Sequence[ExecutionResult]) -> str:
    failing = {r.status for r in results if r.status != "passed"}
    if not failing:
        return "passed"
    return next((s for s in _STATUS_PRECEDENCE if s in failing), sorted(failing)[0])


def _redacted_outcome(outcome: TestOutcome, index: int) -> TestOutcome:
    """A hidden outcome as the agent may see it: a fresh object with only its index, kind, verdict and status
    (built field by field, so a field added to ``TestOutcome`` later is never copied by accident)."""
    from codegym.sandbox.api import TestOutcome

    return TestOutcome(index=index, kind=outcome.kind, passed=bool(outcome.passed), status=outcome.status)


def _complete_outcomes(request: ExecutionRequest | None, result: ExecutionResult | None,
                       offset: int) -> list[TestOutcome]:
    """The outcomes of one request, one per test it held (a test without a reported outcome counts as failed, so
    a broken run can never make the hidden tests look absent), indexed from ``offset``."""
    import dataclasses

    from codegym.sandbox.api import TestOutcome

    if request is None or result is None:
        return []
    tests = list(request.tests)
    outcomes = [dataclasses.replace(o, index=offset + i) for i, o in enumerate(result.tests[:len(tests)])]
    status = result.status if result.status != "passed" else "sandbox_error"
    for i in range(len(outcomes), len(tests)):
        outcomes.append(TestOutcome(index=offset + i, kind=getattr(tests[i], "kind", "assert"), passed=False,
                                    status=status, message="the executor reported no outcome for this test"))
    return outcomes


def combine_split(split: SplitRequests, visible_result: ExecutionResult | None,
                  hidden_result: ExecutionResult | None) -> SplitEvaluation:
    """The full evaluation (for the reward) and the agent's view (for observations and info) of a split run."""
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import ExecutionResult

    if split.visible is not None and visible_result is None:
        raise ValueError("combine_split needs the visible request's result")
    if split.hidden is not None and hidden_result is None:
        raise ValueError("combine_split needs the hidden request's result")
    ran = [r for r in (visible_result, hidden_result) if r is not None]
    visible_tests = _complete_outcomes(split.visible, visible_result, 0)
    n_visible = len(visible_tests)
    hidden_tests = _complete_outcomes(split.hidden, hidden_result, n_visible)
    first = ran[0]
    full = ExecutionResult(
        status=_overall_status(ran),
        tests=[*visible_tests, *hidden_tests],
        stdout="".join(r.stdout for r in ran), stderr="".join(r.stderr for r in ran),
        wall_time_s=sum(r.wall_time_s for r in ran), cpu_time_s=sum(r.cpu_time_s for r in ran),
        peak_memory_mb=max(r.peak_memory_mb for r in ran), isolation=first.isolation, backend=first.backend,
        error=next((r.error for r in ran if r.error), None), request_id=split.task_id)
    seen = visible_result
    public = ExecutionResult(
        status=full.status,
        tests=[*visible_tests, *(_redacted_outcome(o, o.index) for o in hidden_tests)],
        stdout=seen.stdout if seen is not None else "", stderr=seen.stderr if seen is not None else "",
        wall_time_s=seen.wall_time_s if seen is not None else 0.0,
        cpu_time_s=seen.cpu_time_s if seen is not None else 0.0,
        peak_memory_mb=seen.peak_memory_mb if seen is not None else 0.0,
        isolation=first.isolation, backend=first.backend,
        error=seen.error if seen is not None else syntax_error_text(split.program), request_id=split.task_id)
    return SplitEvaluation(ProgramEvaluation(split.task_id, split.program, full, n_visible, "all"),
                           ProgramEvaluation(split.task_id, split.program, public, n_visible, "all"))


def run_split(task: Task, program: str, executor: Executor, limits: Limits | None = None) -> SplitEvaluation:
    """Run ``program`` on ``task``'s visible and hidden tests as two requests (in parallel) and combine them."""
    split = split_requests(task, program, limits)
    results = executor.run_many(split.requests)
    return combine_split(split, *split_results(split, results))


def split_results(split: SplitRequests,
                  results: Sequence[ExecutionResult]) -> tuple[ExecutionResult | None, ExecutionResult | None]:
    """(visible result, hidden result) from the results of ``split.requests``, in that order."""
    results = list(results)
    if len(results) != len(split.requests):
        raise ValueError(f"expected {len(split.requests)} results for the split run, got {len(results)}")
    visible = results.pop(0) if split.visible is not None else None
    hidden = results.pop(0) if split.hidden is not None else None
    return visible, hidden


#: ``info`` key set on every step of every env (the coder's info in ``CoderTester-v0``): True when the episode
#: solved its task. This is the one definition of success that agents, benchmarks and rollouts read.
SUCCESS_KEY = "success"


def solved(evaluation: ProgramEvaluation | None) -> bool:
    """Whether a program solved its task: every test its reward is computed on passed -- the hidden tests when
    the task has any, else all its tests (:attr:`ProgramEvaluation.hidden_all_passed`). ``None`` (nothing ran,
    e.g. a format error) is not a success. The agent's view suffices: hidden outcomes keep their verdict."""
    return evaluation is not None and bool(evaluation.hidden_all_passed)


#: Summary keys whose value is a rate that may be missing; ``info`` carries NaN instead of None for them.
_RATE_KEYS = ("visible_pass_rate", "hidden_pass_rate", "visible_hidden_gap")


def step_info(summary: dict[str, Any]) -> dict[str, Any]:
    """An evaluation summary shaped for ``info``: missing rates are NaN (not None) and ``failing_test`` is ``{}``
    when nothing failed, so every step's info has the same value types and gymnasium's vector envs can batch it
    (their info batching cannot mix None with floats or dicts)."""
    info = dict(summary)
    for key in _RATE_KEYS:
        if key in info and info[key] is None:
            info[key] = float("nan")
    if info.get("failing_test") is None:
        info["failing_test"] = {}
    return info


def summary_json(evaluation: ProgramEvaluation) -> str:
    """The evaluation summary as compact JSON (for ``ansi`` rendering)."""
    return json.dumps({k: v for k, v in evaluation.summary().items() if k != "failing_test"})


#: ``info["hacking"]`` keys whose value is a number that may be missing; ``info`` carries NaN instead of None.
_HACKING_RATE_KEYS = ("visible_hidden_gap", "process_score", "disagreement")


def process_signal(out: RewardOutput | None) -> list[float] | None:
    """The per-line process signal of a reward's output, for the process/outcome disagreement.

    A shaped reward (:class:`~codegym.rewards.shaping.ShapedReward`) scales its line rewards by a weight that
    depends on the outcome, so its unweighted per-line signal (``info["process_line_rewards"]``) is preferred;
    otherwise the line rewards themselves. ``None`` when the reward has no process signal.
    """
    if out is None:
        return None
    raw = out.info.get("process_line_rewards") if isinstance(out.info, dict) else None
    if raw is not None:
        return list(raw)
    return list(out.line_rewards) if out.line_rewards is not None else None


def hacking_info(evaluation: ProgramEvaluation | None, task: Task | None, program: str | None,
                 line_rewards: Sequence[float | None] | None = None) -> dict[str, Any]:
    """:func:`codegym.rewards.hacking.hacking_report` shaped for ``info["hacking"]``.

    Every step gets the same keys and value types so gymnasium's vector envs can batch them: missing numbers
    (no visible or no hidden tests, no process signal) are NaN, ``disagrees`` is False without a process signal
    (``disagreement`` is NaN then, which is how :func:`~codegym.rewards.hacking.hacking_summary` tells the two
    apart), and ``n_test_literals`` counts the ``test_literals`` entries.
    """
    from codegym.rewards.hacking import hacking_report

    report = hacking_report(evaluation, task, program, line_rewards)
    for key in _HACKING_RATE_KEYS:
        if report.get(key) is None:
            report[key] = float("nan")
    report["disagrees"] = bool(report.get("disagrees"))
    report["n_test_literals"] = len(report["test_literals"])
    return report
