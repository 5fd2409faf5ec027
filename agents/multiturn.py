"""Multi-turn and multi-agent rollouts: refinement on ``CodeRefine-v0`` and CURE co-training on ``CoderTester-v0``.

Refinement credit scheme (:func:`refine_rollouts`). An episode of ``T`` turns yields ``T`` training samples, one
per turn: the prompt the policy saw at turn ``t`` (the task, and from turn 2 on the feedback on its previous program)
and the completion it wrote. Each turn's sample is credited with its *return-to-go*
``G_t = sum_{k >= t} turn_discount^(k - t) * r_k`` of the env's per-turn rewards ``r_k``. With the env's default
``reward_mode="final"`` every turn of an episode that ends in a passing program gets the final reward (discounted by
how many turns it still took), so early attempts that led to a fix are reinforced; with ``"improvement"`` each turn
is paid for its own progress plus what followed. For GRPO the ``group_size`` episodes of one task form one group:
all their turn samples are normalised together (so a variable number of samples per group), which compares a
turn's return with the returns of the other attempts at the same task.

Coder-tester co-training (:func:`coder_tester_rollouts`, CURE, Wang et al. 2025). One shared model plays both
roles on each task: ``group_size`` coder samples (the env's ``n_codes``) and ``group_size`` tester samples (each
parsed into one unit test; the env's ``n_tests``). The env runs the code x test matrix and returns CURE's per-code
rewards (pass rate on the ground-truth tests) and per-test rewards (how well the test separates correct from wrong
codes); coder samples form one group and tester samples another, each normalised within itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from agents.rollout import Sample, sample_from_step

if TYPE_CHECKING:
    from agents.episodes import EnvBatch
    from agents.policy import Generation, Policy
    from agents.prompting import PromptFormat
    from codegym.tasks.model import Task

#: Turn budget of refinement rollouts (CodeRefine-v0's own default is 4): the ``max_turns`` of the refinement
#: batch the trainer builds.
DEFAULT_MAX_TURNS = 3


def returns_to_go(rewards: Sequence[float], discount: float) -> list[float]:
    """``G_t = r_t + discount * G_{t+1}`` for every turn."""
    out, running = [0.0] * len(rewards), 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + discount * running
        out[t] = running
    return out


def refine_rollouts(policy: Policy, envs: EnvBatch, tasks: Sequence[Task], group_size: int, temperature: float,
                    top_p: float, max_new_tokens: int, prompt_format: PromptFormat | None = None,
                    turn_discount: float = 1.0) -> list[Sample]:
    """``group_size`` refinement episodes per task through ``envs`` (a ``CodeRefine-v0``
    :class:`~agents.episodes.EnvBatch`, whose ``max_turns`` is the turn budget); returns one sample per turn with
    :attr:`Sample.score` set to the turn's return-to-go (see the module docstring). ``prompt_format`` defaults to
    the policy's."""
    fmt = prompt_format or policy.prompt_format
    episodes = [(task, g) for g, task in enumerate(tasks) for _ in range(group_size)]
    written: list[list[tuple[Generation, str, str]]] = [[] for _ in episodes]  # (generation, action, prefix)

    def act(live: list[int], observations: list[dict[str, Any]]) -> list[str]:
        gens = policy.generate([fmt.prompt(o) for o in observations], num_samples=1, temperature=temperature,
                               top_p=top_p, max_new_tokens=max_new_tokens, return_logprobs=False, stop=fmt.stop)
        actions = [fmt.action(o, g.text) for o, g in zip(observations, gens)]
        for i, o, g, a in zip(live, observations, gens, actions):
            written[i].append((g, a, fmt.action_prefix(o)))
        return actions

    played = envs.play([task.task_id for task, _ in episodes], act)
    samples: list[Sample] = []
    for (task, group), turns, steps in zip(episodes, written, played):
        episode = []
        for number, ((gen, action, prefix), step) in enumerate(zip(turns, steps), 1):
            episode.append(sample_from_step(policy, gen, action, step.reward, step.info, task.task_id, group,
                                            prefix=prefix, turn=number))
        for sample, ret in zip(episode, returns_to_go([s.reward for s in episode], turn_discount)):
            sample.score = ret
            sample.info["episode_turns"] = len(episode)
            samples.append(sample)
    return samples


# -- coder-tester ----------------------------------------------------------------------------------------------

def first_json_test(text: str) -> Any:
    """The first JSON object in ``text`` (a fenced block is unwrapped), or ``None`` when there is none."""
    from codegym.envs.extraction import find_code_blocks

    blocks = find_code_blocks(text)
    body = blocks[-1].code if blocks else text
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", body):
        try:
            value, _ = decoder.raw_decode(body[match.start():])
        except json.JSONDecodeError:
            continue
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, dict)), None)
        if isinstance(value, dict):
            return value
    return None


def coder_tester_rollouts(policy: Policy, all_tasks: Sequence[Task], tasks: Sequence[Task], group_size: int,
                          temperature: float, top_p: float, max_new_tokens: int,
                          prompt_format: PromptFormat | None = None, executor: Any = None,
                          env_kwargs: dict[str, Any] | None = None) -> list[Sample]:
    """One ``CoderTester-v0`` round per task with the shared policy in both roles (CURE); coder samples of task
    ``i`` are group ``2i`` and its tester samples group ``2i + 1``."""
    from codegym.envs import coder_tester_v0
    from codegym.sandbox import default_executor, get_executor

    fmt = prompt_format or policy.prompt_format
    ex = get_executor(executor) if executor is not None else default_executor()
    kwargs = dict(env_kwargs or {})
    kwargs.update(n_codes=group_size, n_tests=group_size, rounds=1)
    envs = [coder_tester_v0.parallel_env(tasks=list(all_tasks), executor=ex, **kwargs) for _ in tasks]
    try:
        observations = [env.reset(options={"task_id": task.task_id})[0] for env, task in zip(envs, tasks)]
        tester_inputs = [fmt.tester_prompt(obs["tester"]) for obs in observations]
        code_gens = policy.generate([fmt.prompt(obs["coder"]) for obs in observations], num_samples=group_size,
                                    temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens,
                                    return_logprobs=False, stop=fmt.stop)
        test_gens = policy.generate([p for p, _ in tester_inputs], num_samples=group_size,
                                    temperature=temperature, top_p=top_p, max_new_tokens=max_new_tokens,
                                    return_logprobs=False, stop=fmt.stop)
        samples: list[Sample] = []
        for i, (env, task, obs) in enumerate(zip(envs, tasks, observations)):
            codes = code_gens[i * group_size:(i + 1) * group_size]
            tests = test_gens[i * group_size:(i + 1) * group_size]
            code_actions = [fmt.action(obs["coder"], g.text) for g in codes]
            prefix = tester_inputs[i][1]
            test_objects = [first_json_test(prefix + g.text) for g in tests]
            actions = {"coder": json.dumps(code_actions), "tester": json.dumps(test_objects)}
            _, _, _, _, infos = env.step(actions)
            code_rewards = infos["coder"]["code_rewards"]
            test_rewards = infos["tester"]["test_rewards"]
            correct = infos["coder"].get("correct_codes", [])
            for j, gen in enumerate(codes):
                samples.append(Sample(task_id=task.task_id, group=2 * i, prompt_ids=gen.prompt_ids,
                                      completion_ids=gen.completion_ids, logprobs=gen.logprobs, text=gen.text,
                                      reward=float(code_rewards[j]), truncated=gen.truncated,
                                      passed=bool(correct[j]) if j < len(correct) else False, role="coder"))
            for k, gen in enumerate(tests):
                samples.append(Sample(task_id=task.task_id, group=2 * i + 1, prompt_ids=gen.prompt_ids,
                                      completion_ids=gen.completion_ids, logprobs=gen.logprobs, text=gen.text,
                                      reward=float(test_rewards[k]), truncated=gen.truncated,
                                      passed=test_rewards[k] > 0, role="tester",
                                      info={"test": test_objects[k]}))
        return samples
    finally:
        for env in envs:
            env.close()
