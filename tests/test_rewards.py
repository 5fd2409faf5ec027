"""Outcome, stage, line, length and shaping rewards on hand-built verdicts with hand-computed values."""

from __future__ import annotations

import pytest
from test_rewards_helpers import make_eval, make_task

from codegym.rewards import (
    AllPassReward,
    ErrorLinePenaltyReward,
    ExecutionLineReward,
    OverlongPenaltyReward,
    PassRatioReward,
    RewardConfigError,
    RLTFReward,
    ShapedReward,
    StageReward,
    TieredTestReward,
    VerpoReward,
    get_reward,
    outcome_bounds,
    soft_overlong_penalty,
)
from codegym.rewards._util import extract_code, line_kinds
from codegym.rewards.base import BinaryPassReward, Reward, RewardOutput
from codegym.tasks.model import CallTest, StdioTest, Task


def score(reward, evaluation, task, **ctx):
    return reward.compute(evaluation, task, evaluation.program, **ctx).reward


# -- outcome rewards -----------------------------------------------------------------------------------------

def test_all_pass_scores_hidden_tests_only():
    task = make_task(n_visible=1, n_hidden=2)
    assert score(AllPassReward(), make_eval(task, ["failed", "passed", "passed"]), task) == 1.0
    assert score(AllPassReward(), make_eval(task, ["passed", "passed", "failed"]), task) == 0.0


def test_all_pass_missing_code_block_scores_zero():
    task = make_task(n_hidden=1)
    ev = make_eval(task, ["passed"])
    reward = AllPassReward(require_code_block=True)
    assert score(reward, ev, task, response="def f(x): return x") == 0.0
    assert score(reward, ev, task, response="here:\n```python\ndef f(x):\n    return x\n```") == 1.0
    assert score(reward, ev, task) == 1.0  # no raw response in the context: the rule cannot apply


def test_all_pass_max_tests_keeps_longest_inputs():
    tests = [CallTest("f", ("x" * n,), expected=None) for n in (1, 50, 2, 40)]
    task = Task("t", "p", hidden_tests=tests, entry_point="f")
    # the short-input tests fail, the two longest pass -> 1.0 with max_tests=2, 0.0 with all tests
    ev = make_eval(task, ["failed", "passed", "failed", "passed"])
    assert score(AllPassReward(max_tests=2), ev, task) == 1.0
    assert score(AllPassReward(), ev, task) == 0.0
    assert score(get_reward("deepcoder"), ev, task) == 0.0  # only 4 tests <= 15: every test counts
    with pytest.raises(RewardConfigError):
        AllPassReward(max_tests=0)


def test_pass_ratio():
    task = make_task(n_hidden=4)
    assert score(PassRatioReward(), make_eval(task, ["passed", "failed", "passed", "passed"]), task) == 0.75


@pytest.mark.parametrize("verdicts,expected", [
    (["passed", "passed", "failed", "failed"], 0.35),  # -0.3 + 1.3 * 0.5
    (["failed", "failed", "failed", "failed"], -0.3),
    (["passed", "passed", "passed", "failed"], -0.3 + 1.3 * 0.75),
    (["passed", "passed", "passed", "passed"], 1.0),
    (["passed", "runtime_error", "passed", "passed"], -0.6),
    (["passed", "timeout", "passed", "passed"], -0.6),
    (["syntax_error"] * 4, -1.0),
])
def test_rltf_levels(verdicts, expected):
    task = make_task(n_hidden=4)
    assert score(RLTFReward(), make_eval(task, verdicts), task) == pytest.approx(expected)


def test_rltf_syntax_error_without_tests():
    task = make_task(n_hidden=2)
    ev = make_eval(task, [], status="syntax_error", error="invalid syntax (line 1)")
    assert score(RLTFReward(), ev, task) == -1.0


def test_tarot_two_basic_one_edge_gives_085():
    task = make_task(n_hidden=5, names=["basic_1", "basic_2", "intermediate_1", "complex_1", "edge_1"])
    ev = make_eval(task, ["passed", "passed", "failed", "failed", "passed"])
    assert score(TieredTestReward(), ev, task) == pytest.approx(0.85)
    # TAROT's own tier names (medium/high) and a tier map in metadata give the same
    task2 = make_task(n_hidden=5, metadata={"test_tiers": ["basic", "basic", "medium", "high", "edge"]})
    assert score(TieredTestReward(), make_eval(task2, ["passed", "passed", "failed", "failed", "passed"]),
                 task2) == pytest.approx(0.85)


def test_tarot_curriculum_and_normalisation():
    task = make_task(n_hidden=4, names=["basic", "intermediate", "complex", "edge"])
    ev = make_eval(task, ["passed", "failed", "failed", "passed"])
    assert score(TieredTestReward(allowed_tiers=["basic"]), ev, task) == pytest.approx(0.35)
    assert score(TieredTestReward(normalize=True), ev, task) == pytest.approx(0.5)
    unknown = make_task(n_hidden=2, names=["mystery", "basic"])
    assert score(TieredTestReward(), make_eval(unknown, ["passed", "passed"]), unknown) == pytest.approx(0.35)


def test_verpo_weights_favour_hard_tests():
    task = make_task(n_hidden=2)
    reward = VerpoReward(dense_weight=1.0)
    # test 0 is always passed, test 1 never: after a group, test 1 weighs far more
    group = [make_eval(task, ["passed", "failed"]) for _ in range(8)]
    outs = reward.compute_batch(group, [task] * 8, [g.program for g in group])
    w0, w1 = outs[0].info["test_weights"]
    assert w1 > w0 and w0 + w1 == pytest.approx(1.0)
    assert outs[0].reward == pytest.approx(w0)  # outcome 0 + weighted share of the easy test
    passing = reward.compute(make_eval(task, ["passed", "passed"]), task, "")
    assert passing.reward == pytest.approx(2.0)  # outcome 1 + all weights
    only_hard = reward.compute(make_eval(task, ["failed", "passed"]), task, "")
    assert only_hard.reward > outs[0].reward  # passing the hard test is worth more than the easy one


def test_bounds_match_rewards():
    task = make_task(n_hidden=4)
    assert outcome_bounds(BinaryPassReward(), task) == (0.0, 1.0)
    assert outcome_bounds(RLTFReward(), task) == pytest.approx((-0.3 + 1.3 * 0.75, 1.0))
    assert outcome_bounds(PassRatioReward(), task) == (0.75, 1.0)
    with pytest.raises(RewardConfigError):
        outcome_bounds(ExecutionLineReward(), task)


# -- stages and line rewards ---------------------------------------------------------------------------------

PROGRAM = "def f(x):\n    # comment\n    y = x + 1\n\n    z = y / 0\n    return z\n"


def test_stage_reward_levels():
    task = make_task(n_hidden=2)
    cases = {("passed", "passed"): (1.0, "passes"), ("passed", "failed"): (-0.3, "runs"),
             ("runtime_error", "passed"): (-0.6, "parses"), ("syntax_error", "syntax_error"): (-1.0, "none")}
    for verdicts, (value, stage) in cases.items():
        out = StageReward().compute(make_eval(task, list(verdicts)), task, "")
        assert (out.reward, out.info["stage"]) == (value, stage)


def test_line_kinds():
    assert line_kinds(PROGRAM) == ["code", "comment", "code", "blank", "code", "code"]
    assert line_kinds('def f():\n    """doc\n    more"""\n    return 1\n') == ["code", "docstring", "docstring",
                                                                            "code"]


def test_execution_line_rewards_up_to_failure():
    task = make_task(n_hidden=1)
    ev = make_eval(task, ["runtime_error"], program=PROGRAM, lines={0: 5})
    out = ExecutionLineReward().compute(ev, task, PROGRAM)
    assert out.line_rewards == [1.0, 0.0, 1.0, 0.0, -1.0, 0.0]
    assert out.reward == -0.6 and out.info["failure_line"] == 5
    passed = ExecutionLineReward().compute(make_eval(task, ["passed"], program=PROGRAM), task, PROGRAM)
    assert passed.line_rewards == [1.0, 0.0, 1.0, 0.0, 1.0, 1.0]
    wrong = ExecutionLineReward().compute(make_eval(task, ["failed"], program=PROGRAM), task, PROGRAM)
    assert wrong.line_rewards == [0.0] * 6


def test_syntax_error_line_from_message():
    task = make_task(n_hidden=1)
    ev = make_eval(task, [], program="x = 1\ny = (\n", status="syntax_error", error="'(' was never closed (line 2)")
    out = ExecutionLineReward().compute(ev, task, ev.program)
    assert out.line_rewards == [0.0, -1.0]


def test_rltf_error_line_penalty():
    task = make_task(n_hidden=2)
    ev = make_eval(task, ["passed", "runtime_error"], program=PROGRAM, lines={1: 5})
    out = ErrorLinePenaltyReward().compute(ev, task, PROGRAM)
    assert out.line_rewards == [0, 0, 0, 0, -1.0, 0] and out.reward == -0.6


# -- length ----------------------------------------------------------------------------------------------------

def test_dapo_soft_overlong_penalty():
    assert soft_overlong_penalty(16384) == 0.0
    assert soft_overlong_penalty(16384 + 2048) == pytest.approx(-0.5)
    assert soft_overlong_penalty(20480) == pytest.approx(-1.0)
    assert soft_overlong_penalty(30000) == -1.0
    assert soft_overlong_penalty(90, max_length=100, cache_length=20) == pytest.approx(-0.5)


def test_overlong_reward_and_truncation_mask():
    task = make_task(n_hidden=1)
    ev = make_eval(task, ["passed"])
    reward = OverlongPenaltyReward(max_length=100, cache_length=20)
    out = reward.compute(ev, task, ev.program, response_length=90, truncated=False)
    assert out.reward == pytest.approx(0.5) and out.info["loss_mask"] == 1.0
    out = reward.compute(ev, task, ev.program, response_length=120, truncated=True)
    assert out.reward == pytest.approx(0.0) and out.info["truncated"] and out.info["loss_mask"] == 0.0
    with pytest.raises(RewardConfigError):
        reward.compute(ev, task, ev.program)  # no length in tokens anywhere
    chars = OverlongPenaltyReward(max_length=10, cache_length=5, unit="chars")
    assert chars.compute(ev, task, "x" * 8).reward == pytest.approx(1.0 - 0.6)


# -- shaping -------------------------------------------------------------------------------------------------

class FixedLines(Reward):
    def __init__(self, values):
        self.values = values

    def compute(self, evaluation, task, program, **context):
        return RewardOutput(0.0, list(self.values))


def test_shaped_reward_psgpo_weights():
    task = make_task(n_hidden=1)
    program = "a = 1\n# note\nb = 2\n"
    shaped = ShapedReward(FixedLines([1.0, 5.0, -0.5]))
    out = shaped.compute(make_eval(task, ["failed"], program=program), task, program)
    # code lines 1 and 3: (1 + -0.5) / 2 = 0.25, failing weight 0.25 -> 0.0625; the comment line is neutral
    assert out.reward == pytest.approx(0.0625)
    assert out.line_rewards == pytest.approx([0.125, 0.0, -0.0625])
    out = shaped.compute(make_eval(task, ["passed"], program=program), task, program)
    assert out.reward == pytest.approx(1.0 + 0.025 * 0.25)


def test_shaped_reward_rejects_unsafe_weights_and_zero_gap():
    with pytest.raises(RewardConfigError):
        ShapedReward(FixedLines([]), pass_weight=0.5, fail_weight=0.5)
    task = make_task(n_hidden=2, names=["mystery", "basic"])  # an unweighted test: failing it costs nothing
    shaped = ShapedReward(FixedLines([1.0]), outcome=TieredTestReward())
    with pytest.raises(RewardConfigError):
        shaped.compute(make_eval(task, ["failed", "passed"]), task, "x = 1\n")


def test_extract_code():
    assert extract_code("a\n```python\nx = 1\n```\nb\n```py\ny = 2\n```") == "y = 2\n"
    assert extract_code("```\nz = 3\n```") == "z = 3\n"
    assert extract_code("no code") is None


def test_registry():
    assert isinstance(get_reward("rltf"), RLTFReward)
    with pytest.raises(RewardConfigError):
        get_reward("nope")


def test_stdio_task_bounds_for_tarot_unknown():
    task = Task("s", "p", hidden_tests=[StdioTest("1", "1", name="edge")])
    assert TieredTestReward().bounds(task) == pytest.approx((0.0, 0.15))


def test_shaping_cannot_rescue_a_format_failure():
    task = make_task(n_hidden=1)
    program = "a = 1\n"
    shaped = ShapedReward(FixedLines([1.0]), outcome=AllPassReward(require_code_block=True))
    out = shaped.compute(make_eval(task, ["passed"], program=program), task, program, response="a = 1")
    assert out.reward == pytest.approx(0.25) and out.info["passed"] is False  # failure ceiling 0 + 0.25 * 1


def test_levels_follow_the_scored_hidden_tests():
    task = make_task(n_visible=1, n_hidden=2)
    # the visible test crashes, the hidden ones pass: the program passes what decides the reward
    ev = make_eval(task, ["runtime_error", "passed", "passed"])
    assert score(RLTFReward(), ev, task) == 1.0 and score(StageReward(), ev, task) == 1.0
    ev = make_eval(task, ["passed", "passed", "timeout"])
    assert score(RLTFReward(), ev, task) == -0.6


def test_tarot_metadata_tiers_align_with_all_tests():
    task = make_task(n_visible=1, n_hidden=3, metadata={"test_tiers": ["edge", "basic", "basic", "edge"]})
    ev = make_eval(task, ["failed", "passed", "passed", "passed"])  # the visible edge test does not count
    assert score(TieredTestReward(), ev, task) == pytest.approx(0.85)


def test_shaped_line_rewards_decompose_the_reward():
    task = make_task(n_hidden=1)
    program = "a = 1\nb = 2\n"
    out = ShapedReward(FixedLines([1.0, 0.5])).compute(make_eval(task, ["failed"], program=program), task, program)
    assert out.line_rewards_in_value is True and out.process_line_rewards == [1.0, 0.5]
    assert out.process_signal == [1.0, 0.5]  # the unweighted signal, not the weighted line rewards
    assert out.reward - sum(out.line_rewards) == pytest.approx(out.info["outcome"]) == 0.0


def test_docs_rewards_blocks_run_as_written(tmp_path):
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/rewards.md", tmp_path) == 2
