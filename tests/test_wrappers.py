"""Rewards in their three uses on real executions: env wrapper, TRL reward function, verl compute_score; plus
coverage (FGO) and ACECode efficiency measured through the sandbox."""

from __future__ import annotations

import pytest

from codegym.evaluation import evaluate_program
from codegym.rewards import (
    CoverageMaskReward,
    ExecutionLineReward,
    HackingMonitor,
    RLTFReward,
    ShapedReward,
)
from codegym.rewards.adapters import make_verl_compute_score, trl_reward_function
from codegym.rewards.coverage import executed_lines
from codegym.rewards.efficiency import EfficiencyReward
from codegym.tasks.model import AssertTest, CallTest, StdioTest, Task
from codegym.wrappers import RewardWrapper

ADD = Task("toy/add", "Write add(a, b).", entry_point="add",
           visible_tests=[CallTest("add", (1, 2), expected=3)],
           hidden_tests=[CallTest("add", (20, 22), expected=42), AssertTest("assert add(-5, 5) == 0", "add")],
           reference_solutions=["def add(a, b):\n    return a + b\n"])
GOOD = "def add(a, b):\n    return a + b\n"
CRASH = "def add(a, b):\n    total = a + b\n    return total / 0\n"


def make_env(**kw):
    from codegym.envs.codegen import CodeGenEnv

    return CodeGenEnv(tasks=[ADD], action_format="code", **kw)


def test_reward_wrapper_replaces_reward_with_rltf_and_keeps_line_rewards():
    env = RewardWrapper(make_env(), ShapedReward(ExecutionLineReward(), outcome=RLTFReward()))
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(CRASH)
    assert terminated and info["env_reward"] == 0.0
    out = info["reward_output"]
    assert out.info["outcome"] == -0.6 and out.info["process_info"]["failure_line"] == 3
    # failing weight 0.25 of RLTF's gap on 2 hidden tests: 1 - (-0.3 + 1.3 / 2) = 0.65
    assert out.info["outcome_gap"] == pytest.approx(0.65)
    # lines 1-2 ran (+1 each), line 3 raised (-1): shaping (1 + 1 - 1) / 3 code lines
    assert reward == pytest.approx(-0.6 + 0.25 * 0.65 * (1 + 1 - 1) / 3)
    assert len(info["line_rewards"]) == 3 and info["line_rewards"][2] < 0 < info["line_rewards"][0]
    env.reset(seed=0)
    _, reward, _, _, info = env.step(GOOD)
    assert reward == pytest.approx(1.0 + 0.025 * 0.65 * 1.0)


def test_hacking_monitor_on_a_real_env():
    leaky = "def add(a, b):\n    if (a, b) == (1, 2):\n        return 3\n    return 0\n"
    env = HackingMonitor(make_env())
    env.reset(seed=0)
    _, reward, _, _, info = env.step(leaky)
    report = info["hacking"]
    assert reward == 0.0 and report["visible_hidden_gap"] == 0.5  # add(-5, 5) == 0 passes by luck
    assert [m["role"] for m in report["test_literals"]] == ["input"]


def test_trl_reward_function_scores_a_batch():
    fn = trl_reward_function(RLTFReward(), [ADD], code_mode="markdown")
    completions = [[{"role": "assistant", "content": f"```python\n{GOOD}```"}],
                   [{"role": "assistant", "content": f"```python\n{CRASH}```"}],
                   [{"role": "assistant", "content": "no code here"}]]
    # the keywords TRL's GRPOTrainer passes besides the dataset columns are accepted and ignored
    rewards = fn(prompts=["p"] * 3, completions=completions, completion_ids=[[1], [2], [3]],
                 task_id=["toy/add"] * 3, trainer_state=None, log_extra=lambda *a: None,
                 log_metric=lambda *a: None)
    assert rewards == pytest.approx([1.0, -0.6, 0.0])
    plain = trl_reward_function(RLTFReward(), {"toy/add": ADD}, code_mode="code")
    assert plain(prompts=["p"], completions=[GOOD], task_id=["toy/add"]) == [1.0]
    from codegym.errors import UnknownTaskError
    from codegym.rewards import RewardConfigError

    with pytest.raises(RewardConfigError):
        plain(prompts=["p"], completions=[GOOD])  # no task_id column
    with pytest.raises(UnknownTaskError):
        plain(prompts=["p"], completions=[GOOD], task_id=["nope"])
    assert fn.__name__ == "codegym_rltf"


def test_verl_compute_score_single_and_batched():
    compute_score = make_verl_compute_score(RLTFReward())
    single = compute_score("codegym", f"```python\n{GOOD}```", ADD.to_json(), None)
    assert single["score"] == 1.0
    batch = compute_score(["codegym"] * 2, [GOOD, CRASH], [ADD.to_json()] * 2, [{}, {}])
    assert [b["score"] for b in batch] == pytest.approx([1.0, -0.6])


def test_coverage_marks_executed_lines_for_call_and_stdio_tasks():
    program = ("def add(a, b):\n    if a > 1000:\n        return 0\n    print('noise')\n    return a + b\n\n"
               "def unused():\n    return 1\n")
    assert executed_lines(ADD, program) == {1, 2, 4, 5, 7}
    stdio = Task("toy/clip", "clip", hidden_tests=[StdioTest("5\n", "5\n"), StdioTest("-1\n", "0\n")])
    assert executed_lines(stdio, "n = int(input())\nif n < 0:\n    n = 0\nprint(n)\n") == {1, 2, 3, 4}
    assert executed_lines(stdio, "n = int(input())\nif n > 100:\n    n = 0\nprint(n)\n") == {1, 2, 4}


def test_a_forged_coverage_marker_costs_nothing_and_stays_within_the_program():
    """The coverage driver runs in the program's process, so the program can print a marker of its own (and exit
    before the driver's): its ranges are read only within the program's lines (no 10**12-element range is built)."""
    program = ("import os\n"
               "def add(a, b):\n"
               "    os.write(1, b'\\n__CODEGYM_COVERAGE__ {\"lines\": \"1-1000000000000,-5,7-3\"}\\n')\n"
               "    os._exit(0)\n")
    lines = executed_lines(ADD, program)
    assert lines is not None and lines <= set(range(1, len(program.splitlines()) + 2))
    from codegym.rewards.coverage import parse_ranges

    assert parse_ranges("1-1000000000000,9", max_line=10) == set(range(1, 11))
    assert parse_ranges("-5,7-3,3", max_line=10) == {3}


def test_fgo_mask_zeroes_unexecuted_lines():
    program = "def add(a, b):\n    if a > 1000:\n        return 0\n    return a + b\n"
    ev = evaluate_program(ADD, program)
    out = CoverageMaskReward(ExecutionLineReward()).compute(ev, ADD, program)
    assert out.info["line_mask"] == [1, 1, 0, 1]
    assert out.line_rewards == [1.0, 1.0, 0.0, 1.0]


def test_efficiency_reward_prefers_the_faster_program():
    task = Task("toy/sum", "sum 1..n", entry_point="total",
                hidden_tests=[CallTest("total", (300_000,), expected=sum(range(300_001)))],
                reference_solutions=["def total(n):\n    return n * (n + 1) // 2\n"])
    slow = "def total(n):\n    s = 0\n    for i in range(n + 1):\n        s += i\n    return s\n"
    reward = EfficiencyReward(repeats=3)
    fast_out = reward.compute(evaluate_program(task, task.reference), task, task.reference)
    slow_out = reward.compute(evaluate_program(task, slow), task, slow)
    wrong = "def total(n):\n    return n\n"
    assert reward.compute(evaluate_program(task, wrong), task, wrong).reward == 0.0
    assert 0.5 <= slow_out.reward < fast_out.reward <= 1.0
    assert slow_out.info["speed_ratio"] < 1.0 and slow_out.info["efficiency"] == "measured"
