"""Rollouts through codegym's envs: the policy writes, the env executes and scores.

* :func:`codegen_rollouts` -- single-turn on ``CodeGen-v0``: ``group_size`` samples per task (GRPO's groups), one
  env episode per sample, all played through one :class:`~agents.episodes.EnvBatch` (a gymnasium vector env: with
  ``CodeGen-v0``'s own, a 128-sample batch costs one parallel sandbox round).
* :func:`~agents.multiturn.refine_rollouts` -- multi-turn on ``CodeRefine-v0``.
* :func:`~agents.multiturn.coder_tester_rollouts` -- CURE-style co-training on ``CoderTester-v0``.

How observations become prompts and completions become actions is the policy's
:class:`~agents.prompting.PromptFormat` (``chat`` or ``completion``; see :mod:`agents.prompting`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codegym.rewards.base import RewardOutput
from codegym.rewards.placement import locate_program, token_rewards

if TYPE_CHECKING:
    from agents.episodes import EnvBatch
    from agents.policy import Generation, Policy
    from agents.prompting import PromptFormat
    from codegym.tasks.model import Task


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


def codegen_rollouts(policy: Policy, envs: EnvBatch, tasks: Sequence[Task], group_size: int,
                     temperature: float, top_p: float, max_new_tokens: int, prompt_format: PromptFormat | None = None,
                     start_group: int = 0, gen_batch_size: int | None = None) -> list[Sample]:
    """``group_size`` samples for each task through single-turn ``CodeGen-v0`` episodes; groups are contiguous.
    ``prompt_format`` defaults to the policy's."""
    fmt = prompt_format or policy.prompt_format
    task_ids = [t.task_id for t in tasks for _ in range(group_size)]
    generations: list[Generation] = []
    actions: list[str] = []

    def act(live: list[int], observations: list[dict[str, Any]]) -> list[str]:
        # the samples of a task share its prompt: generate num_samples per distinct prompt
        prompts = [fmt.prompt(observations[i * group_size]) for i in range(len(tasks))]
        generations.extend(policy.generate(prompts, num_samples=group_size, temperature=temperature, top_p=top_p,
                                           max_new_tokens=max_new_tokens, batch_size=gen_batch_size,
                                           return_logprobs=False, stop=fmt.stop))
        actions.extend(fmt.action(obs, g.text) for obs, g in zip(observations, generations))
        return actions

    episodes = envs.play(task_ids, act, max_steps=1)
    samples = []
    for i, (gen, action, episode) in enumerate(zip(generations, actions, episodes)):
        step = episode[0]
        samples.append(sample_from_step(policy, gen, action, step.reward, step.info, task_ids[i],
                                        start_group + i // group_size, prefix=action[:len(action) - len(gen.text)]))
    return samples


def sample_from_step(policy: Policy, gen: Generation, action: str, reward: float, info: dict[str, Any],
                     task_id: str, group: int, prefix: str = "", turn: int = 1, role: str = "coder") -> Sample:
    """A :class:`Sample` from one generation and the env's verdict (``passed`` is the env's ``info["success"]``);
    per-line rewards are placed on tokens."""
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
                  passed=bool(info["success"]), program=program, token_rewards=dense, turn=turn,
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


def evaluate_policy(policy: Policy, tasks: Sequence[Task], envs: EnvBatch, samples_per_task: int = 1,
                    temperature: float = 0.0, max_new_tokens: int = 256, prompt_format: PromptFormat | None = None,
                    gen_batch_size: int | None = None) -> dict[str, Any]:
    """pass@1 of ``policy`` on ``tasks`` through single-turn envs (greedy when ``temperature == 0``): the unbiased
    estimate over ``samples_per_task`` samples per task."""
    from codegym.evaluation import pass_at_k

    samples = codegen_rollouts(policy, envs, tasks, samples_per_task, temperature, 1.0, max_new_tokens,
                               prompt_format, gen_batch_size=gen_batch_size)
    counts = []
    for i in range(len(tasks)):
        group = samples[i * samples_per_task:(i + 1) * samples_per_task]
        counts.append((len(group), sum(s.passed for s in group)))
    pass1 = pass_at_k(counts, [1]).get(1, 0.0)
    return {"pass@1": pass1, "reward_mean": sum(s.reward for s in samples) / max(len(samples), 1),
            "tasks": len(tasks), "samples": len(samples)}


def difficulty_filter(policy: Policy, tasks: Sequence[Task], envs: EnvBatch, samples_per_task: int,
                      temperature: float, max_new_tokens: int, prompt_format: PromptFormat | None = None,
                      gen_batch_size: int | None = None) -> tuple[list[Task], list[float]]:
    """Keep the tasks the policy sometimes but not always solves (DeepCoder's offline difficulty filtering for
    GRPO+: a group whose samples all pass or all fail has zero advantage and teaches nothing).

    Returns the kept tasks and every task's measured pass rate."""
    samples = codegen_rollouts(policy, envs, tasks, samples_per_task, temperature, 1.0, max_new_tokens,
                               prompt_format, gen_batch_size=gen_batch_size)
    rates = []
    kept = []
    for i, task in enumerate(tasks):
        group = samples[i * samples_per_task:(i + 1) * samples_per_task]
        rate = sum(s.passed for s in group) / samples_per_task
        rates.append(rate)
        if 0.0 < rate < 1.0:
            kept.append(task)
    return kept, rates
