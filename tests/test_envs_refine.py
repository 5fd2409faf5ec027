"""CodeRefine-v0: feedback, termination and the reward modes, on the real local executor."""

from __future__ import annotations

import pytest

from codegym.envs.refine import CodeRefineEnv
from codegym.errors import EnvConfigError, EnvStateError
from codegym.tasks.micro import generate_micro_tasks


@pytest.fixture(scope="module")
def task():
    # a level-1 arithmetic task: two visible and eight hidden call tests
    return generate_micro_tasks(1, seed=11, difficulty=1)[0]


def buggy(task):
    return task.completion_prefix + "    return 1 / 0\n"


def hardcoded_visible(task):
    """Passes the visible tests only: returns their expected values for their inputs, else 0."""
    table = {repr(t.args): t.expected for t in task.visible_tests}
    return task.completion_prefix + f"    return {table!r}.get(repr(({', '.join(_params(task))},)), 0)\n"


def _params(task):
    from codegym.envs.tokens import bind_task

    return bind_task(task).params


def run(env, programs):
    env.reset(options={"task_id": env.tasks[0].task_id})
    steps = []
    for program in programs:
        obs, reward, terminated, truncated, info = env.step(program)
        steps.append((obs, reward, terminated, truncated, info))
        if terminated or truncated:
            break
    return steps


@pytest.mark.parametrize("mode, turn_cost, coef, expected", [
    ("final", 0.0, 1.0, [0.0, 1.0]),
    ("final", 0.1, 1.0, [-0.1, 0.9]),
    ("improvement", 0.0, 0.5, [0.0, 1.5]),  # r2 + 0.5 * (r2 - r1) = 1 + 0.5
    ("improvement", 0.25, 2.0, [-0.25, 2.75]),  # 1 + 2 * (1 - 0) - 0.25
])
def test_bug_fixed_on_turn_two(task, local_executor, mode, turn_cost, coef, expected):
    env = CodeRefineEnv([task], reward_mode=mode, turn_cost=turn_cost, improvement_coef=coef,
                        executor=local_executor)
    steps = run(env, [buggy(task), task.reference, task.reference])
    assert len(steps) == 2
    assert [s[1] for s in steps] == pytest.approx(expected)
    (obs1, _, term1, trunc1, info1), (obs2, _, term2, trunc2, info2) = steps
    assert not term1 and not trunc1 and term2 and not trunc2
    assert info1["turn_reward"] == 0.0 and info2["turn_reward"] == 1.0
    # turn-1 feedback: the failing visible test, the error and its line; the previous code is shown
    assert "ZeroDivisionError" in obs1["feedback"] and "line:" in obs1["feedback"]
    assert obs1["previous_code"] == buggy(task) and int(obs1["turn"]) == 1
    assert int(obs2["turn"]) == 2 and "visible tests passed: 2/2" in obs2["feedback"]


def test_final_mode_returns_the_last_programs_reward_however_the_episode_ends(local_executor):
    """``reward_mode="final"`` pays r_t - r_{t-1} per turn, so the return of any prefix is the last program's
    reward: an outer gymnasium TimeLimit (which the env cannot see) no longer cuts the episode with 0."""
    import gymnasium as gym

    from codegym.tasks.model import CallTest, Task

    visible = [CallTest("square", (1,), expected=1), CallTest("square", (2,), expected=4)]
    hidden = [CallTest("square", (3,), expected=9), CallTest("square", (0,), expected=0)]
    task = Task("t/square", "Write square(x).", visible, hidden, "square")
    broken = "def square(x):\n    return 1 / 0\n"
    solves_hidden_only = "def square(x):\n    return 0 if x == 2 else x * x\n"  # fails square(2): no termination
    wrong = "def square(x):\n    return x\n"

    # cut by an outer TimeLimit at turn 2 (the env's own max_turns is 4): turn 2's program solved the hidden tests
    env = gym.make("CodeRefine-v0", tasks=[task], executor=local_executor, max_episode_steps=2)
    env.reset()
    steps = [env.step(program) for program in (broken, solves_hidden_only)]
    assert [s[3] for s in steps] == [False, True] and not any(s[2] for s in steps)
    assert [s[4]["turn_reward"] for s in steps] == [0.0, 1.0]
    assert [s[1] for s in steps] == [0.0, 1.0]  # the old "final" paid [0.0, 0.0] here
    env.close()

    # a solved program then a worse one: the rewards telescope to the last program's reward (0), the same return
    # as the env's own truncation, with turn_cost on every turn
    env = CodeRefineEnv([task], max_turns=3, turn_cost=0.1, executor=local_executor)
    steps = run(env, [solves_hidden_only, wrong, broken])
    assert [s[4]["turn_reward"] for s in steps] == [1.0, 0.0, 0.0] and steps[-1][3]
    assert [s[1] for s in steps] == pytest.approx([0.9, -1.1, -0.1])
    assert sum(s[1] for s in steps) == pytest.approx(steps[-1][4]["turn_reward"] - 3 * 0.1)


def test_feedback_shows_expected_and_actual(task, local_executor):
    env = CodeRefineEnv([task], executor=local_executor)
    (obs, *_), = run(env, [task.completion_prefix + "    return -12345\n"])[:1]
    visible = task.visible_tests[0]
    assert f"expected: {visible.expected!r}" in obs["feedback"] or str(visible.expected) in obs["feedback"]
    assert "-12345" in obs["feedback"]
    # hidden tests never leak into observations
    visible_calls = {f"{task.entry_point}({', '.join(map(repr, v.args))})" for v in task.visible_tests}
    for hidden in task.hidden_tests:
        call = f"{task.entry_point}({', '.join(map(repr, hidden.args))})"
        assert call in visible_calls or call + "\n" not in obs["feedback"] + "\n" and f"call: {call}" not in obs["feedback"]


def test_truncation_after_max_turns_and_final_reward(task, local_executor):
    env = CodeRefineEnv([task], max_turns=2, executor=local_executor)
    steps = run(env, [buggy(task), buggy(task), buggy(task)])
    assert [(s[2], s[3]) for s in steps] == [(False, False), (False, True)]
    assert [s[1] for s in steps] == [0.0, 0.0]
    with pytest.raises(EnvStateError):
        env.step(task.reference)


def test_passing_visible_only_terminates_without_reward(task, local_executor):
    env = CodeRefineEnv([task], executor=local_executor)
    steps = run(env, [hardcoded_visible(task)])
    _, reward, terminated, _, info = steps[0]
    assert terminated and reward == 0.0
    assert info["visible_pass_rate"] == 1.0 and info["hidden_pass_rate"] < 1.0


def test_format_error_counts_as_a_turn(task, local_executor):
    env = CodeRefineEnv([task], action_format="markdown", executor=local_executor, reward_mode="improvement")
    steps = run(env, ["I would write a function.", f"```python\n{task.reference}\n```"])
    assert steps[0][4]["format_error"] and "format error" in steps[0][0]["feedback"]
    assert [s[1] for s in steps] == [0.0, 2.0]


def test_task_without_visible_tests_gets_one(local_executor):
    task = generate_micro_tasks(1, seed=2, difficulty=0)[0]
    env = CodeRefineEnv([task], visible=0, executor=local_executor)
    env.reset(seed=0)
    assert len(env.task.visible_tests) == 1 and len(env.task.hidden_tests) == len(task.all_tests) - 1


def test_bad_kwargs():
    with pytest.raises(EnvConfigError):
        CodeRefineEnv([], max_turns=0)
    with pytest.raises(EnvConfigError):
        CodeRefineEnv([], reward_mode="sum")
