"""``CodeGenTokens-v0``: token-by-token program generation with ``Discrete`` actions, for Stable-Baselines3.

The agent writes the *body* of the task's function one token per step; the program is the task's completion prefix
(signature and docstring) plus the decoded body. The vocabulary (:mod:`codegym.envs.tokens.vocabulary`) and the
mask grammar (:mod:`codegym.envs.tokens.grammar`) live beside this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from gymnasium import spaces

from codegym.envs.base import CodeEnv
from codegym.envs.config import check_float, check_int, check_kwargs
from codegym.envs.info import SUCCESS_KEY, hacking_info, process_signal, solved, step_info
from codegym.envs.taskpool import TaskPool
from codegym.envs.tokens.vocabulary import CodeVocabulary, TaskBinding, Tokenizer, bind_task
from codegym.errors import ActionError, EnvConfigError, EnvStateError
from codegym.rewards import placement

if TYPE_CHECKING:
    from codegym.envs.scoring import RewardFn
    from codegym.envs.split import SplitEvaluation
    from codegym.envs.taskpool import TaskSpec
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

__all__ = ["CodeGenTokensEnv", "make_tokens_env"]


@dataclass
class _Episode:
    task: Task
    binding: TaskBinding
    prompt_ids: list[int]
    actions: list[int] = field(default_factory=list)
    done: bool = False
    illegal: int = 0


class CodeGenTokensEnv(CodeEnv):
    """Token-level code generation for Stable-Baselines3 (and any ``Discrete``-action RL library).

    ## Description

    ``reset`` picks a task (default: generated micro tasks of levels 0-1, ``tasks="micro:200:..."`` style specs or
    Task lists work too). The agent emits the function body one token per step; the program is the task's
    completion prefix (signature + docstring) plus the decoded body, run against the task's tests when the episode
    ends.

    ## Action Space

    ``Discrete(tokenizer.n_actions)``. With a :class:`CodeVocabulary`: ``<eos>``, ``<newline>``,
    ``<dedent>``, slot tokens (``<fn>``, ``<arg0..3>``, ``<num0..3>``, ``<str0..3>`` -- bound per task) and whole code
    tokens. Masked actions (see ``action_masks()``) are ignored if taken (no token is written) but still count
    towards the length cap.

    ## Observation Space

    ``Dict``:

    * ``tokens``: ``Box(0, vocab_size - 1, (prompt_tokens + max_tokens,), int64)`` -- the prompt's ids (signature
      slots, ``<sep>``, description words) padded with ``<pad>`` to ``prompt_tokens``, then the emitted ids padded to
      ``max_tokens``.
    * ``action_mask``: ``MultiBinary(n_actions)`` -- 1 for allowed actions. ``action_masks()`` returns the same as a
      bool array for sb3-contrib's ``MaskablePPO``.

    ## Rewards

    0 on every step except the last, which gets the reward function's value for the program (default
    ``BinaryPassReward``). With ``dense_line_rewards=True`` and a reward that returns per-line rewards, the program so
    far is also scored each time a line is completed and that line's reward lands on its ``<newline>`` token (the
    last line's on the final token); ``info["token_rewards"]`` always lists the per-token rewards the reward
    function implies at the end (per-line rewards on each line's last token, the scalar on the final token; the
    placement of :mod:`codegym.rewards.placement`, the same the agents' PPO uses).
    A reward whose scalar already includes its line rewards (``RewardOutput.line_rewards_in_value``, as
    ``ShapedReward`` sets) is not paid twice: the final token gets the scalar minus the line rewards already
    placed on tokens (minus those paid on the dense steps, with ``dense_line_rewards``), so the episode return is
    the scalar. The final step's ``info["hacking"]`` holds the reward-hacking signals (as in ``CodeGen-v0``) and
    ``info["reward_output"]`` the reward's :class:`~codegym.rewards.base.RewardOutput`;
    ``info["success"]`` is False on every step but the final one, where it says whether the program solved the
    task (as in ``CodeGen-v0``).

    ## Episode End

    Terminates on ``<eos>``; truncates after ``max_tokens`` actions (the program so far is still run and scored).

    ## Arguments

    * ``tasks``: task spec or list (default ``"micro:500:..."``-equivalent: 500 micro tasks of levels 0 and 1).
    * ``tokenizer``: a :class:`Tokenizer`; default :meth:`CodeVocabulary.for_micro_levels` ``((0, 1))`` (39
      actions) with the default tasks, :meth:`CodeVocabulary.default` (120 actions, every micro level) otherwise.
      ``CodeVocabulary.from_tasks(tasks, base=())`` builds a compact one for any completion-style tasks.
    * ``max_tokens`` (32), ``prompt_tokens`` (48): observation lengths.
    * ``reward``, ``executor``, ``limits``, ``render_mode`` as in ``CodeGen-v0``; ``dense_line_rewards`` (False).
    * ``illegal_action_reward`` (0.0): added on every step whose action the mask forbids -- a small negative value
      teaches a learner that ignores masks (plain PPO) to write grammatical tokens instead of stalling on no-ops.

    ## Version History

    * v0: initial version.
    """

    env_id = "CodeGenTokens-v0"

    def __init__(self, tasks: TaskSpec | None = None, *, tokenizer: Tokenizer | None = None, max_tokens: int = 32,
                 prompt_tokens: int = 48, reward: RewardFn | None = None, dense_line_rewards: bool = False,
                 illegal_action_reward: float = 0.0,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        self.max_tokens = check_int("max_tokens", max_tokens)
        self.prompt_tokens = check_int("prompt_tokens", prompt_tokens)
        if tokenizer is None:
            # the default tasks (micro levels 0-1) get the compact vocabulary; any other tasks the general one
            tokenizer = CodeVocabulary.for_micro_levels((0, 1)) if tasks is None else CodeVocabulary.default()
        if not isinstance(tokenizer, Tokenizer):
            raise EnvConfigError("tokenizer= must implement codegym.envs.tokens.Tokenizer")
        if tasks is None:
            tasks = _default_token_tasks  # called on the first reset
        super().__init__(TaskPool(tasks), reward=reward, executor=executor, limits=limits, render_mode=render_mode)
        self.tokenizer: Tokenizer = tokenizer
        self.dense_line_rewards = bool(dense_line_rewards)
        self.illegal_action_reward = check_float("illegal_action_reward", illegal_action_reward)
        self.action_space = spaces.Discrete(self.tokenizer.n_actions)
        self.observation_space = spaces.Dict({
            "tokens": spaces.Box(0, self.tokenizer.vocab_size - 1, (prompt_tokens + max_tokens,), np.int64),
            "action_mask": spaces.MultiBinary(self.tokenizer.n_actions),
        })
        self._episode: _Episode | None = None
        self._last_reward: float | None = None
        self._last_line_rewards: dict[int, float] = {}

    @property
    def task(self) -> Task | None:
        return self._episode.task if self._episode else None

    def reset(self, *, seed: int | None = None,
              options: dict[str, Any] | None = None) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        super().reset(seed=seed)
        task = self.task_pool.pick(self.np_random, options)
        if task.completion_prefix is None:
            raise EnvConfigError(f"CodeGenTokens-v0 writes function bodies, so tasks need a completion_prefix (the "
                                 f"signature and docstring); {task.task_id} has none. Use completion-style tasks "
                                 "such as micro or HumanEval, or CodeGen-v0 for whole programs.")
        binding = bind_task(task)
        self._episode = _Episode(task, binding, self.tokenizer.encode_prompt(task, binding)[: self.prompt_tokens])
        self._last_reward = None
        self._last_line_rewards = {}
        if self.render_mode == "human":
            self.render()
        return self._observation(), {"task_id": task.task_id}

    def action_masks(self) -> np.ndarray:
        """Allowed actions as a bool array (sb3-contrib ``MaskablePPO`` calls this)."""
        if self._episode is None:
            raise EnvStateError("CodeGenTokens-v0: call reset() first")
        return self.tokenizer.action_mask(self._episode.actions, self._episode.binding).astype(bool)

    def step(self, action: int) -> tuple[dict[str, np.ndarray], float, bool, bool, dict[str, Any]]:
        episode = self._episode
        if episode is None or episode.done:
            raise EnvStateError("CodeGenTokens-v0: call reset() before step() and after the episode ends")
        try:
            action = int(action)
        except (TypeError, ValueError):
            raise ActionError(f"CodeGenTokens-v0 takes an int action in [0, {self.tokenizer.n_actions}), "
                              f"got {action!r}") from None
        if not 0 <= action < self.tokenizer.n_actions:
            raise ActionError(f"action {action} is outside [0, {self.tokenizer.n_actions})")
        mask = self.tokenizer.action_mask(episode.actions, episode.binding)
        illegal = not mask[action]
        steps_taken = len(episode.actions) + episode.illegal + 1
        if illegal:
            episode.illegal += 1
        else:
            episode.actions.append(action)
        terminated = not illegal and action == self.tokenizer.eos_action()
        truncated = not terminated and steps_taken >= self.max_tokens
        info: dict[str, Any] = {"task_id": episode.task.task_id, "illegal_action": illegal, SUCCESS_KEY: False}
        reward = self.illegal_action_reward if illegal else 0.0
        if terminated or truncated:
            episode.done = True
            final_reward, final_info = self._final_reward(episode)
            reward += final_reward
            info.update(final_info)
        elif self.dense_line_rewards and not illegal and self.tokenizer.decode_body(
                episode.actions, episode.binding)[1][-1] >= 0:  # this token completed a line
            reward = self._line_reward(episode)
        if self.render_mode == "human":
            self.render()
        return self._observation(), float(reward), terminated, truncated, info

    # -- scoring ---------------------------------------------------------------------------------------------------
    def _program(self, episode: _Episode, close_blocks: bool = False) -> tuple[str, list[int], int]:
        """The program, the body line each action ends (-1 if none), and where the body starts in the program."""
        body, ends = self.tokenizer.decode_body(episode.actions, episode.binding)
        prefix = episode.task.completion_prefix if episode.task.completion_prefix is not None else ""
        if close_blocks and body.rstrip().endswith(":"):
            indent = len(body.rstrip().splitlines()[-1]) - len(body.rstrip().splitlines()[-1].lstrip()) + 4
            body += " " * indent + "pass\n"
        if close_blocks and not body.strip():
            body = "    pass\n"
        # the final program is never padded: it is exactly what the agent wrote (an open block is its syntax
        # error; an empty body leaves the docstring-only function, which returns None)
        return prefix + body, ends, len(prefix)

    def _evaluate(self, program: str) -> SplitEvaluation:
        """Visible and hidden tests in separate requests: the full evaluation feeds the reward only, and ``info``
        gets the agent's view (no hidden test text, message or output)."""
        assert self._episode is not None
        return self._run_split(self._episode.task, program)

    @staticmethod
    def _token_spans(program: str, ends: list[int], body_start: int, to_end: bool) -> list[tuple[int, int]]:
        """Each action's character span in ``program``, for :mod:`codegym.rewards.placement`: an action that ends
        body line L reaches up to and including L's newline, the others are zero-width; with ``to_end`` the final
        action also holds the rest (the newline the decoder gives an unfinished last line)."""
        newline_ends = [i + 1 for i in range(body_start, len(program)) if program[i] == "\n"]
        spans, pos = [], body_start
        for line in ends:
            end = newline_ends[line] if 0 <= line < len(newline_ends) else pos
            spans.append((pos, end))
            pos = end
        if to_end and spans:
            spans[-1] = (spans[-1][0], len(program))
        return spans

    def _line_reward(self, episode: _Episode) -> float:
        program, ends, body_start = self._program(episode, close_blocks=True)
        out = self._reward(self._evaluate(program).evaluation, episode.task, program, partial=True)
        if out.line_rewards is None:
            return 0.0
        # the action just taken completed a line: it holds that line's reward (the lines closing an open block
        # for scoring lie past the last action and earn nothing)
        spans = self._token_spans(program, ends, body_start, to_end=False)
        value = placement.line_rewards_to_tokens(program, out.line_rewards, spans)[-1]
        self._last_line_rewards[ends[-1]] = value
        return value

    def _final_reward(self, episode: _Episode) -> tuple[float, dict[str, Any]]:
        program, ends, body_start = self._program(episode)
        split = self._evaluate(program)
        evaluation = split.agent_view
        out = self._reward(split.evaluation, episode.task, program)
        # line rewards on the actions that end lines (a last line without <newline> on the final action), the
        # scalar on the final action -- less the placed line rewards when the scalar already holds them
        # (ShapedReward: outcome + shaping), so they are not paid twice
        spans = self._token_spans(program, ends, body_start, to_end=True)
        token_rewards = placement.token_rewards(out, program, spans)
        reward = out.reward
        if self.dense_line_rewards and out.line_rewards is not None and token_rewards:
            # earlier lines were paid on their <newline> steps; the final token carries the outcome plus the line
            # it ends (or the unfinished last line), which no dense step has paid
            reward = token_rewards[-1]
            if out.line_rewards_in_value:
                # the dense steps paid the line rewards of the partial programs, which may differ from the final
                # ones: the final token settles the difference so the episode return is exactly the scalar
                reward = out.reward - sum(self._last_line_rewards.values())
        self._last_reward = reward
        info = step_info(evaluation.summary())
        info.update(program=program, evaluation=evaluation, token_rewards=token_rewards, reward_output=out,
                    n_tokens=len(episode.actions), illegal_actions=episode.illegal)
        info[SUCCESS_KEY] = solved(evaluation)
        if out.line_rewards is not None:
            info["line_rewards"] = list(out.line_rewards)
        info["hacking"] = hacking_info(evaluation, episode.task, program, process_signal(out))
        return reward, info

    # -- observation and rendering ---------------------------------------------------------------------------------
    def _observation(self) -> dict[str, np.ndarray]:
        assert self._episode is not None
        episode = self._episode
        tokens = np.full(self.prompt_tokens + self.max_tokens, self.tokenizer.pad_id, dtype=np.int64)
        tokens[: len(episode.prompt_ids)] = episode.prompt_ids
        emitted = [self.tokenizer.action_to_obs_id(a) for a in episode.actions[: self.max_tokens]]
        tokens[self.prompt_tokens: self.prompt_tokens + len(emitted)] = emitted
        mask = self.tokenizer.action_mask(episode.actions, episode.binding).astype(np.int8)
        return {"tokens": tokens, "action_mask": mask}

    def _render_text(self) -> str:
        if self._episode is None:
            return f"{self.env_id}: not reset yet\n"
        episode = self._episode
        program, _, _ = self._program(episode)
        tokens = " ".join(self.tokenizer.action_token(a) for a in episode.actions)
        text = (f"=== task {episode.task.task_id} ===\n{episode.task.prompt.rstrip()}\n--- tokens ---\n{tokens}\n"
                f"--- code ---\n{program.rstrip()}\n")
        if self._last_reward is not None:
            text += f"--- feedback ---\nreward: {self._last_reward}\n"
        return text


def make_tokens_env(**kwargs: Any) -> CodeGenTokensEnv:
    """``CodeGenTokens-v0``'s registered entry point: checks the keyword arguments (an unknown one is an
    :class:`~codegym.errors.EnvConfigError` naming the valid ones), then builds the env."""
    check_kwargs(CodeGenTokensEnv, kwargs, CodeGenTokensEnv.env_id)
    return CodeGenTokensEnv(**kwargs)


# gymnasium.make reads the render modes from the entry point's metadata
make_tokens_env.metadata = CodeGenTokensEnv.metadata  # type: ignore[attr-defined]


def _default_token_tasks() -> list[Task]:
    """500 micro tasks of levels 0 and 1 (the levels a token-level agent can learn from scratch)."""
    from codegym.tasks.micro import generate_micro_tasks

    return generate_micro_tasks(250, seed=0, difficulty=0) + generate_micro_tasks(250, seed=0, difficulty=1)
