"""Hidden tests never reach the agent: not through observations, not through ``info``, not through ``visible=``.

The attacker is the submitted program itself. It runs in the sandbox next to whatever tests its request holds, so
it can walk its own frames, ``globals()`` and the garbage collector for test data and then print it, write it to
stderr, or raise it in an exception message. The envs must therefore run the visible tests in a request of their
own: whatever the program does there can only ever carry visible data. Hidden tests run in a separate request that
feeds the reward and ``info``'s counts, pass rates and statuses only.

Canary strings mark the hidden tests: they appear in no visible test, no prompt and no submitted program, so finding
one anywhere the agent can read is a leak, whatever format (repr, JSON, traceback) the program exfiltrated it in.
"""

from __future__ import annotations

import dataclasses
import json

import gymnasium as gym
import pytest

import codegym  # noqa: F401  (registers the ids)
from codegym.tasks.builtin import load_builtin
from codegym.tasks.formats.check_split import explode_check_tests
from codegym.tasks.model import AssertTest, CallTest

SCALAR_ENVS = ["CodeGen-v0", "CodeRefine-v0"]
#: HumanEval/32 cannot be split: CodeRefine warns once about it wherever the three tasks below are loaded
NO_HIDDEN_WARNING = "ignore:CodeRefine-v0.*no hidden tests:UserWarning"
CANARY = "CANARY_hidden_7f3a"

#: Finds every test-like dict reachable from its frames and the garbage collector (what an attacker would do).
FINDER = '''
import gc as _cg_gc
import sys as _cg_sys


def _cg_walk(value, out, depth=0):
    if depth > 5:
        return
    if isinstance(value, dict):
        if "index" in value and any(k in value for k in ("code", "calls", "args", "stdin")):
            out.append(value)
        for item in list(value.values()):
            _cg_walk(item, out, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _cg_walk(item, out, depth + 1)


def _cg_loot():
    found = []
    frame = _cg_sys._getframe()
    while frame is not None:
        _cg_walk(dict(frame.f_locals), found)
        _cg_walk(dict(frame.f_globals), found)
        frame = frame.f_back
    for obj in _cg_gc.get_objects():
        if isinstance(obj, dict) and "index" in obj and ("code" in obj or "calls" in obj):
            found.append(obj)
    checks = [v for v in globals().values() if callable(v) and getattr(v, "__name__", "") == "check"]
    return "LOOT" + repr(found) + repr([getattr(c, "__code__", None) and c.__code__.co_consts for c in checks])
'''

REFERENCE_BODY = '''
def fizzbuzz_rules(n, rules):
    out = []
    for i in range(1, n + 1):
        words = "".join(word for divisor, word in rules if i % divisor == 0)
        out.append(words or str(i))
    return out
'''


def _hostile(kind: str, visible_text: str) -> str:
    """Programs that exfiltrate whatever tests share their process, through every channel feedback or info has."""
    if kind == "raise":  # an exception message on every call: the visible failure's feedback carries it
        return FINDER + '''
def fizzbuzz_rules(n, rules):
    raise RuntimeError(_cg_loot())
'''
    if kind == "print":  # correct answers, with the loot on stdout and stderr of every run
        return FINDER + REFERENCE_BODY.replace("    out = []", "    print(_cg_loot())\n    _cg_sys.stderr.write(_cg_loot())\n    out = []")
    # "hidden-fail": correct on the visible tests (read from the observation), loot in the failure of every other
    return FINDER + REFERENCE_BODY.replace("def fizzbuzz_rules", "def _cg_solve") + f'''
_CG_VISIBLE = {json.dumps(visible_text)}


def fizzbuzz_rules(n, rules):
    if f"({{n!r}}, {{rules!r}})" in _CG_VISIBLE:
        return _cg_solve(n, rules)
    raise RuntimeError(_cg_loot())
'''


@pytest.fixture(scope="module")
def canary_task():
    """A built-in assert-style task, plus hidden tests that carry the canary (an assert test and a call test)."""
    task = next(t for t in load_builtin() if t.task_id == "builtin/fizzbuzz-custom-rules")
    canary_assert = AssertTest(code=f"def check(candidate):\n    assert candidate(3, [[1, {CANARY!r}]]) == "
                                    f"[{CANARY!r}] * 3\ncheck(fizzbuzz_rules)\n", entry_point="fizzbuzz_rules",
                               name="canary_assert")
    canary_call = CallTest("fizzbuzz_rules", (2, [[2, CANARY + "_call"]]), expected=["1", CANARY + "_call"],
                           name="canary_call")
    return dataclasses.replace(task, hidden_tests=[canary_assert, *task.hidden_tests, canary_call])


def _agent_readable(obs: dict, info: dict) -> str:
    """Everything an agent or a logging wrapper may read after a step (the program is the agent's own text)."""
    return repr(obs) + repr({k: v for k, v in info.items() if k != "program"})


@pytest.mark.parametrize("kind", ["raise", "print", "hidden-fail"])
@pytest.mark.parametrize("env_id", SCALAR_ENVS)
def test_hostile_program_cannot_exfiltrate_hidden_tests(env_id, kind, canary_task, local_executor):
    assert CANARY not in canary_task.prompt and all(CANARY not in repr(t) for t in canary_task.visible_tests)
    env = gym.make(env_id, tasks=[canary_task], executor=local_executor)
    obs, info = env.reset(seed=0)
    program = _hostile(kind, obs["tests"])
    assert CANARY not in program
    obs, reward, terminated, truncated, info = env.step(program)
    assert CANARY not in repr(obs), "hidden test data reached the observation"
    assert CANARY not in _agent_readable({}, info), "hidden test data reached info"
    # the program did run and did loot what its process held: only the visible tests were there
    if kind == "raise":
        assert "LOOT" in obs["feedback"]
    hidden_total = len(canary_task.hidden_tests)
    assert info["hidden_total"] == hidden_total
    if kind == "print":  # correct on every test: the split run loses no verdict
        assert reward == 1.0 and info["hidden_passed"] == hidden_total and info["visible_passed"] == 3
    if kind == "hidden-fail":
        # the visible tests pass; every hidden failure is known only by its status
        assert info["visible_passed"] == 3 and info["hidden_passed"] < hidden_total and reward == 0.0
        failing = info["failing_test"]
        assert info["error"] is None and failing["status"] and failing["line"] == -1
        assert all(failing[k] == "" for k in ("name", "message", "error_type", "expected", "actual", "stdin",
                                               "call", "stdout", "stderr")), failing
        hidden = info["evaluation"].hidden_outcomes
        assert all(o.message is None and o.stdout is None and o.stderr is None and o.expected is None
                   and o.actual is None and o.call is None and o.name is None for o in hidden)
        assert any(o.status == "runtime_error" for o in hidden)
    if env_id == "CodeRefine-v0" and not (terminated or truncated):
        obs, *_, info = env.step(program)  # the second turn sees the first turn's feedback: still nothing hidden
        assert CANARY not in _agent_readable(obs, info)
    env.close()


@pytest.mark.parametrize("env_id", SCALAR_ENVS)
def test_reward_still_comes_from_the_hidden_tests(env_id, canary_task, local_executor):
    """Splitting the run changes where tests execute, not what decides the reward."""
    env = gym.make(env_id, tasks=[canary_task], executor=local_executor)
    obs, _ = env.reset(seed=0)
    _, reward, terminated, _, info = env.step(_hostile("hidden-fail", obs["tests"]))
    assert reward == 0.0 and info["visible_pass_rate"] == 1.0 and info["hidden_pass_rate"] < 1.0
    assert info["evaluation"].visible_hidden_gap > 0 and info["hacking"]["visible_hidden_gap"] > 0
    env.reset(seed=0)
    _, reward, *_ = env.step(canary_task.reference)
    assert reward == 1.0
    env.close()


# -- visible= on HumanEval's single check() program ----------------------------------------------------------

@pytest.fixture(scope="module")
def humaneval(humaneval_path):
    from codegym.tasks.sources import load_tasks

    wanted = {"HumanEval/0", "HumanEval/32", "HumanEval/151"}
    return [t for t in load_tasks(str(humaneval_path)) if t.task_id in wanted]


def _assertions(tests) -> list[str]:
    """The assert lines of (piece) test programs."""
    return [line.strip() for t in tests for line in t.code.splitlines() if line.strip().startswith("assert ")]


@pytest.mark.filterwarnings(NO_HIDDEN_WARNING)
@pytest.mark.parametrize("visible, n_visible", [(2, 2), (1, 1), (0.5, 4), (1.0, 6), (100, 6), (0, 0)])
@pytest.mark.parametrize("env_id", SCALAR_ENVS)
def test_humaneval_visible_splits_check_by_assertion(env_id, visible, n_visible, humaneval, local_executor):
    """HumanEval/0's check() has 7 assertions: visible=k shows the first k, the rest stay hidden (at least one)."""
    env = gym.make(env_id, tasks=humaneval, visible=visible, executor=local_executor)
    obs, info = env.reset(options={"task_id": "HumanEval/0"})
    task = env.unwrapped.task
    if env_id == "CodeRefine-v0" and n_visible == 0:
        n_visible = 1  # refinement needs feedback: the first assertion is made visible
    assert (len(task.visible_tests), len(task.hidden_tests)) == (n_visible, 7 - n_visible)
    assert info["no_hidden_tests"] is False
    shown = _assertions(task.visible_tests)
    assert len(shown) == n_visible and all(a in obs["tests"] for a in shown)
    for hidden in _assertions(task.hidden_tests):  # hidden assertions never reach the observation
        assert hidden not in obs["tests"]
    # the canonical solution passes every piece; the reward is decided by the hidden ones
    _, reward, *_ , info = env.step(task.reference)
    assert reward == 1.0 and info["hidden_passed"] == info["hidden_total"] == 7 - n_visible
    env.close()


def test_unsplittable_check_keeps_its_test_hidden_in_codegen(humaneval, local_executor):
    """HumanEval/32's only assertion sits in a loop: visible=2 cannot show it without leaving nothing hidden."""
    env = gym.make("CodeGen-v0", tasks=humaneval, visible=2, executor=local_executor)
    obs, info = env.reset(options={"task_id": "HumanEval/32"})
    task = env.unwrapped.task
    assert task.visible_tests == [] and len(task.hidden_tests) == 1 and obs["tests"] == ""
    assert info["no_hidden_tests"] is False
    env.close()


@pytest.mark.filterwarnings(NO_HIDDEN_WARNING)
def test_coderefine_never_shows_the_whole_check(humaneval, local_executor):
    """Without visible=, CodeRefine used to show HumanEval's whole check() and score on it."""
    env = gym.make("CodeRefine-v0", tasks=humaneval, executor=local_executor)
    obs, info = env.reset(options={"task_id": "HumanEval/0"})
    task = env.unwrapped.task
    assert len(task.visible_tests) == 1 and len(task.hidden_tests) == 6 and not info["no_hidden_tests"]
    assert len(_assertions(task.visible_tests)) == 1
    # a program that hard-codes the one visible assertion passes it, ends the episode, and earns nothing
    fitted = task.completion_prefix + "    return True\n"
    _, reward, terminated, _, info = env.step(fitted)
    assert terminated and reward == 0.0
    assert info["visible_pass_rate"] == 1.0 and info["hidden_pass_rate"] < 1.0
    env.close()


def test_coderefine_says_when_a_task_has_no_hidden_tests(humaneval, local_executor):
    env = gym.make("CodeRefine-v0", tasks=humaneval, executor=local_executor)
    with pytest.warns(UserWarning, match=r"1 of 3 tasks have no hidden tests \(HumanEval/32\).*visible tests"):
        obs, info = env.reset(options={"task_id": "HumanEval/32"})
    assert info["no_hidden_tests"] is True
    task = env.unwrapped.task
    assert len(task.visible_tests) == 1 and task.hidden_tests == []
    _, reward, terminated, _, info = env.step(task.reference)
    assert info["no_hidden_tests"] is True and reward == 1.0 and terminated
    import warnings

    with warnings.catch_warnings():  # one warning per env: later resets are silent
        warnings.simplefilter("error")
        env.reset(options={"task_id": "HumanEval/32"})
        env.reset(options={"task_id": "HumanEval/0"})
    env.close()


def test_piece_keeps_only_the_setup_it_needs(humaneval):
    """HumanEval/151 computes one assertion's expected value in setup statements: other pieces must not carry it."""
    task = next(t for t in humaneval if t.task_id == "HumanEval/151")
    pieces = explode_check_tests(task.all_tests)
    with_sum = [p for p in pieces if "odd_sum" in p.code]
    assert len(with_sum) == 1 and "lst = list(range(-99, 100, 2))" in with_sum[0].code
    assert "assert candidate(lst) == odd_sum" in with_sum[0].code
