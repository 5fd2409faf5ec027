"""CoderTester-v0: CURE rewards (hand-computed), action parsing, rounds, on the real local executor."""

from __future__ import annotations

import json

import numpy as np
import pytest

from codegym.envs import coder_tester_v0
from codegym.envs.coder_tester.game import cure_rewards, parse_codes, parse_tests
from codegym.errors import EnvConfigError
from codegym.tasks.model import AssertTest, CallTest, StdioTest, Task

ABS_PREFIX = "def absolute(x):\n    \"\"\"Return the absolute value of x.\"\"\"\n"


@pytest.fixture(scope="module")
def abs_task():
    return Task(task_id="ct/absolute", prompt=ABS_PREFIX, entry_point="absolute",
                hidden_tests=[CallTest("absolute", (3,), expected=3), CallTest("absolute", (-4,), expected=4),
                              CallTest("absolute", (0,), expected=0)],
                reference_solutions=[ABS_PREFIX + "    return abs(x)\n"], completion_prefix=ABS_PREFIX)


CODES = [
    ABS_PREFIX + "    return abs(x)\n",                    # correct
    ABS_PREFIX + "    return x if x >= 0 else -x\n",       # correct
    ABS_PREFIX + "    return x\n",                         # wrong: fails absolute(-4)
    ABS_PREFIX + "    return -x\n",                        # wrong: fails absolute(3)
]
TESTS = [
    {"input": [-5], "output": 5},   # kills code 2, correct codes pass          -> +1/2
    {"input": [7], "output": 7},    # kills code 3                               -> +1/2
    {"input": [2], "output": -2},   # wrong test: rejects correct codes; code 3 passes -> -1/2
    {"input": [0], "output": 0},    # every code passes: kills nothing          ->  0
    "not a test",                   # invalid element                           -> -1
]


def test_cure_rewards_hand_matrix():
    gt = np.array([[1, 1, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]], dtype=bool)
    gen = np.array([[1, 1, 0, 1], [1, 1, 0, 1], [0, 1, 0, 1], [1, 0, 1, 1]], dtype=bool)
    out = cure_rewards(gt, gen)
    assert out.correct == [True, True, False, False]
    assert out.code_rewards == pytest.approx([1.0, 1.0, 2 / 3, 2 / 3])
    assert out.test_rewards == pytest.approx([0.5, 0.5, -0.5, 0.0])
    assert cure_rewards(gt, gen, normalize=False).test_rewards == pytest.approx([1.0, 1.0, -1.0, 0.0])


def test_cure_rewards_edge_cases():
    # no correct code: the sign is vacuously +1, the scale is the share of (all) codes the test rejects
    out = cure_rewards(np.array([[0, 1], [1, 0]], bool), np.array([[0, 1], [1, 1]], bool))
    assert out.correct == [False, False] and out.test_rewards == pytest.approx([0.5, 0.0])
    # no wrong code: a test cannot tell codes apart
    out = cure_rewards(np.array([[1], [1]], bool), np.array([[1, 0], [1, 1]], bool))
    assert out.test_rewards == [0.0, 0.0]
    assert out.test_rewards[0] == 0.0 and str(out.test_rewards[1]) == "0.0"  # no -0.0
    with pytest.raises(ValueError):
        cure_rewards(np.ones((2, 1), bool), np.ones((3, 1), bool))


def test_round_reproduces_hand_computed_matrix(abs_task, local_executor):
    env = coder_tester_v0.env(tasks=[abs_task], n_codes=4, n_tests=5, executor=local_executor)
    env.reset(seed=0)
    assert env.agent_selection == "coder"
    env.step(json.dumps(CODES))
    assert env.rewards == {"coder": 0.0, "tester": 0.0}  # nothing is scored before the round completes
    env.step(json.dumps(TESTS))
    coder_info, tester_info = env.infos["coder"], env.infos["tester"]
    expected_matrix = [
        # ground truth |  generated t0..t3
        [1, 1, 1, 1, 1, 0, 1],
        [1, 1, 1, 1, 1, 0, 1],
        [1, 0, 1, 0, 1, 0, 1],
        [0, 1, 1, 1, 0, 1, 1],
    ]
    assert coder_info["matrix"] == expected_matrix and coder_info["n_ground_truth_tests"] == 3
    assert coder_info["correct_codes"] == [True, True, False, False]
    assert coder_info["code_rewards"] == pytest.approx([1.0, 1.0, 2 / 3, 2 / 3])
    assert tester_info["test_rewards"] == pytest.approx([0.5, 0.5, -0.5, 0.0, -1.0])
    assert env.rewards["coder"] == pytest.approx(5 / 6)
    assert env.rewards["tester"] == pytest.approx(-0.1)
    assert all(env.terminations.values())
    _, reward, terminated, _, _ = env.last()
    assert terminated and reward == pytest.approx(5 / 6)  # the coder is selected again, with its reward


def test_parallel_round_and_second_round_feedback(abs_task, local_executor):
    par = coder_tester_v0.parallel_env(tasks=[abs_task], n_codes=4, n_tests=5, rounds=2, executor=local_executor)
    observations, _ = par.reset(seed=0)
    assert int(observations["coder"]["round"]) == 0 and observations["coder"]["feedback"] == ""
    observations, rewards, terminations, _, infos = par.step({"coder": json.dumps(CODES),
                                                              "tester": json.dumps(TESTS)})
    assert rewards["tester"] == pytest.approx(-0.1) and not any(terminations.values())
    coder_feedback = json.loads(observations["coder"]["feedback"])
    assert coder_feedback["tester_tests"][0] == "absolute(-5) == 5"
    assert coder_feedback["your_codes_passed"][2] == [False, True, False, True]
    tester_feedback = json.loads(observations["tester"]["feedback"])
    assert tester_feedback["codes_correct"] == [True, True, False, False]
    assert int(observations["tester"]["round"]) == 1
    observations, rewards, terminations, _, infos = par.step({"coder": CODES[0],
                                                              "tester": "assert absolute(-2) == 2"})
    assert all(terminations.values())
    assert infos["coder"]["code_rewards"] == [1.0] and infos["tester"]["test_rewards"] == [0.0]


def test_parse_codes_formats():
    parsed = parse_codes(json.dumps(["```python\nx = 1\n```", "y = 2", 3]), n_codes=2)
    assert parsed.programs == ["x = 1\n", "y = 2"] and "only the first 2" in parsed.note
    assert parse_codes("plain text, no block", 4, "markdown").programs == [None]
    assert parse_codes("[not json", 4).programs == ["[not json"]


def test_parse_tests_formats(abs_task):
    parsed = parse_tests("```json\n[{\"input\": {\"args\": [1], \"kwargs\": {}}, \"output\": 1}, {\"input\": 4, "
                         "\"output\": 4}]\n```", abs_task, 4)
    assert parsed.tests == [CallTest("absolute", (1,), expected=1, name="generated_0"),
                            CallTest("absolute", (4,), expected=4, name="generated_1")]
    asserts = parse_tests("Some tests:\nassert absolute(-3) == 3\nassert absolute(2) == 2\n", abs_task, 1)
    assert asserts.tests == [AssertTest("assert absolute(-3) == 3", name="generated_0")]
    assert "only the first 1" in asserts.errors[-1]
    broken = parse_tests("[{\"input\": [1], ", abs_task, 4)
    assert broken.tests == [] and "do not parse" in broken.errors[0]
    missing = parse_tests('[{"input": [1]}]', abs_task, 4)
    assert missing.tests == [None] and "output" in missing.errors[0]
    nothing = parse_tests("I think it works", abs_task, 4)
    assert nothing.tests == [] and "no tests found" in nothing.errors[0]


def test_parse_tests_stdio_task():
    task = Task(task_id="ct/echo", prompt="Print the sum of two integers.",
                hidden_tests=[StdioTest("1 2\n", "3\n")])
    parsed = parse_tests('[{"input": "4 5", "output": "9"}, {"input": ["1 1"], "output": 2}]', task, 4)
    assert parsed.tests == [StdioTest("4 5\n", "9", name="generated_0"), StdioTest("1 1\n", "2", name="generated_1")]
    asserts = parse_tests("assert main() == 3", task, 4)
    assert asserts.tests == [None] and "stdin/stdout" in asserts.errors[0]


def test_stdio_round(local_executor):
    task = Task(task_id="ct/sum", prompt="Read two integers and print their sum.",
                hidden_tests=[StdioTest("1 2\n", "3\n"), StdioTest("-4 4\n", "0\n")],
                reference_solutions=["a, b = map(int, input().split())\nprint(a + b)\n"])
    env = coder_tester_v0.raw_env(tasks=[task], n_codes=2, n_tests=2, executor=local_executor)
    env.reset(seed=0)
    env.step(json.dumps(["a, b = map(int, input().split())\nprint(a + b)\n",
                         "a, b = map(int, input().split())\nprint(a * b)\n"]))
    env.step(json.dumps([{"input": "2 3", "output": "5"}, {"input": "2 2", "output": "4"}]))
    assert env.infos["coder"]["code_rewards"] == [1.0, 0.0]
    assert env.infos["tester"]["test_rewards"] == [1.0, 0.0]


def test_bad_kwargs_and_render(abs_task, local_executor):
    with pytest.raises(EnvConfigError):
        coder_tester_v0.raw_env(tasks=[abs_task], n_codes=0)
    env = coder_tester_v0.raw_env(tasks=[abs_task], n_codes=2, n_tests=2, executor=local_executor,
                                  render_mode="ansi")
    env.reset(seed=0)
    env.step(json.dumps(CODES[:2]))
    env.step(json.dumps(TESTS[:2]))
    text = env.render()
    assert "--- round 1: codes ---" in text and "matrix" in text and "absolute(-5) == 5" in text


def test_leetcode_round_with_method_entry_point(leetcode_path, local_executor):
    """A real LeetCode task (entry point ``Solution().method``): generated call tests target the method."""
    from codegym.tasks.sources import load_tasks

    task = load_tasks(str(leetcode_path), limit=1)[0]
    assert task.entry_point.startswith("Solution().")
    env = coder_tester_v0.raw_env(tasks=[task], n_codes=2, n_tests=2, executor=local_executor)
    env.reset(seed=0)
    env.step(json.dumps([task.reference, "class Solution:\n    pass\n"]))
    env.step(json.dumps([{"input": [[1, 2, 3]], "output": 1}]))  # wrong arity: rejects the correct code too
    assert env.infos["coder"]["code_rewards"] == [1.0, 0.0]
    assert env.infos["tester"]["tests"] == [f"{task.entry_point}([1, 2, 3]) == 1"]
    # sign -1 (the correct code fails it), and no wrong code passes it: -0/1 = 0
    assert env.infos["tester"]["test_rewards"] == [0.0]


# -- a hostile tester gets no oracle ------------------------------------------------------------------------------

#: One assert line that hunts the process for the ground-truth tests -- its frames, ``globals()``, every dict the
#: garbage collector tracks, any ``check`` function -- and runs what it finds on the candidate: were a ground-truth
#: test in its process it would accept exactly the codes that pass them (a perfect oracle, tester reward 1.0).
ORACLE = r'''
import gc, sys
def _oracle(g):
    found = []
    def walk(v, d=0):
        if d > 5:
            return
        if isinstance(v, dict):
            if "index" in v and ("code" in v or "calls" in v) and "_oracle" not in str(v.get("code", "")):
                found.append(v)
            for x in list(v.values()):
                walk(x, d + 1)
        elif isinstance(v, (list, tuple)):
            for x in v:
                walk(x, d + 1)
    f = sys._getframe()
    while f is not None:
        walk(dict(f.f_locals))
        walk(dict(f.f_globals))
        f = f.f_back
    for o in gc.get_objects():
        if isinstance(o, dict):
            walk(o, 5)
    fn = g["chunk"]
    for t in found:
        if "code" in t:
            exec(t["code"], dict(g))
        for c in t.get("calls") or []:
            fn(*c.get("args", []))
    if callable(g.get("check")):
        g["check"](fn)
    return bool(found)
'''
HOSTILE_TESTER = "assert exec(" + json.dumps(ORACLE) + ", globals()) or _oracle(globals())"

MUTATES = ("def chunk(items, size):\n    out = []\n    while items:\n        out.append(items[:size])\n"
           "        del items[:size]\n    return out\n")  # right chunks, but empties its argument
ONE_CHUNK = "def chunk(items, size):\n    return [items]\n"


@pytest.mark.parametrize("parallel", [True, False], ids=["parallel", "aec"])
def test_hostile_tester_cannot_run_the_ground_truth(parallel, local_executor):
    from codegym.envs import make_multiagent
    from codegym.tasks.builtin import load_builtin

    task = next(t for t in load_builtin() if t.task_id == "builtin/chunk-list")
    codes = [task.reference, MUTATES, ONE_CHUNK, task.reference]
    kwargs = {"tasks": [task], "n_codes": 4, "n_tests": 1, "executor": local_executor}
    env = make_multiagent("CoderTester-v0", parallel=parallel, **kwargs)
    if parallel:
        observations, _ = env.reset(seed=0)
        observations, rewards, _, _, infos = env.step({"coder": json.dumps(codes), "tester": HOSTILE_TESTER})
        tester_obs = observations["tester"]
    else:
        env.reset(seed=0)
        env.step(json.dumps(codes))
        env.step(HOSTILE_TESTER)
        rewards, infos, tester_obs = env.rewards, env.infos, env.observe("tester")
    assert infos["coder"]["correct_codes"] == [True, False, False, True]  # both wrong codes fail ground truth
    # The oracle found no ground-truth test in its process: it cannot tell the wrong codes from the right ones.
    assert infos["tester"]["test_rewards"] == [0.0] and rewards["tester"] == 0.0
    gen_column = [row[-1] for row in infos["tester"]["matrix"]]
    assert gen_column[1:3] == [gen_column[0]] * 2  # the same verdict on right and wrong codes: no information
    # and nothing of the hidden ground-truth tests reaches the tester (the visible ones are in its observation)
    readable = repr(tester_obs) + repr(infos["tester"])
    for test in task.hidden_tests:
        for line in test.code.splitlines():
            if line.strip().startswith("assert "):
                assert line.strip() not in readable
    assert "the arguments must not be modified" not in readable
    env.close()


def test_tester_tests_run_apart_from_ground_truth(abs_task, local_executor):
    """Each code runs twice: the ground truth in one request, the tester's tests in another (no reference)."""
    from codegym.envs.coder_tester.game import parse_tests, play_round
    from codegym.sandbox.api import Executor

    seen = []

    class Recording(Executor):
        def run(self, request):
            seen.append(request)
            return local_executor.run(request)

    tests = parse_tests(json.dumps(TESTS[:2]), abs_task, 4).tests
    result = play_round(abs_task, CODES[:2], tests, Recording(workers=1))
    assert len(seen) == 4 and result.gen_pass.shape == (2, 2)
    gt_requests = [r for r in seen if not r.request_id.endswith("#tester")]
    tester_requests = [r for r in seen if r.request_id.endswith("#tester")]
    assert len(gt_requests) == len(tester_requests) == 2
    assert all(list(r.tests) == abs_task.all_tests for r in gt_requests)
    assert all(list(r.tests) == tests and r.reference is None for r in tester_requests)


def test_pettingzoo_docs_page_runs(tmp_path):
    """docs/pettingzoo.md: the parallel and AEC APIs, the missing-agent error and PettingZoo's API tests."""
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/pettingzoo.md", tmp_path) == 4
