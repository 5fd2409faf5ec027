"""CodeGen-v0 and its vectorised forms, on the real local executor."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest

import codegym  # noqa: F401  (registers the ids)
from codegym.envs.codegen import CodeGenEnv
from codegym.envs.extraction import extract_code
from codegym.envs.text import sanitize_text
from codegym.envs.vector import BatchedCodeGenVectorEnv
from codegym.errors import ActionError, EnvConfigError, EnvStateError, UnknownTaskError
from codegym.rewards.base import Reward, RewardOutput
from codegym.tasks.micro import generate_micro_tasks


@pytest.fixture(scope="module")
def micro_tasks():
    return generate_micro_tasks(6, seed=3)


def fenced(code: str) -> str:
    return f"Here is my solution.\n```python\n{code}\n```\nIt works."


# -- extraction ---------------------------------------------------------------------------------------------------

def test_extract_last_python_block_and_skip_trailing_output():
    text = "draft:\n```python\nx = 1\n```\nfinal:\n```python\nx = 2\n```\noutput:\n```text\n2\n```\n"
    assert extract_code(text) == "x = 2\n"
    assert extract_code(text, "markdown") == "x = 2\n"
    assert extract_code(text, "code") == text


def test_extract_missing_block_depends_on_format():
    assert extract_code("x = 1", "auto") == "x = 1"
    assert extract_code("x = 1", "markdown") is None
    assert extract_code("```python\nunterminated", "markdown") is None
    with pytest.raises(EnvConfigError):
        extract_code("x", "json")  # type: ignore[arg-type]


def test_extract_longer_fence_keeps_inner_fence():
    text = '````python\ns = """```"""\n````'
    assert extract_code(text) == 's = """```"""\n'


def test_sanitize_escapes_and_caps():
    assert sanitize_text("café\x00", 100) == "caf\\xe9\\x00"
    capped = sanitize_text("a" * 500, 100)
    assert len(capped) == 100 and "truncated" in capped


# -- HumanEval ------------------------------------------------------------------------------------------------------

def test_humaneval_canonical_solution_scores_one_and_wrong_zero(humaneval_path, local_executor):
    from codegym.tasks.sources import load_tasks

    tasks = [t for t in load_tasks(str(humaneval_path)) if t.task_id in ("HumanEval/0", "HumanEval/2")]
    assert len(tasks) == 2
    env = gym.make("CodeGen-v0", tasks=tasks, executor=local_executor, action_format="markdown")
    for task in tasks:
        env.reset(options={"task_id": task.task_id})
        _, reward, terminated, truncated, info = env.step(fenced(task.reference))
        assert (reward, terminated, truncated) == (1.0, True, False)
        assert info["status"] == "passed" and info["hidden_pass_rate"] == 1.0
        assert info["evaluation"].hidden_all_passed

        env.reset(options={"task_id": task.task_id})
        wrong = task.completion_prefix + "    return None\n"
        _, reward, terminated, _, info = env.step(fenced(wrong))
        assert reward == 0.0 and terminated
        assert info["status"] != "passed" and info["hidden_passed"] == 0
        assert info["failing_test"]  # the failing test is reported
    env.close()


# -- behaviour on micro tasks ---------------------------------------------------------------------------------------

def test_step_info_and_observation(micro_tasks, local_executor):
    env = CodeGenEnv(micro_tasks, executor=local_executor)
    obs, info = env.reset(seed=0)
    task = env.task
    assert obs["task_id"] == task.task_id == info["task_id"]
    assert obs["prompt"] == task.prompt and obs["feedback"] == ""
    assert f"{task.entry_point}(" in obs["tests"]  # visible tests are shown
    assert env.observation_space.contains(obs)
    obs, reward, terminated, truncated, info = env.step(task.reference)
    assert reward == 1.0 and terminated and not truncated
    assert info["tests_passed"] == info["tests_total"] == len(task.all_tests)
    assert info["visible_total"] == len(task.visible_tests) and info["hidden_total"] == len(task.hidden_tests)
    assert "visible tests passed" in obs["feedback"]
    with pytest.raises(EnvStateError):
        env.step(task.reference)


def test_wrong_program_reports_failing_test(micro_tasks, local_executor):
    env = CodeGenEnv(micro_tasks, executor=local_executor)
    env.reset(seed=1)
    task = env.task
    obs, reward, _, _, info = env.step(task.completion_prefix + "    return 1 / 0\n")
    assert reward == 0.0
    assert info["status"] == "runtime_error" and "ZeroDivisionError" in (info["error"] or "")
    assert "ZeroDivisionError" in obs["feedback"]


def test_markdown_format_error_runs_nothing(micro_tasks):
    class Exploding(Reward):
        def compute(self, *a, **k):  # pragma: no cover - must not be called
            raise AssertionError("format errors are not scored")

    env = CodeGenEnv(micro_tasks, action_format="markdown", reward=Exploding(), executor="local")
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step("def f(): return 1")
    assert reward == 0.0 and terminated and info["format_error"] and info["evaluation"] is None
    assert env._executor is None  # never started
    env.close()


def test_custom_callable_reward_and_visible_resplit(micro_tasks, local_executor):
    seen = {}

    def partial_credit(evaluation, task, program, **ctx):
        seen.update(ctx)
        return evaluation.tests_passed / evaluation.tests_total

    env = CodeGenEnv(micro_tasks, visible=0, reward=partial_credit, executor=local_executor)
    obs, _ = env.reset(seed=2)
    assert obs["tests"] == "" and env.task.visible_tests == []
    _, reward, _, _, info = env.step(env.task.completion_prefix + f"    return {env.task.hidden_tests[0].expected!r}\n")
    assert 0.0 < reward < 1.0 and seen["turn"] == 1
    assert math.isnan(info["visible_pass_rate"])  # no visible tests: NaN, not None (vector-batchable)


def test_line_rewards_are_passed_through(micro_tasks, local_executor):
    class PerLine(Reward):
        def compute(self, evaluation, task, program, **ctx):
            return RewardOutput(0.5, line_rewards=[0.1] * len(program.splitlines()))

    env = CodeGenEnv(micro_tasks, reward=PerLine(), executor=local_executor)
    env.reset(seed=0)
    _, reward, _, _, info = env.step(env.task.reference)
    assert reward == 0.5 and len(info["line_rewards"]) == len(env.task.reference.splitlines())


def test_task_selection_seeding_and_errors(micro_tasks):
    env = CodeGenEnv(micro_tasks, executor="local")
    ids = [env.reset(seed=s)[0]["task_id"] for s in range(8)]
    assert ids == [env.reset(seed=s)[0]["task_id"] for s in range(8)]
    assert len(set(ids)) > 1
    assert env.reset(options={"task_id": micro_tasks[4].task_id})[0]["task_id"] == micro_tasks[4].task_id
    with pytest.raises(UnknownTaskError):
        env.reset(options={"task_id": "nope"})
    env.reset(seed=0)
    with pytest.raises(ActionError):
        env.step(42)
    with pytest.raises(EnvConfigError):
        CodeGenEnv(micro_tasks, action_format="yaml")
    with pytest.raises(EnvConfigError):
        CodeGenEnv([1, 2]).reset()
    with pytest.raises(EnvConfigError):
        CodeGenEnv(micro_tasks, limits={"nope": 1})


def test_tasks_load_lazily_from_a_spec():
    env = CodeGenEnv("micro:5:0")
    assert env.task_pool._tasks is None  # nothing loaded at construction
    env.reset(seed=0)
    assert len(env.tasks) == 5 and all(t.metadata["level"] == 0 for t in env.tasks)


def test_render_modes(micro_tasks, local_executor, capsys):
    env = CodeGenEnv(micro_tasks, executor=local_executor, render_mode="ansi")
    env.reset(seed=0)
    env.step(env.task.reference)
    text = env.render()
    assert env.task.prompt.strip() in text and "--- code ---" in text and "reward: 1.0" in text
    human = CodeGenEnv(micro_tasks, executor=local_executor, render_mode="human")
    human.reset(seed=0)
    assert "=== task" in capsys.readouterr().out


# -- vectorised -----------------------------------------------------------------------------------------------------

def test_batched_vector_env_runs_all_envs(micro_tasks, local_executor):
    venv = BatchedCodeGenVectorEnv(4, tasks=micro_tasks, executor=local_executor)
    obs, _ = venv.reset(seed=0)
    assert venv.observation_space.contains(obs)
    actions = [env.task.reference for env in venv.envs]
    actions[2] = "def broken(:\n"
    first_ids = list(obs["task_id"])
    obs, rewards, terminated, truncated, infos = venv.step(actions)
    assert rewards.tolist() == [1.0, 1.0, 0.0, 1.0]
    assert terminated.all() and not truncated.any()
    assert list(infos["final_info"]["status"]) == ["passed", "passed", "syntax_error", "passed"]
    assert infos["final_obs"][0]["task_id"] == first_ids[0]
    assert venv.observation_space.contains(obs)  # already reset (same-step autoreset)
    venv.close()


def test_prepared_steps_split_visible_and_hidden_runs_and_batch_the_rest(micro_tasks, local_executor):
    """``prepare_step``/``finish_step`` (vector envs, agents/) never put visible and hidden tests in one request;
    callers that batch only ``pending.request`` get the other requests of the whole batch run in one ``run_many``."""
    from codegym.sandbox.api import Executor

    batches: list[list[str]] = []

    class Counting(Executor):
        def run(self, request):
            return local_executor.run(request)

        def run_many(self, requests, progress=None):
            requests = list(requests)
            batches.append([r.request_id for r in requests])
            return super().run_many(requests, progress)

    executor = Counting(workers=2)
    envs = [CodeGenEnv(micro_tasks, executor=executor) for _ in range(3)]
    for i, env in enumerate(envs):
        env.reset(options={"task_index": i})
    pending = [env.prepare_step(env.task.reference) for env in envs]
    for step, env in zip(pending, envs):
        assert [r.request_id.rsplit("#", 1)[1] for r in step.requests] == ["visible", "hidden"]
        assert list(step.split.visible.tests) == env.task.visible_tests
        assert list(step.split.hidden.tests) == env.task.hidden_tests and step.request is step.split.hidden
    results = executor.run_many([step.request for step in pending])
    outcomes = [env.finish_step(step, result) for env, step, result in zip(envs, pending, results)]
    assert [o[1] for o in outcomes] == [1.0, 1.0, 1.0]
    assert all("visible tests passed" in o[0]["feedback"] for o in outcomes)
    assert len(batches) == 2 and all(b.endswith("#visible") for b in batches[1]) and len(batches[1]) == 3
    # the full form: every request of a step, results in order
    env = envs[0]
    env.reset(options={"task_index": 0})
    step = env.prepare_step(env.task.reference)
    _, reward, *_ , info = env.finish_step(step, executor.run_many(step.requests))
    assert reward == 1.0 and info["visible_total"] == len(env.task.visible_tests)


def test_batched_vector_env_next_step_autoreset(micro_tasks, local_executor):
    venv = BatchedCodeGenVectorEnv(2, tasks=micro_tasks, executor=local_executor, autoreset_mode="next_step")
    venv.reset(seed=1)
    _, rewards, terminated, _, _ = venv.step([env.task.reference for env in venv.envs])
    assert rewards.tolist() == [1.0, 1.0] and terminated.all()
    _, rewards, terminated, _, infos = venv.step(["ignored", "ignored"])
    assert rewards.tolist() == [0.0, 0.0] and not terminated.any() and "task_id" in infos


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_gymnasium_vector_envs(micro_tasks, mode):
    kwargs = {"vector_kwargs": {"shared_memory": False}} if mode == "async" else {}
    venv = gym.make_vec("CodeGen-v0", num_envs=2, vectorization_mode=mode, tasks=micro_tasks, executor="local",
                        **kwargs)
    try:
        venv.reset(seed=0)
        _, rewards, terminated, _, infos = venv.step(["def f(:", "```python\nx = 1\n```"])
        assert rewards.tolist() == [0.0, 0.0] and terminated.all()
        assert infos["status"][0] == "syntax_error"
        assert np.isnan(infos["visible_pass_rate"][0]) or infos["visible_pass_rate"][0] == 0.0
    finally:
        venv.close()


# -- hostile programs -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, status", [
    ("    while True:\n        pass\n", "timeout"),
    ("    print('é' * 3_000_000)\n    return 0\n", None),  # huge non-ASCII output
    ("    import os\n    os._exit(0)\n", None),
    ("    raise SystemExit(1)\n", None),
])
def test_hostile_programs_give_zero_reward_and_valid_observations(micro_tasks, local_executor, body, status):
    import dataclasses

    base = micro_tasks[0]  # two tests keep the timeout case short
    task = dataclasses.replace(base, visible_tests=base.visible_tests[:1], hidden_tests=base.hidden_tests[:1])
    env = CodeGenEnv([task], executor=local_executor, limits={"timeout_s": 1.0})
    obs, _ = env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(task.completion_prefix + body)
    assert reward == 0.0 and terminated and info["status"] != "passed"
    if status:
        assert info["status"] == status
    assert env.observation_space.contains(obs)  # sanitised and capped whatever the program printed
    assert len(obs["feedback"]) <= 8192
