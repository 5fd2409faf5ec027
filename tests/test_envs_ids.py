"""Contracts every registered id keeps, parametrized over the plain and the ``codegym/`` namespaced ids.

``info["success"]`` is the one definition of "this episode solved its task": every test the reward is computed on
passed (the hidden tests when the task has any, else all its tests). Agents, benchmarks and rollouts read it.
"""

from __future__ import annotations

import json
import warnings

import gymnasium as gym
import pytest

import codegym  # noqa: F401  (registers the ids)
from codegym.envs.registration import NAMESPACE, PETTINGZOO_IDS, env_ids, make_multiagent
from codegym.tasks.micro import generate_micro_tasks
from codegym.tasks.model import CallTest, Task

GYM_IDS = [i for base in env_ids("gymnasium") for i in (base, f"{NAMESPACE}/{base}")]
PZ_IDS = [i for base in env_ids("pettingzoo") for i in (base, PETTINGZOO_IDS[base])]


@pytest.fixture(scope="module")
def tasks():
    return generate_micro_tasks(3, seed=5, difficulty=1)


def _square_task(hidden: bool) -> Task:
    """``square(x)``: one visible test that ``return x`` also passes, and (optionally) hidden tests it fails."""
    visible = [CallTest("square", (1,), expected=1)]
    hidden_tests = [CallTest("square", (3,), expected=9), CallTest("square", (4,), expected=16)] if hidden else []
    prefix = "def square(x):\n    \"\"\"Return x * x.\"\"\"\n"
    return Task("t/square" + ("" if hidden else "-bare"), "Write square(x).", visible, hidden_tests, "square",
                [prefix + "    return x * x\n"], completion_prefix=prefix)


def _make_pz(env_id: str, parallel: bool, **kwargs):
    """A PettingZoo env by plain id (codegym's make_multiagent) or by namespaced id (PettingZoo's registry)."""
    if "/" in env_id:
        import pettingzoo

        if not hasattr(pettingzoo, "make"):
            pytest.skip("this PettingZoo has no registry")
        return pettingzoo.make("parallel" if parallel else "aec", env_id, **kwargs)
    return make_multiagent(env_id, parallel=parallel, **kwargs)


def _episode_infos(env, actions):
    infos = []
    for action in actions:
        _, _, terminated, truncated, info = env.step(action)
        infos.append(info)
        if terminated or truncated:
            break
    return infos


# -- info["success"] ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_success_is_a_bool_on_every_step_and_true_only_when_solved(env_id, tasks, local_executor):
    env = gym.make(env_id, tasks=tasks, executor=local_executor)
    try:
        for solve in (False, True):
            env.reset(options={"task_id": tasks[0].task_id})
            task = env.unwrapped.task
            if env_id.endswith("CodeGenTokens-v0"):
                from codegym.envs.tokens import CodeVocabulary

                vocab = env.unwrapped.tokenizer
                assert isinstance(vocab, CodeVocabulary)
                body = task.reference[len(task.completion_prefix):] if solve else "    pass\n"
                actions = vocab.encode_body(body, env.unwrapped._episode.binding)
            else:
                wrong = task.completion_prefix + "    return None\n"
                actions = [task.reference] if solve else [wrong]
            infos = _episode_infos(env, actions)
            assert all(isinstance(i["success"], bool) for i in infos), [i.get("success") for i in infos]
            assert infos[-1]["success"] is solve
            assert not any(i["success"] for i in infos[:-1])  # nothing is solved before the program runs
    finally:
        env.close()


@pytest.mark.parametrize("env_id", [i for i in GYM_IDS if not i.endswith("CodeGenTokens-v0")])
def test_success_follows_the_tests_the_reward_is_computed_on(env_id, local_executor):
    """Passing the visible tests is not success when hidden tests fail; without hidden tests, all tests decide."""
    lookup = "def square(x):\n    return x\n"  # passes square(1) == 1 only
    env = gym.make(env_id, tasks=[_square_task(hidden=True)], executor=local_executor)
    env.reset()
    _, _, _, _, info = env.step(lookup)
    assert info["visible_passed"] == info["visible_total"] == 1 and info["success"] is False
    env.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the one-time "no hidden tests" warning
        env = gym.make(env_id, tasks=[_square_task(hidden=False)], executor=local_executor)
        env.reset()
    _, _, _, _, info = env.step(lookup)
    assert info["no_hidden_tests"] and info["success"] is True  # its reward (and success) is on the visible test
    env.close()


@pytest.mark.parametrize("env_id", [i for i in GYM_IDS if not i.endswith("CodeGenTokens-v0")])
def test_a_format_error_is_no_success(env_id, tasks, local_executor):
    env = gym.make(env_id, tasks=tasks, executor=local_executor, action_format="markdown")
    env.reset()
    info = env.step("no code block here")[-1]
    assert info["format_error"] and info["success"] is False
    env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_coder_success_in_the_parallel_api(env_id, tasks, local_executor):
    task = tasks[0]
    env = _make_pz(env_id, True, tasks=[task], executor=local_executor, n_codes=2, n_tests=1)
    tests = json.dumps([{"input": list(t.args), "output": t.expected} for t in task.visible_tests[:1]])
    wrong = task.completion_prefix + "    return None\n"
    for codes, expected in (([wrong, wrong], False), ([wrong, task.reference], True)):
        _, infos = env.reset(seed=0)
        assert infos["coder"]["success"] is False
        _, _, _, _, infos = env.step({"coder": json.dumps(codes), "tester": tests})
        assert infos["coder"]["success"] is expected
    env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_coder_success_in_the_aec_api(env_id, tasks, local_executor):
    task = tasks[0]
    env = _make_pz(env_id, False, tasks=[task], executor=local_executor, n_codes=1, n_tests=1)
    env.reset(seed=0)
    assert env.infos["coder"]["success"] is False
    env.step(json.dumps([task.reference]))
    assert env.infos["coder"]["success"] is False  # the round has not been played yet
    env.step("assert True")
    assert env.infos["coder"]["success"] is True
    env.close()
