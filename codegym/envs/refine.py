"""``CodeRefine-v0``: multi-turn refinement with execution feedback on the visible tests."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Literal

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from codegym.envs.codegen import _EMPTY_SUMMARY
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
    TaskPool,
    TaskSpec,
    check_render_mode,
    check_text_action,
    emit_render,
    hacking_info,
    process_signal,
    render_tests,
    resolve_limits,
    resolve_reward,
    run_split,
    sanitize_text,
    score,
    solved,
    step_info,
    text_space,
    visible_feedback,
)
from codegym.envs.extraction import ACTION_FORMATS, ActionFormat, extract_code

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

RewardMode = Literal["final", "improvement"]
REWARD_MODES: tuple[str, ...] = ("final", "improvement")


def with_feedback_tests(task: Task) -> Task:
    """``task`` with at least one visible test: refinement feedback must come from tests the agent may see.

    A task without visible tests first has its ``check(candidate)`` programs split into one test per assertion
    (HumanEval's single ``check`` becomes its assertions); then the first test becomes visible and the rest stay
    hidden. Only a task whose tests cannot be split into two or more ends up with no hidden tests: its one test is
    made visible, the reward is then computed on it (``info["no_hidden_tests"]`` is True, and the env warns once).
    """
    from codegym.tasks.formats._common import explode_check_tests

    if task.visible_tests or not task.hidden_tests:
        return task
    tests = explode_check_tests(task.hidden_tests)
    return dataclasses.replace(task, visible_tests=tests[:1], hidden_tests=tests[1:])


class CodeRefineEnv(ExecutorOwner, gym.Env):
    """Multi-turn code refinement: submit, read execution feedback on the visible tests, resubmit.

    ## Description

    ``reset`` picks a task like ``CodeGen-v0``. Each step submits a program; the env runs it twice, as two
    separate requests (so in separate sandbox processes): once on the visible tests, once on the hidden tests. Only
    the visible run's result becomes feedback in the next observation (failing test, expected vs actual, error type
    and message, its line, an stdout excerpt), so nothing the program does while a hidden test is in its process
    can reach the agent. The hidden run only decides rewards; ``info`` reports it as counts, pass rates and per-test
    status. A task without visible tests has its ``check(candidate)`` program split into one test per assertion
    and the first of them made visible, so that feedback exists while hidden tests remain (see
    :func:`with_feedback_tests`).

    ## Action Space

    ``Text(max_length=32768, charset=printable ASCII)``: a program or a model response, read according to
    ``action_format`` exactly as in ``CodeGen-v0``.

    ## Observation Space

    ``Dict``: ``task_id``, ``prompt``, ``tests`` (visible tests), ``feedback`` (verdict on the visible tests of the
    last submission; empty after reset), ``previous_code`` (the last submitted program; empty after reset) -- all
    ``Text`` -- and ``turn``: ``Discrete(max_turns + 1)``, the number of submissions so far.

    ## Rewards

    Let ``r_t`` be the configured reward function's value for turn ``t``'s program (default ``BinaryPassReward``:
    1.0 when every hidden test passes), ``r_0 = 0`` and ``r_t = format_error_reward`` for an answer without code.

    * ``reward_mode="final"`` (default): 0 on every turn but the last; the last turn (terminated or truncated) gets
      ``r_T``.
    * ``reward_mode="improvement"``: every turn gets ``r_t + improvement_coef * (r_t - r_{t-1})``.

    Both subtract ``turn_cost`` on every turn, so turn-control and credit-assignment studies are set up by kwargs.
    ``info["turn_reward"]`` always carries ``r_t``; ``info["success"]`` is True when the turn's program solved the
    task (as in ``CodeGen-v0``: every hidden test passed, or every test without hidden ones); ``info["hacking"]`` carries the reward-hacking signals of the
    turn's program (as in ``CodeGen-v0``); ``info["no_hidden_tests"]`` is True for a task whose tests could not be
    split so that one stays hidden (its reward is then computed on the visible tests; the env warns once).

    ## Episode End

    Terminates when the program passes every visible test. Truncates after ``max_turns`` submissions.

    ## Arguments

    ``tasks``, ``visible``, ``show_visible_tests``, ``action_format``, ``reward``, ``format_error_reward``,
    ``executor``, ``limits``, ``render_mode`` as in ``CodeGen-v0``, plus ``max_turns`` (default 4),
    ``reward_mode`` (``"final"`` | ``"improvement"``), ``improvement_coef`` (``c``, default 1.0) and
    ``turn_cost`` (default 0.0).

    ## Version History

    * v0: initial version.
    """

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(self, tasks: TaskSpec = "builtin", *, max_turns: int = 4, reward_mode: RewardMode = "final",
                 improvement_coef: float = 1.0, turn_cost: float = 0.0, visible: int | float | None = None,
                 show_visible_tests: bool = True, action_format: ActionFormat = "auto",
                 reward: RewardFn | None = None, format_error_reward: float = 0.0,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        if isinstance(max_turns, bool) or not isinstance(max_turns, int) or max_turns < 1:
            raise EnvConfigError(f"max_turns must be an int >= 1, not {max_turns!r}")
        if reward_mode not in REWARD_MODES:
            raise EnvConfigError(f"reward_mode must be one of {', '.join(REWARD_MODES)}, not {reward_mode!r}")
        if action_format not in ACTION_FORMATS:
            raise EnvConfigError(f"action_format must be one of {', '.join(ACTION_FORMATS)}, not {action_format!r}")
        render_mode = check_render_mode(render_mode, self.metadata["render_modes"], "CodeRefine-v0")
        self.task_pool = TaskPool(tasks, visible, transform=with_feedback_tests, env_name="CodeRefine-v0")
        self.max_turns = max_turns
        self.reward_mode: RewardMode = reward_mode
        self.improvement_coef = float(improvement_coef)
        self.turn_cost = float(turn_cost)
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
            "previous_code": text_space(MAX_CODE_CHARS),
            "turn": spaces.Discrete(max_turns + 1),
        })
        self.task: Task | None = None
        self.turn = 0
        self._done = True
        self._previous_reward = 0.0
        self._previous_code = ""
        self._feedback = ""
        self._history: list[tuple[str, str, float]] = []  # (code, feedback, step reward) for rendering

    @property
    def tasks(self) -> list[Task]:
        return self.task_pool.tasks

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
        super().reset(seed=seed)
        self.task = self.task_pool.pick(self.np_random, options)
        self.turn = 0
        self._done = False
        self._previous_reward = 0.0
        self._previous_code = ""
        self._feedback = ""
        self._history = []
        if self.render_mode == "human":
            self.render()
        return self._observation(), {"task_id": self.task.task_id, "turn": 0,
                                     NO_HIDDEN_TESTS_KEY: not self.task.hidden_tests}

    def step(self, action: str) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        if self.task is None or self._done:
            raise EnvStateError("CodeRefine-v0: call reset() before step() and after the episode ends")
        response = check_text_action(action, "CodeRefine-v0")
        program = extract_code(response, self.action_format)
        self.turn += 1
        agent_view: ProgramEvaluation | None = None
        line_rewards = None
        reward_out = None
        if program is None:
            format_error: str | None = "no fenced code block found in the response"
            turn_reward = self.format_error_reward
            passed_visible = False
        else:
            format_error = None
            # visible and hidden tests run as two requests: only the visible run reaches the observation
            split = run_split(self.task, program, self.executor, self.limits)
            agent_view = split.agent_view
            reward_out = score(self.reward_fn, split.evaluation, self.task, program, response=response, turn=self.turn)
            turn_reward, line_rewards = reward_out.reward, reward_out.line_rewards
            passed_visible = agent_view.visible_total > 0 and agent_view.visible_passed == agent_view.visible_total
        terminated = passed_visible
        truncated = not terminated and self.turn >= self.max_turns
        reward = self._step_reward(turn_reward, last=terminated or truncated)
        self._previous_reward = turn_reward
        feedback = visible_feedback(agent_view, format_error).text
        self._previous_code = program if program is not None else response
        self._feedback = feedback
        self._done = terminated or truncated
        self._history.append((self._previous_code, feedback, reward))

        info = step_info(agent_view.summary() if agent_view is not None
                         else dict(_EMPTY_SUMMARY, task_id=self.task.task_id, error=format_error))
        info.update(program=program, format_error=format_error is not None, evaluation=agent_view, turn=self.turn,
                    turn_reward=turn_reward)
        info[NO_HIDDEN_TESTS_KEY] = not self.task.hidden_tests
        info[SUCCESS_KEY] = solved(agent_view)
        if line_rewards is not None:
            info["line_rewards"] = list(line_rewards)
        info["hacking"] = hacking_info(agent_view, self.task, program, process_signal(reward_out))
        if self.render_mode == "human":
            self.render()
        return self._observation(), reward, terminated, truncated, info

    def _step_reward(self, turn_reward: float, last: bool) -> float:
        if self.reward_mode == "final":
            base = turn_reward if last else 0.0
        else:
            base = turn_reward + self.improvement_coef * (turn_reward - self._previous_reward)
        return float(base - self.turn_cost)

    def _observation(self) -> dict[str, Any]:
        assert self.task is not None
        tests = render_tests(self.task.visible_tests) if self.show_visible_tests else ""
        return {
            "task_id": sanitize_text(self.task.task_id, MAX_ID_CHARS),
            "prompt": sanitize_text(self.task.prompt, MAX_PROMPT_CHARS),
            "tests": sanitize_text(tests, MAX_PROMPT_CHARS),
            "feedback": sanitize_text(self._feedback, MAX_FEEDBACK_CHARS),
            "previous_code": sanitize_text(self._previous_code, MAX_CODE_CHARS),
            "turn": np.int64(self.turn),
        }

    def render(self) -> str | None:
        if self.render_mode not in self.metadata["render_modes"]:
            gym.logger.warn("CodeRefine-v0.render() needs render_mode='ansi' or 'human'")
            return None
        if self.task is None:
            text = "CodeRefine-v0: not reset yet\n"
        else:
            parts = [f"=== task {self.task.task_id} (turn {self.turn}/{self.max_turns}) ===", self.task.prompt.rstrip()]
            if self.show_visible_tests and self.task.visible_tests:
                parts += ["--- visible tests ---", render_tests(self.task.visible_tests)]
            for number, (code, feedback, reward) in enumerate(self._history, 1):
                parts += [f"--- turn {number}: code ---", code.rstrip(), f"--- turn {number}: feedback ---",
                          feedback, f"reward: {reward}"]
            text = "\n".join(parts) + "\n"
        return emit_render(self.render_mode, text)

