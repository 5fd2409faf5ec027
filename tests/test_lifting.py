"""Assert tests lifted out of the sandbox (codegym.sandbox.lifting): which tests lift, and that verdicts match."""

from __future__ import annotations

import gzip
import json

import pytest
from test_sandbox_hostile import EXIT_PROGRAMS, FORGED_RECORDS  # tests/ is on sys.path (pytest prepend mode)

from codegym.sandbox import ExecutionRequest, Limits
from codegym.sandbox.lifting import lift
from codegym.tasks.model import AssertTest

FAST = Limits(timeout_s=2.0, memory_mb=256)


def shapes(code: str, entry: str = "f") -> list[str] | None:
    form = lift(AssertTest(code, entry_point=entry))
    return None if form is None else [c.shape for c in form.checks]


@pytest.mark.parametrize("code,expected", [
    ("def check(c):\n    assert c(1) == 2\n    assert 3 == c(2)\ncheck(f)\n", ["eq", "eq"]),
    ("METADATA = {'a': 1}\nimport math\n\ndef check(candidate):\n    '''doc'''\n    assert candidate([1, 2]) != []\n"
     "    assert candidate(x=1) is True\n    assert True, 'debug'\n    assert not candidate(0)\n"
     "    assert candidate('a')\n    assert abs(candidate(1.5) - 2.25) < 1e-6\n    assert abs(3 - candidate(2)) <= 0.1\n"
     "    assert math.isclose(candidate(2), 4.0, rel_tol=1e-3)\n    pass\ncheck(f)\n",
     ["ne", "is", "falsy", "truthy", "abs", "abs", "isclose"]),
    ("assert f(1) == 2\nassert f((1, 2), k={3}) == -1\n", ["eq", "eq"]),  # MBPP style
    ("def check(c):\n    assert c(1) == 2\ncheck(Solution().f)\n", ["eq"]),
    # arithmetic on literals, conversions around the call, computed messages (HumanEval/4, /8, /37, /77 style)
    ("def check(c):\n    assert abs(c([1.0, 2.0]) - 2.0/3.0) < 1e-6\n    assert c(3 * 19) == (3 + 5, 3 * 5)\n"
     "    assert tuple(c([1, 2])) == tuple([1, 2])\n    assert len(sorted(c(-1))) == 2 ** 3\n"
     "    assert c(1) == True, 'error: ' + str(c(1))\ncheck(f)\n", ["abs", "eq", "eq", "eq", "eq"]),
])
def test_liftable_shapes(code, expected):
    assert shapes(code, entry="Solution().f" if "Solution" in code else "f") == expected


@pytest.mark.parametrize("code", [
    "def check(c):\n    for x in range(3):\n        assert c(x) == x\ncheck(f)\n",          # a loop
    "def check(c):\n    x = 1\n    assert c(x) == 2\ncheck(f)\n",                          # a computed argument
    "def check(c):\n    assert c('a' * 10 ** 9) == 2\ncheck(f)\n",                        # too big to fold
    "def check(c):\n    assert c(10 ** 10 ** 9) == 2\ncheck(f)\n",                       # too big to fold
    "def check(c):\n    assert c(1) == helper(2)\ncheck(f)\n",                           # an unknown function
    "def helper():\n    return 1\ndef check(c):\n    assert c(1) == helper()\ncheck(f)\n",  # a helper
    "def check(c):\n    assert c(1) == 2\ncheck(g)\n",                                     # another function
    "def check(c):\n    assert c(1) == 2\ncheck(f)\ncheck(f)\n",                           # called twice
    "def check(c):\n    assert c(1) < 2\ncheck(f)\n",                                      # another comparison
    "def check(c):\n    assert c(1) == 2\n",                                               # never called
    "def check(c):\n    assert c(*[1]) == 2\ncheck(f)\n",                                  # starred arguments
    "def check(c):\n    pass\ncheck(f)\n",                                                 # nothing to check
    "f = lambda x: 0\nassert f(1) == 2\n",                                                 # redefines the entry
])
def test_not_liftable(code):
    assert shapes(code) is None


def test_most_of_humaneval_lifts(humaneval_path):
    rows = [json.loads(line) for line in gzip.open(humaneval_path, "rt")]
    lifted = [lift(AssertTest(r["test"] + f"\ncheck({r['entry_point']})", entry_point=r["entry_point"]))
              for r in rows]
    assert sum(f is not None for f in lifted) >= 0.9 * len(rows)


PROGRAMS = {
    "right": "def f(x):\n    return x * 2\n",
    "wrong": "def f(x):\n    return x * 2 + (x == 3)\n",
    "raises": "def f(x):\n    if x == 3:\n        raise KeyError(x)\n    return x * 2\n",
    "float_close": "def f(x):\n    return x * 2 + 1e-9\n",
    "tuple_not_list": "def f(x):\n    return (x * 2,) if x == 3 else x * 2\n",
    "bool_is_int": "def f(x):\n    return True if x == 0 else x * 2\n",
}
TEST_CODE = ("def check(candidate):\n    assert candidate(1) == 2\n    assert candidate(3) == 6\n"
             "    assert abs(candidate(2) - 4) < 1e-6\n    assert candidate(0) == 1 or True\ncheck(f)\n")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_lifted_verdicts_match_running_the_assertions_in_process(local_executor, name):
    # `... or True` is not liftable, so this test runs in the sandbox; without it the same assertions are lifted.
    in_process = AssertTest(TEST_CODE, entry_point="f")
    liftable = AssertTest(TEST_CODE.replace("    assert candidate(0) == 1 or True\n", ""), entry_point="f")
    assert lift(in_process) is None and lift(liftable) is not None
    a = local_executor.run(ExecutionRequest(program=PROGRAMS[name], tests=[in_process], limits=FAST))
    b = local_executor.run(ExecutionRequest(program=PROGRAMS[name], tests=[liftable], limits=FAST))
    assert a.passed == b.passed == (name in ("right", "bool_is_int")), (a.to_json(), b.to_json())
    assert a.tests[0].status == b.tests[0].status
    if name == "wrong":
        assert b.tests[0].message == "failed: assert candidate(3) == 6" and b.tests[0].actual == "7"
    if name == "raises":
        assert b.tests[0].error_type == "KeyError"


def test_rigged_objects_never_pass_a_lifted_assertion(local_executor):
    program = ("class Yes:\n    def __eq__(self, o):\n        return True\n    def __bool__(self):\n        return True\n"
               "    def __sub__(self, o):\n        return 0\n    def __abs__(self):\n        return 0\n"
               "def f(x):\n    return Yes()\n")
    for code in ("assert f(1) == 2\n", "assert abs(f(1) - 2) < 1e-6\n", "assert 2 == f(1)\n"):
        r = local_executor.run(ExecutionRequest(program=program, tests=[AssertTest(code, entry_point="f")],
                                                limits=FAST))
        assert not r.passed, (code, r.to_json())
    # Truthiness and ``!=`` are the program's to answer, as in Python: returning True or 4 passes these too, so an
    # object that says so forges nothing. (The object goes to the harness, which asks the program for bool().)
    for code in ("assert f(1)\n", "assert f(1) != 3\n"):
        r = local_executor.run(ExecutionRequest(program=program, tests=[AssertTest(code, entry_point="f")],
                                                limits=FAST))
        assert r.passed, (code, r.to_json())


ASSERT_WITHOUT_REFERENCE = [AssertTest("def check(candidate):\n    assert candidate(1, 2) == 3\n"
                                       "    assert candidate(5, 7) == 12\ncheck(add)\n", entry_point="add")]


@pytest.mark.parametrize("name", sorted(FORGED_RECORDS) + sorted(EXIT_PROGRAMS))
def test_forgeries_fail_lifted_tests_even_without_a_reference(local_executor, name):
    # In the sandbox, an assert test without a reference is only as trustworthy as the process that ran it; lifted,
    # the expected values never enter that process and forged frames name tests that are not on the wire.
    program = {**FORGED_RECORDS, **EXIT_PROGRAMS}[name]
    r = local_executor.run(ExecutionRequest(program=program, tests=ASSERT_WITHOUT_REFERENCE, limits=FAST))
    assert not r.passed, r.to_json()


def test_lifting_can_be_turned_off(local_executor):
    program = "def f(x):\n    return x * 2\n"
    test = AssertTest("assert f(1) == 2\n", entry_point="f")
    local_executor.lift_asserts = False
    try:
        r = local_executor.run(ExecutionRequest(program=program, tests=[test], limits=FAST))
    finally:
        local_executor.lift_asserts = True
    assert r.passed


def test_a_lifted_set_conversion_refuses_colliding_items(monkeypatch):
    """``set(candidate(x))`` is applied in the judge: items built to share a hash (integers congruent modulo
    2**61-1) would make it quadratic, so they are refused before any set is built."""
    import pytest

    from codegym.runtime.codec import DecodeError, check_hash_collisions
    from codegym.sandbox import lifting

    colliding = [k * ((1 << 61) - 1) for k in range(1, 200)]
    with pytest.raises(DecodeError):
        check_hash_collisions(colliding)
    check_hash_collisions(list(range(100_000)) + [1, 1.0, True])  # equal items may share a hash
    built = []
    monkeypatch.setitem(lifting.CONVERSIONS, "set", lambda v: built.append(v) or set(v))
    check = lifting.LiftedCheck(args=(1,), shape="eq", expected={1, 2}, conversions=("set",))
    assert not check.holds(colliding) and built == []
    assert check.holds([2, 1, 2]) and len(built) == 1
