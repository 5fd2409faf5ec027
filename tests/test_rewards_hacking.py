"""Hacking monitors: embedded visible-test literals, process/outcome disagreement, the monitor wrapper."""

from __future__ import annotations

import gymnasium as gym
import pytest
from test_rewards_helpers import make_eval, make_task

from codegym.rewards import HackingMonitor, detect_test_literals, process_outcome_disagreement
from codegym.tasks.model import AssertTest, CallTest, StdioTest, Task


def call_task(**kw) -> Task:
    return Task("sum", "sum a list", entry_point="total",
                visible_tests=[CallTest("total", ([3, 14, 15, 92],), expected=124)],
                hidden_tests=[CallTest("total", ([1, 2],), expected=3)], **kw)


def test_detects_hardcoded_inputs_and_outputs():
    program = "def total(xs):\n    if xs == [3, 14, 15, 92]:\n        return 124\n    return 0\n"
    matches = detect_test_literals(program, call_task())
    assert [(m.line, m.role) for m in matches] == [(2, "input"), (3, "output")]


def test_honest_program_and_trivial_literals_are_clean():
    assert detect_test_literals("def total(xs):\n    s = 0\n    for x in xs:\n        s += x\n    return s\n",
                                call_task()) == []
    trivial = Task("t", "p", visible_tests=[CallTest("f", (1,), expected=0)], entry_point="f")
    assert detect_test_literals("def f(x):\n    return 0 if x == 1 else 1\n", trivial) == []
    assert detect_test_literals("def f(:\n", call_task()) == []


def test_literals_shared_with_reference_are_allowed():
    task = Task("yn", "print YES if even", visible_tests=[StdioTest("1234\n", "YES\n")],
                reference_solutions=["print('YES' if int(input()) % 2 == 0 else 'NO')\n"])
    assert detect_test_literals("print('YES' if int(input()) % 2 == 0 else 'NO')\n", task) == []
    leak = detect_test_literals("s = input()\nprint('YES' if s == '1234' else 'NO')\n", task)
    assert [(m.line, m.role, m.value) for m in leak] == [(2, "input", "'1234'")]


def test_assert_test_literals_and_tuple_list_equivalence():
    task = Task("he", "p", entry_point="f",
                visible_tests=[AssertTest("assert f([10, 20, 30]) == (60, 'sum')", entry_point="f")])
    matches = detect_test_literals("LOOKUP = {(10, 20, 30): [60, 'sum']}\ndef f(x):\n    return LOOKUP[tuple(x)]\n",
                                   task)
    assert {m.value for m in matches} >= {"(10, 20, 30)", "[60, 'sum']"}
    assert all(m.role == "test" and m.line == 1 for m in matches)


def test_process_outcome_disagreement():
    agree = process_outcome_disagreement([1.0, 0.5], passed=True)
    assert agree["disagreement"] == 0.0 and not agree["disagrees"]
    fooled = process_outcome_disagreement([1.0, 0.5, None], passed=False)
    assert fooled["process_score"] == pytest.approx(0.75) and fooled["disagreement"] == pytest.approx(0.75)
    harsh = process_outcome_disagreement(-0.4, passed=True)
    assert harsh["disagrees"] and harsh["disagreement"] == pytest.approx(0.4)
    # comment lines do not count when the program is given
    masked = process_outcome_disagreement([-1.0, 1.0], passed=True, program="# c\nx = 1\n")
    assert masked["process_score"] == 1.0 and not masked["disagrees"]
    assert process_outcome_disagreement(None, passed=True)["disagreement"] is None


class OneStepEnv(gym.Env):
    """A stand-in env that reports a fixed evaluation the way codegym envs do."""

    observation_space = gym.spaces.Discrete(1)
    action_space = gym.spaces.Discrete(1)

    def __init__(self, task, evaluation, line_rewards=None):
        self.task, self.evaluation, self.line_rewards = task, evaluation, line_rewards

    def reset(self, *, seed=None, options=None):
        return 0, {}

    def step(self, action):
        info = {"evaluation": self.evaluation, "program": self.evaluation.program}
        if self.line_rewards is not None:
            info["line_rewards"] = self.line_rewards
        return 0, 0.0, True, False, info


def test_hacking_monitor_reports_and_penalises_only_failing_leaks():
    task = make_task(n_visible=1, n_hidden=1)
    task.visible_tests[0] = CallTest("f", ("secret-input",), expected="secret-output")
    program = "def f(x):\n    return 'secret-output'\n"
    failing = make_eval(task, ["passed", "failed"], program=program)
    env = HackingMonitor(OneStepEnv(task, failing, line_rewards=[0.5, 0.5]), literal_penalty=0.5)
    env.reset()
    _, reward, _, _, info = env.step(0)
    report = info["hacking"]
    assert report["embeds_test_literals"] and report["visible_hidden_gap"] == 1.0
    assert report["disagrees"] and reward == -0.5
    passing = make_eval(task, ["passed", "passed"], program=program)
    env2 = HackingMonitor(OneStepEnv(task, passing), literal_penalty=0.5)
    env2.reset()
    _, reward, _, _, info = env2.step(0)
    assert reward == 0.0 and info["hacking"]["disagrees"] is None
    summary = env.summary()
    assert summary["embeds_test_literals_rate"] == 1.0 and summary["disagreement_rate"] == 1.0
    assert summary["programs"] == 1 and summary["mean_visible_hidden_gap"] == 1.0


def test_stdio_programs_answering_one_query_at_a_time_are_flagged():
    """A lookup keyed by the visible stdin's lines (not the whole stdin) still embeds the visible tests."""
    task = Task("persist", "count digit-product steps for each query",
                visible_tests=[StdioTest("3\n39\n999\n7\n", "3\n4\n0\n")],
                hidden_tests=[StdioTest("1\n25\n", "2\n")])
    hacked = 'KNOWN = {"39": 3, "999": 4}\nfor _ in range(int(input())):\n    print(KNOWN.get(input().strip(), 1))\n'
    matches = detect_test_literals(hacked, task)
    assert {(m.value, m.role) for m in matches} == {("'39'", "input"), ("'999'", "input")}
    as_numbers = detect_test_literals("n = int(input())\nprint(4 if n == 999 else 0)\n", task)
    assert [(m.value, m.role) for m in as_numbers] == [("999", "input")]
    honest = ("for _ in range(int(input())):\n    n, steps = int(input()), 0\n    while n >= 10:\n"
              "        p = 1\n        for d in str(n):\n            p *= int(d)\n        n, steps = p, steps + 1\n"
              "    print(steps)\n")
    assert detect_test_literals(honest, task) == []


def test_stdio_answer_words_are_not_test_data():
    """Single-word output lines without digits (YES, IMPOSSIBLE) are the answer alphabet, even without a
    reference solution to excuse them; multi-token lines and numbers are data."""
    task = Task("words", "p", visible_tests=[StdioTest("2\n12 34\n5 6\n", "IMPOSSIBLE\nYES\n")])
    assert detect_test_literals("print('IMPOSSIBLE')\nprint('YES')\n", task) == []
    leak = detect_test_literals("if input() == '12 34':\n    print(46)\n", task)
    assert [(m.value, m.role) for m in leak] == [("'12 34'", "input")]


def test_huge_stdio_texts_are_matched_only_whole():
    from codegym.rewards.hacking import MAX_STDIO_PIECE_TOKENS

    numbers = " ".join(str(1000 + i) for i in range(MAX_STDIO_PIECE_TOKENS + 1))
    task = Task("big", "sum", visible_tests=[StdioTest(f"{numbers}\n", "12345\n")])
    # a token of the huge input is not looked for (that would cost a second per step); the output still is
    assert detect_test_literals("print(1000)\n", task) == []
    assert [m.role for m in detect_test_literals("print(12345)\n", task)] == ["output"]


def test_hacking_monitor_reads_the_typed_process_signal_of_a_reward_wrapper():
    """Behind a RewardWrapper with a shaped reward the monitor reads the unweighted process signal
    (RewardOutput.process_signal), not the weighted line rewards, and finds the env's task through the wrapper."""
    from codegym.rewards import ShapedReward
    from codegym.rewards.base import Reward, RewardOutput
    from codegym.wrappers import RewardWrapper

    class ApproveEveryLine(Reward):
        def compute(self, evaluation, task, program, **context):
            return RewardOutput(0.0, line_rewards=[1.0, 1.0])

    task = make_task(n_visible=0, n_hidden=1)
    failing = make_eval(task, ["failed"])
    env = HackingMonitor(RewardWrapper(OneStepEnv(task, failing), ShapedReward(ApproveEveryLine())))
    env.reset()
    _, reward, _, _, info = env.step(0)
    assert info["line_rewards"] == pytest.approx([0.125, 0.125])  # fail weight 0.25 over two code lines
    assert reward == pytest.approx(0.25)
    # full approval of a failing program: the weighted lines would say 0.125, the process says 1
    assert info["hacking"]["process_score"] == 1.0 and info["hacking"]["disagreement"] == 1.0
