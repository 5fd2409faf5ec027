"""``CodeGen-v0``: single-turn code generation (one program per episode, scored by its hidden tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codegym.envs.extraction import ActionFormat
from codegym.envs.pending import PendingStep
from codegym.envs.text_env import TextCodeEnv

if TYPE_CHECKING:
    from codegym.envs.scoring import RewardFn
    from codegym.envs.taskpool import TaskSpec
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import Executor, Limits

__all__ = ["CodeGenEnv", "PendingStep"]


class CodeGenEnv(TextCodeEnv):
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
      pooled and every ``check(candidate)`` program is split into one test per assertion (unless its assertions
      share data: then it stays whole); an int ``k`` makes the first ``k`` assertions visible, a float that
      fraction of them (rounded). At least one test always stays hidden: ``k`` is capped at ``n - 1``, so a task
      whose check cannot be split keeps its one test hidden.
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
    :func:`codegym.envs.info.hacking_info`) and, for reward wrappers, the agent's view ``ProgramEvaluation``
    under ``"evaluation"`` (``None`` on a format error). Nothing in ``info`` carries hidden-test text or output:
    ``error`` and ``failing_test`` come from the visible run, and hidden outcomes are reduced to index, kind,
    pass/fail and status (see :class:`codegym.envs.split.SplitEvaluation`); the reward function itself gets the
    full evaluation. Because the evaluation carries wall-clock timings and programs may behave
    nondeterministically, the registered spec is marked ``nondeterministic``.

    ## Version History

    * v0: initial version.
    """

    env_id = "CodeGen-v0"

    def __init__(self, tasks: TaskSpec = "builtin", *, visible: int | float | None = None,
                 show_visible_tests: bool = True, action_format: ActionFormat = "auto",
                 reward: RewardFn | None = None, format_error_reward: float = 0.0,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        super().__init__(tasks, visible=visible, show_visible_tests=show_visible_tests, action_format=action_format,
                         reward=reward, format_error_reward=format_error_reward, executor=executor, limits=limits,
                         render_mode=render_mode)

    def _outcome(self, agent_view: ProgramEvaluation | None, turn_reward: float) -> tuple[float, bool, bool]:
        return turn_reward, True, False  # one program per episode
