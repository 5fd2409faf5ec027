"""The base of the text envs (``CodeGen-v0``, ``CodeRefine-v0``): text actions, text observations, one step path.

A step is ``prepare_step`` (read the program out of the action, build its visible-tests and hidden-tests
requests), execution, and ``finish_step`` (combine the results, reward the full evaluation, observe the agent's
view). ``step`` does all three; batch callers (:class:`~codegym.envs.vector.BatchedCodeGenVectorEnv`, ``agents/``)
run the requests of many envs together in between. A subclass only says what a turn's reward is and whether the
episode ends (:meth:`TextCodeEnv._outcome`), and what it adds to observations and ``info``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from gymnasium import spaces

from codegym.envs.base import CodeEnv
from codegym.envs.config import check_choice, check_float
from codegym.envs.extraction import ACTION_FORMATS, ActionFormat, extract_code
from codegym.envs.feedback import render_tests, visible_feedback
from codegym.envs.info import (
    EMPTY_SUMMARY,
    NO_HIDDEN_TESTS_KEY,
    SUCCESS_KEY,
    hacking_info,
    process_signal,
    solved,
    step_info,
)
from codegym.envs.pending import PendingStep, register_waiting, run_missing
from codegym.envs.split import SplitEvaluation, combine_split, split_requests
from codegym.envs.taskpool import TaskPool, TaskSpec
from codegym.envs.text import (
    MAX_CODE_CHARS,
    MAX_FEEDBACK_CHARS,
    MAX_ID_CHARS,
    MAX_PROMPT_CHARS,
    check_text_action,
    sanitize_text,
    text_space,
)
from codegym.errors import EnvStateError

if TYPE_CHECKING:
    from codegym.envs.scoring import RewardFn
    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.base import RewardOutput
    from codegym.sandbox.api import ExecutionResult, Executor, Limits
    from codegym.tasks.model import Task


class TextCodeEnv(CodeEnv):
    """A task per episode, programs as text actions, observations as ``Dict`` of ``Text``.

    Owns the arguments both text envs take (``tasks``, ``visible``, ``show_visible_tests``, ``action_format``,
    ``reward``, ``format_error_reward``, ``executor``, ``limits``, ``render_mode``; see ``CodeGen-v0``), the
    observation fields ``task_id``, ``prompt``, ``tests`` and ``feedback``, the step path and rendering.
    """

    def __init__(self, tasks: TaskSpec, *, visible: int | float | None, show_visible_tests: bool,
                 action_format: ActionFormat, reward: RewardFn | None, format_error_reward: float,
                 executor: Executor | str | None, limits: Limits | dict[str, Any] | None, render_mode: str | None,
                 task_transform: Callable[[Task], Task] | None = None,
                 extra_observations: dict[str, spaces.Space] | None = None) -> None:
        self.action_format: ActionFormat = check_choice("action_format", action_format, ACTION_FORMATS)
        super().__init__(TaskPool(tasks, visible, transform=task_transform, env_name=self.env_id), reward=reward,
                         executor=executor, limits=limits, render_mode=render_mode)
        self.show_visible_tests = bool(show_visible_tests)
        self.format_error_reward = check_float("format_error_reward", format_error_reward)
        self.action_space = text_space(MAX_CODE_CHARS)
        self.observation_space = spaces.Dict({
            "task_id": text_space(MAX_ID_CHARS),
            "prompt": text_space(MAX_PROMPT_CHARS),
            "tests": text_space(MAX_PROMPT_CHARS),
            "feedback": text_space(MAX_FEEDBACK_CHARS),
            **(extra_observations or {}),
        })
        self.task: Task | None = None
        self.turn = 0  # submissions so far in this episode
        self._done = True
        self._feedback = ""
        self._history: list[tuple[str, str, float]] = []  # (code, feedback, step reward) per turn, for rendering

    # -- gymnasium API -------------------------------------------------------------------------------------------
    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = self.task_pool.pick(self.np_random, options)
        self.turn = 0
        self._done = False
        self._feedback = ""
        self._history = []
        self._reset_episode()
        if self.render_mode == "human":
            self.render()
        return self._observation(), self._reset_info()

    def step(self, action: str) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        pending = self._prepare(action, batchable=False)
        results = self.executor.run_many(pending.requests) if pending.requests else None
        return self.finish_step(pending, results)

    def prepare_step(self, action: str) -> PendingStep:
        """Extract the program and build its execution requests (no execution yet)."""
        return self._prepare(action, batchable=True)

    def finish_step(self, pending: PendingStep,
                    result: ExecutionResult | Sequence[ExecutionResult] | None = None,
                    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Score an executed :class:`~codegym.envs.pending.PendingStep` and observe it.

        ``result``: the results of ``pending.requests`` in order, or the one result of ``pending.request`` (the
        other request is then run here, batched with the other waiting steps), or None (everything runs here).
        """
        pending.accept(result)
        if pending.missing():
            run_missing(pending, self.executor)
        split, reward_out = self._score(pending)
        agent_view = split.agent_view if split is not None else None
        turn_reward = reward_out.reward if reward_out is not None else self.format_error_reward
        self._feedback = visible_feedback(agent_view, pending.format_error).text
        reward, terminated, truncated = self._outcome(agent_view, turn_reward)
        self._done = terminated or truncated
        self._history.append((pending.program if pending.program is not None else pending.response,
                              self._feedback, reward))
        info = self._info(pending, agent_view, reward_out)
        info.update(self._extra_info(turn_reward))
        if self.render_mode == "human":
            self.render()
        return self._observation(), reward, terminated, truncated, info

    # -- what subclasses define ----------------------------------------------------------------------------------
    def _reset_episode(self) -> None:
        """Reset the subclass's per-episode state."""

    def _outcome(self, agent_view: ProgramEvaluation | None, turn_reward: float) -> tuple[float, bool, bool]:
        """(step reward, terminated, truncated) of a turn whose program earned ``turn_reward``."""
        raise NotImplementedError

    def _extra_info(self, turn_reward: float) -> dict[str, Any]:
        """Keys a subclass adds to every step's info."""
        return {}

    def _extra_observation(self) -> dict[str, Any]:
        """Fields a subclass adds to the observation (declared through ``extra_observations``)."""
        return {}

    def _render_title(self) -> str:
        assert self.task is not None
        return f"=== task {self.task.task_id} ==="

    def _turn_label(self, number: int) -> str:
        """Prefix of a turn's sections in the rendering (``"turn 2: "``; none for a single-turn env)."""
        return ""

    # -- the step --------------------------------------------------------------------------------------------------
    def _prepare(self, action: str, batchable: bool) -> PendingStep:
        if self.task is None or self._done:
            raise EnvStateError(f"{self.env_id}: call reset() before step() and after the episode ends")
        response = check_text_action(action, self.env_id)
        program = extract_code(response, self.action_format)
        self.turn += 1
        if program is None:
            return PendingStep(self.task, response, None, "no fenced code block found in the response", None,
                               owner=self)
        split = split_requests(self.task, program, self.limits, self.executor)
        pending = PendingStep(self.task, response, program, None, split, owner=self)
        if batchable:
            register_waiting(pending)
        return pending

    def _score(self, pending: PendingStep) -> tuple[SplitEvaluation | None, RewardOutput | None]:
        if pending.program is None or pending.split is None:
            return None, None
        visible = pending.results.get("visible") if pending.split.visible is not None else None
        hidden = pending.results.get("hidden") if pending.split.hidden is not None else None
        split = combine_split(pending.split, visible, hidden)
        # the reward sees every outcome; observations and info only the agent's view
        out = self._reward(split.evaluation, pending.task, pending.program, response=pending.response,
                           turn=self.turn)
        return split, out

    def _reset_info(self) -> dict[str, Any]:
        assert self.task is not None
        return {"task_id": self.task.task_id, NO_HIDDEN_TESTS_KEY: not self.task.hidden_tests}

    def _info(self, pending: PendingStep, agent_view: ProgramEvaluation | None,
              reward_out: RewardOutput | None) -> dict[str, Any]:
        if agent_view is not None:
            info = step_info(agent_view.summary())
        else:
            info = step_info(dict(EMPTY_SUMMARY, task_id=pending.task.task_id, error=pending.format_error))
        info["program"] = pending.program
        info["format_error"] = pending.format_error is not None
        info["evaluation"] = agent_view
        info[NO_HIDDEN_TESTS_KEY] = not pending.task.hidden_tests
        info[SUCCESS_KEY] = solved(agent_view)
        if reward_out is not None:
            info["reward_output"] = reward_out
            if reward_out.line_rewards is not None:
                info["line_rewards"] = list(reward_out.line_rewards)
        info["hacking"] = hacking_info(agent_view, pending.task, pending.program, process_signal(reward_out))
        return info

    def _observation(self) -> dict[str, Any]:
        assert self.task is not None
        tests = render_tests(self.task.visible_tests) if self.show_visible_tests else ""
        return {
            "task_id": sanitize_text(self.task.task_id, MAX_ID_CHARS),
            "prompt": sanitize_text(self.task.prompt, MAX_PROMPT_CHARS),
            "tests": sanitize_text(tests, MAX_PROMPT_CHARS),
            "feedback": sanitize_text(self._feedback, MAX_FEEDBACK_CHARS),
            **self._extra_observation(),
        }

    def _render_text(self) -> str:
        if self.task is None:
            return f"{self.env_id}: not reset yet\n"
        parts = [self._render_title(), self.task.prompt.rstrip()]
        if self.show_visible_tests and self.task.visible_tests:
            parts += ["--- visible tests ---", render_tests(self.task.visible_tests)]
        for number, (code, feedback, reward) in enumerate(self._history, 1):
            label = self._turn_label(number)
            parts += [f"--- {label}code ---", code.rstrip(), f"--- {label}feedback ---", feedback,
                      f"reward: {reward}"]
        return "\n".join(parts) + "\n"
