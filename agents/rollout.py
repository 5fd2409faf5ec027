"""Rollouts through codegym's envs: the policy writes, the env executes and scores.

* :func:`codegen_rollouts` -- single-turn on ``CodeGen-v0``: ``group_size`` samples per task (GRPO's groups), one
  env episode per sample; the batch's programs run in parallel through ``executor.run_many`` (the env's
  ``prepare_step``/``finish_step`` split), so a 128-sample batch costs one parallel sandbox round.
* :func:`refine_rollouts` -- multi-turn on ``CodeRefine-v0`` (see :mod:`agents.multiturn`).
* :func:`coder_tester_rollouts` -- CURE-style co-training on ``CoderTester-v0`` (see :mod:`agents.multiturn`).

Prompt styles. ``"chat"`` (any instruction model): the task goes through the tokenizer's chat template with an
instruction to answer in a fenced Python block, and the env extracts the block. ``"completion"`` (base models and
the tiny model): the model continues the task's prompt text (signature and docstring) and the action sent to the env
is prompt + continuation, i.e. the whole program. Completions are cut at the EOS token.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from codegym.rewards.base import RewardOutput
from codegym.rewards.placement import locate_program, token_rewards

if TYPE_CHECKING:
    from agents.policy import Generation, Policy
    from codegym.tasks.model import Task

PromptStyle = Literal["chat", "completion"]

CHAT_INSTRUCTION = ("Solve the following Python programming task. Answer with the complete program in a single "
                    "```python code block.")


@dataclass
class Sample:
    """One generated completion with everything the losses need."""

    task_id: str
    group: int  # samples of one prompt share a group index (contiguous in a batch)
    prompt_ids: list[int]
    completion_ids: list[int]
    logprobs: list[float]
    text: str
    reward: float
    truncated: bool
    passed: bool
    program: str | None = None
    # dense rewards aligned with completion_ids (each line's reward on the token that completes the line), or None
    token_rewards: list[float] | None = None
    # the scalar the advantage is computed from (the reward for single-turn; the credited return for multi-turn)
    score: float | None = None
    turn: int = 1
    role: str = "coder"
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.score is None:
            self.score = self.reward


def observation_prompt(observation: dict[str, str], style: PromptStyle, show_tests: bool = True) -> Any:
    """The policy input for an env observation: chat messages (``chat``) or raw text (``completion``)."""
    prompt = observation.get("prompt", "")
    if style == "completion":
        return prompt
    if style != "chat":
        raise ValueError(f"unknown prompt style {style!r}; use 'chat' or 'completion'")
    parts = [CHAT_INSTRUCTION, "", prompt.rstrip()]
    if show_tests and observation.get("tests"):
        parts += ["", "Visible tests:", observation["tests"].rstrip()]
    if observation.get("feedback"):
        parts += ["", "Feedback on your previous attempt:", observation["feedback"].rstrip()]
    return [{"role": "user", "content": "\n".join(parts)}]


def completion_to_action(observation: dict[str, str], text: str, style: PromptStyle) -> str:
    """The env action for a completion: the text itself (chat) or the prompt plus its continuation."""
    return observation.get("prompt", "") + text if style == "completion" else text


def make_env(env_id: str, tasks: Sequence[Task], **kwargs: Any):
    """``gymnasium.make(env_id, tasks=tasks, **kwargs)`` after registering codegym's envs."""
    import gymnasium as gym

    from codegym.envs import register_envs

    register_envs()  # idempotent; makes the ids known to gymnasium

    return gym.make(env_id, tasks=list(tasks), **kwargs)


class EnvBatch:
    """A pool of single-turn envs stepped as one batch whose executions run in parallel on one executor."""

    def __init__(self, env_id: str, tasks: Sequence[Task], executor: Any = None, reward: Any = None,
                 env_kwargs: dict[str, Any] | None = None) -> None:
        self.env_id = env_id
        self.tasks = list(tasks)
        self.kwargs = dict(env_kwargs or {})
        if reward is not None:
            self.kwargs["reward"] = reward
        from codegym.sandbox import default_executor, get_executor

        self.executor = get_executor(executor) if executor is not None else default_executor()
        self._envs: list[Any] = []

    def _env(self, i: int):
        while len(self._envs) <= i:
            self._envs.append(make_env(self.env_id, self.tasks, executor=self.executor, **self.kwargs))
        return self._envs[i]

    def reset(self, task_ids: Sequence[str], seed: int | None = None) -> list[dict[str, str]]:
        observations = []
        for i, task_id in enumerate(task_ids):
            obs, _ = self._env(i).reset(seed=None if seed is None else seed + i, options={"task_id": task_id})
            observations.append(obs)
        return observations

    def step(self, actions: Sequence[str]) -> list[tuple[dict[str, str], float, dict[str, Any]]]:
        """Step env ``i`` with ``actions[i]``; every program of the batch runs in one ``run_many`` call."""
        envs = [self._env(i).unwrapped for i in range(len(actions))]
        if all(hasattr(e, "prepare_step") and hasattr(e, "finish_step") for e in envs):
            pending = [e.prepare_step(a) for e, a in zip(envs, actions)]
            runnable = [i for i, p in enumerate(pending) if p.request is not None]
            results = self.executor.run_many([pending[i].request for i in runnable])
            by_index = dict(zip(runnable, results))
            out = []
            for i, (env, step) in enumerate(zip(envs, pending)):
                obs, reward, _, _, info = env.finish_step(step, by_index.get(i))
                out.append((obs, float(reward), info))
            return out
        # envs without the split API: step them from threads (each blocks on its own sandbox run)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=max(1, self.executor.workers)) as pool:
            stepped = list(pool.map(lambda pair: pair[0].step(pair[1]),
                                    zip([self._env(i) for i in range(len(actions))], actions)))
        return [(obs, float(reward), info) for obs, reward, _, _, info in stepped]

    def close(self) -> None:
        for env in self._envs:
            env.close()
        self._envs = []


def codegen_rollouts(policy: Policy, envs: EnvBatch, tasks: Sequence[Task], group_size: int,
                     temperature: float, top_p: float, max_new_tokens: int, style: PromptStyle = "completion",
                     start_group: int = 0, gen_batch_size: int | None = None) -> list[Sample]:
    """``group_size`` samples for each task through ``CodeGen-v0``-like envs; groups are contiguous."""
    task_ids = [t.task_id for t in tasks for _ in range(group_size)]
    observations = envs.reset(task_ids)
    prompts = [observation_prompt(observations[i * group_size], style) for i in range(len(tasks))]
    generations = policy.generate(prompts, num_samples=group_size, temperature=temperature, top_p=top_p,
                                  max_new_tokens=max_new_tokens, batch_size=gen_batch_size,
                                  return_logprobs=False)
    actions = [completion_to_action(obs, g.text, style) for obs, g in zip(observations, generations)]
    stepped = envs.step(actions)
    samples = []
    for i, (gen, action, (_, reward, info)) in enumerate(zip(generations, actions, stepped)):
        samples.append(sample_from_step(policy, gen, action, reward, info, task_ids[i],
                                        start_group + i // group_size, prefix=action[:len(action) - len(gen.text)]))
    return samples


def sample_from_step(policy: Policy, gen: Generation, action: str, reward: float, info: dict[str, Any],
                     task_id: str, group: int, prefix: str = "", turn: int = 1, role: str = "coder") -> Sample:
    """A :class:`Sample` from one generation and the env's verdict; per-line rewards are placed on tokens."""
    program = info.get("program")
    dense = None
    output = info.get("reward_output")
    if isinstance(output, RewardOutput) and output.line_rewards and program:
        dense = place_line_rewards(policy.tokenizer, gen.completion_ids, prefix + gen.text, len(prefix), program,
                                   output.line_rewards, output.line_rewards_in_value)
    keep = {k: info[k] for k in ("status", "tests_passed", "tests_total", "visible_pass_rate", "hidden_pass_rate",
                                 "visible_hidden_gap", "format_error") if k in info}
    return Sample(task_id=task_id, group=group, prompt_ids=gen.prompt_ids, completion_ids=gen.completion_ids,
                  logprobs=gen.logprobs, text=gen.text, reward=float(reward), truncated=gen.truncated,
                  passed=bool(info.get("passed", False)), program=program, token_rewards=dense, turn=turn,
                  role=role, info=keep)


def place_line_rewards(tokenizer: Any, completion_ids: Sequence[int], full_text: str, generated_from: int,
                       program: str, line_rewards: Sequence[float],
                       line_rewards_in_value: bool = False) -> list[float] | None:
    """Dense per-token rewards for PPO: ``line_rewards[i]`` on the token that completes line ``i + 1`` of
    ``program`` (the rule of :mod:`codegym.rewards.placement`, which places them).

    ``full_text`` is the action (prompt prefix + generated text); the generated part starts at character
    ``generated_from``. Lines that end before the generated text (the prompt's) earn nothing; a program that cannot
    be located in the text (the env rewrote it) gives ``None``. The trainer puts the scalar on the last token
    itself, so with ``line_rewards_in_value`` (the scalar already holds the line rewards: ``ShapedReward``) the last
    token gives back what the lines got, and the sample's return stays the scalar.
    """
    start = locate_program(full_text, program)
    if start is None:
        return None
    spans = _decoded_spans(tokenizer, completion_ids, full_text, generated_from)
    output = RewardOutput(0.0, list(line_rewards), line_rewards_in_value=line_rewards_in_value)
    return token_rewards(output, full_text, spans, start, include_scalar=False)


def _decoded_spans(tokenizer: Any, completion_ids: Sequence[int], full_text: str,
                   generated_from: int) -> list[tuple[int, int]]:
    """The character span of each completion token in ``full_text``, from the decoded prefixes of the completion.

    A prefix that ends inside a multi-byte character decodes to a replacement character; only the part that agrees
    with the final text counts, so that character belongs to the token that completes it. Special tokens (EOS) are
    zero-width.
    """
    generated = full_text[generated_from:]
    spans, done = [], 0
    for j in range(len(completion_ids)):
        text = tokenizer.decode(list(completion_ids[: j + 1]), skip_special_tokens=True)
        if generated.startswith(text):
            end = len(text)
        else:  # an unfinished character (or a decoder that rewrites text): the agreeing prefix only
            end = len(os.path.commonprefix([text, generated]))
        end = max(end, done)
        spans.append((generated_from + done, generated_from + end))
        done = end
    return spans
