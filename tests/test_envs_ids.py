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


# -- API checkers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_gymnasium_check_env(env_id, tasks):
    from gymnasium.utils.env_checker import check_env

    env = gym.make(env_id, tasks=tasks, executor="local")
    try:
        check_env(env.unwrapped)  # includes the ansi/human render checks through env.spec
    finally:
        env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_pettingzoo_api_test(env_id, tasks):
    from pettingzoo.test import api_test

    env = _make_pz(env_id, False, tasks=tasks, executor="local", rounds=2, n_codes=2, n_tests=2)
    api_test(env, num_cycles=4)
    env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_pettingzoo_parallel_api_test(env_id, tasks):
    from pettingzoo.test import parallel_api_test

    env = _make_pz(env_id, True, tasks=tasks, executor="local", rounds=2, n_codes=2, n_tests=2)
    parallel_api_test(env, num_cycles=4)
    env.close()


# -- typed argument errors at construction -----------------------------------------------------------------------


def _env_class(env_id: str):
    from codegym.envs.registration import env_info, load_entry_point

    return load_entry_point(env_info(env_id).env_class)


def _build(env_id: str, **kwargs):
    """Every factory of an id: gymnasium.make for Gymnasium ids; AEC and parallel for PettingZoo ids."""
    if env_id in PZ_IDS:
        return [_make_pz(env_id, False, **kwargs), _make_pz(env_id, True, **kwargs)]
    return [gym.make(env_id, **kwargs)]


@pytest.mark.parametrize("env_id", GYM_IDS + PZ_IDS)
def test_a_misspelled_kwarg_lists_the_valid_ones_with_did_you_mean(env_id, tasks):
    from codegym.envs.config import accepted_kwargs
    from codegym.errors import EnvConfigError

    valid = accepted_kwargs(_env_class(env_id))
    assert "executor" in valid and "tasks" in valid
    for make_parallel in ((False, True) if env_id in PZ_IDS else (False,)):
        with pytest.raises(EnvConfigError) as caught:
            if env_id in PZ_IDS:
                _make_pz(env_id, make_parallel, tasks=tasks, executr="local")
            else:
                gym.make(env_id, tasks=tasks, executr="local")
        message = str(caught.value)
        assert "'executr' (did you mean 'executor'?)" in message
        assert message.endswith("takes: " + ", ".join(valid))


def test_the_issue_example_names_the_env_that_takes_the_kwarg():
    from codegym.errors import EnvConfigError

    with pytest.raises(EnvConfigError) as caught:
        gym.make("CodeGen-v0", max_turn=3)
    assert str(caught.value) == (
        "CodeGen-v0 got unknown keyword argument 'max_turn' (CodeRefine-v0 takes 'max_turns'). CodeGen-v0 takes: "
        "tasks, visible, show_visible_tests, action_format, reward, format_error_reward, executor, limits, "
        "render_mode")
    with pytest.raises(EnvConfigError, match=r"'max_turn' \(did you mean 'max_turns'\?\)"):
        gym.make("CodeRefine-v0", max_turn=3)
    with pytest.raises(EnvConfigError, match=r"\(CodeRefine-v0 takes 'max_turns'\)"):
        gym.make("codegym/CodeGen-v0", max_turns=3)
    with pytest.raises(EnvConfigError, match=r"CodeRefine-v0 takes 'max_turns'.*num_envs, autoreset_mode$"):
        gym.make_vec("CodeGen-v0", num_envs=2, max_turn=3)  # the batched vector env checks too


@pytest.mark.parametrize("env_id", GYM_IDS + PZ_IDS)
def test_an_unknown_executor_fails_when_the_env_is_built(env_id, tasks):
    from codegym.errors import EnvConfigError

    with pytest.raises(EnvConfigError, match=r"'lcoal' is not an executor backend \(did you mean 'local'\?\); the "
                                             r"backends are 'local', 'docker', 'ray'"):
        _build(env_id, tasks=tasks, executor="lcoal")
    with pytest.raises(EnvConfigError, match="executor= takes an Executor"):
        _build(env_id, tasks=tasks, executor=3)


@pytest.mark.parametrize("env_id", GYM_IDS + PZ_IDS)
def test_bad_values_are_typed_errors(env_id, tasks):
    from codegym.errors import EnvConfigError

    with pytest.raises(EnvConfigError, match="limits="):
        _build(env_id, tasks=tasks, limits=5)
    if "CodeGenTokens" not in env_id:
        with pytest.raises(EnvConfigError, match="did you mean 'markdown'"):
            _build(env_id, tasks=tasks, action_format="mardown")


# -- typed action errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env_id", [i for i in GYM_IDS if not i.endswith("CodeGenTokens-v0")])
def test_bytes_actions_are_refused_with_what_to_do(env_id, tasks, local_executor):
    """Gymnasium's Text space holds str only, so bytes are an ActionError saying to decode them, and the episode
    goes on (nothing was taken)."""
    from codegym.errors import ActionError

    env = gym.make(env_id, tasks=tasks, executor=local_executor)
    env.reset(seed=0)
    assert not env.action_space.contains(b"def f(): pass")
    with pytest.raises(ActionError, match=r"decode it first"):
        env.step(env.unwrapped.task.reference.encode())
    _, reward, *_ = env.step(env.unwrapped.task.reference)
    assert reward == 1.0
    env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_a_missing_agent_in_a_parallel_step_is_named(env_id, tasks, local_executor):
    from codegym.errors import ActionError, MissingActionError

    task = tasks[0]
    env = _make_pz(env_id, True, tasks=[task], executor=local_executor, n_codes=1, n_tests=1)
    env.reset(seed=0)
    with pytest.raises(MissingActionError, match=r"no action for 'tester'; every live agent acts") as caught:
        env.step({"coder": json.dumps([task.reference])})
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, ActionError)
    with pytest.raises(MissingActionError, match=r"'tester' \(got 'tset': a misspelling\?\)"):
        env.step({"coder": json.dumps([task.reference]), "tset": "assert True"})
    # nothing was played: the round goes on with a complete dict
    _, rewards, terminations, _, infos = env.step({"coder": json.dumps([task.reference]), "tester": "assert True"})
    assert rewards["coder"] == 1.0 and infos["coder"]["round"] == 1 and all(terminations.values())
    env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_bytes_actions_are_refused_in_the_aec_api(env_id, tasks, local_executor):
    from codegym.errors import ActionError

    env = _make_pz(env_id, False, tasks=tasks, executor=local_executor, n_codes=1, n_tests=1)
    env.reset(seed=0)
    with pytest.raises(ActionError, match="decode it first"):
        env.step(b"def f(): pass")
    assert env.agent_selection == "coder"  # the refused action was not taken
    env.close()
