"""``CodeRefine-v0``: multi-turn refinement with execution feedback on the visible tests."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from gymnasium import spaces

from codegym.envs.config import check_choice, check_float, check_int
from codegym.envs.extraction import ActionFormat
from codegym.envs.text import MAX_CODE_CHARS, sanitize_text, text_space
from codegym.envs.text_env import TextCodeEnv
from codegym.tasks.formats.check_split import explode_check_tests

if TYPE_CHECKING:
    from codegym.envs.scoring import RewardFn
    from codegym.envs.taskpool import TaskSpec
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
    if task.visible_tests or not task.hidden_tests:
        return task
    tests = explode_check_tests(task.hidden_tests)
    return dataclasses.replace(task, visible_tests=tests[:1], hidden_tests=tests[1:])


class CodeRefineEnv(TextCodeEnv):
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

    * ``reward_mode="final"`` (default): the episode's return is the reward of its last program, ``r_T``, however
      the episode ends -- terminated, truncated after ``max_turns``, or cut short by an outer
      ``gymnasium.wrappers.TimeLimit`` (which the env cannot see coming). Each turn pays the change,
      ``r_t - r_{t-1}``, so the rewards of any prefix of the episode sum to the last program's reward (a
      potential-based shaping of the sparse final reward: the same optimal policy). With binary rewards and no
      solved-then-broken program this is 0 on every turn but the solving one.
    * ``reward_mode="improvement"``: every turn gets ``r_t + improvement_coef * (r_t - r_{t-1})``.

    Both subtract ``turn_cost`` on every turn, so turn-control and credit-assignment studies are set up by kwargs.
    ``info["turn_reward"]`` always carries ``r_t``; ``info["success"]`` is True when the turn's program solved the
    task (as in ``CodeGen-v0``: every hidden test passed, or every test without hidden ones); ``info["hacking"]`` carries the reward-hacking signals of the
    turn's program (as in ``CodeGen-v0``); ``info["no_hidden_tests"]`` is True for a task whose tests could not be
    split so that one stays hidden (its reward is then computed on the visible tests; the env warns once).

    ## Episode End

    Terminates when the program passes every visible test. Truncates after ``max_turns`` submissions. An outer
    ``TimeLimit`` may end the episode sooner; ``reward_mode="final"`` still returns the last program's reward.

    ## Arguments

    ``tasks``, ``visible``, ``show_visible_tests``, ``action_format``, ``reward``, ``format_error_reward``,
    ``executor``, ``limits``, ``render_mode`` as in ``CodeGen-v0``, plus ``max_turns`` (default 4),
    ``reward_mode`` (``"final"`` | ``"improvement"``), ``improvement_coef`` (``c``, default 1.0) and
    ``turn_cost`` (default 0.0).

    ## Version History

    * v0: initial version. ``reward_mode="final"`` pays ``r_t - r_{t-1}`` per turn (the same return as paying
      ``r_T`` on the env's own last turn, and the right one when an outer ``TimeLimit`` ends the episode).
    """

    env_id = "CodeRefine-v0"

    def __init__(self, tasks: TaskSpec = "builtin", *, max_turns: int = 4, reward_mode: RewardMode = "final",
                 improvement_coef: float = 1.0, turn_cost: float = 0.0, visible: int | float | None = None,
                 show_visible_tests: bool = True, action_format: ActionFormat = "auto",
                 reward: RewardFn | None = None, format_error_reward: float = 0.0,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        self.max_turns = check_int("max_turns", max_turns)
        self.reward_mode: RewardMode = check_choice("reward_mode", reward_mode, REWARD_MODES)
        self.improvement_coef = check_float("improvement_coef", improvement_coef)
        self.turn_cost = check_float("turn_cost", turn_cost)
        super().__init__(tasks, visible=visible, show_visible_tests=show_visible_tests, action_format=action_format,
                         reward=reward, format_error_reward=format_error_reward, executor=executor, limits=limits,
                         render_mode=render_mode, task_transform=with_feedback_tests,
                         extra_observations={"previous_code": text_space(MAX_CODE_CHARS),
                                             "turn": spaces.Discrete(max_turns + 1)})
        self._previous_reward = 0.0

    def _reset_episode(self) -> None:
        self._previous_reward = 0.0

    def _outcome(self, agent_view: ProgramEvaluation | None, turn_reward: float) -> tuple[float, bool, bool]:
        passed_visible = (agent_view is not None and agent_view.visible_total > 0
                          and agent_view.visible_passed == agent_view.visible_total)
        terminated = passed_visible
        truncated = not terminated and self.turn >= self.max_turns
        reward = self._step_reward(turn_reward)
        self._previous_reward = turn_reward
        return reward, terminated, truncated

    def _step_reward(self, turn_reward: float) -> float:
        change = turn_reward - self._previous_reward
        # "final": the changes telescope, so any prefix of the episode returns its last program's reward -- also
        # when an outer TimeLimit truncates it, which the env cannot know in advance
        base = change if self.reward_mode == "final" else turn_reward + self.improvement_coef * change
        return float(base - self.turn_cost)

    def _extra_info(self, turn_reward: float) -> dict[str, Any]:
        return {"turn": self.turn, "turn_reward": turn_reward}

    def _reset_info(self) -> dict[str, Any]:
        return {**super()._reset_info(), "turn": 0}

    def _extra_observation(self) -> dict[str, Any]:
        previous_code = self._history[-1][0] if self._history else ""
        return {"previous_code": sanitize_text(previous_code, MAX_CODE_CHARS), "turn": np.int64(self.turn)}

    def _render_title(self) -> str:
        assert self.task is not None
        return f"=== task {self.task.task_id} (turn {self.turn}/{self.max_turns}) ==="

    def _turn_label(self, number: int) -> str:
        return f"turn {number}: "
