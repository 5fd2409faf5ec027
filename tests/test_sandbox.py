"""The executor API, comparisons, limits and robustness of the local backend."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import signal
import textwrap
import time

import pytest

from codegym.runtime.codec import ObjectValue
from codegym.runtime.codec import decode as decode_value
from codegym.runtime.codec import encode as encode_value
from codegym.sandbox import ExecutionRequest, ExecutionResult, Limits, get_executor
from codegym.sandbox.verdict import stdout_matches, values_equal
from codegym.tasks.model import AssertTest, CallTest, StdioTest

FAST = Limits(timeout_s=2.0, memory_mb=256)


# -- values and comparisons (pure) -------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, True, 3, -2**70, 7**9000, 1.5, float("inf"), "héllo", [1, [2]], (1, "a"),
                                   {"a": 1}, {1: "x", (2, 3): [4]}, {1, 2}, frozenset({"a"}), b"\x00\xff", 2 + 3j,
                                   {"__tuple__": 1}], ids=lambda v: type(v).__name__)
def test_values_round_trip(value):  # ids: pytest would str() the big int
    """Every plain type survives the JSON round trip."""
    data = json.loads(json.dumps(encode_value(value)))
    assert decode_value(data) == value


def test_nan_round_trips():
    assert str(decode_value(encode_value(float("nan")))) == "nan"


def test_subclasses_of_builtins_travel_as_their_base_value():
    class Int(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    decoded = decode_value(encode_value(Int(3)))
    assert type(decoded) is int and decoded == 3
    assert not values_equal(4, decoded)


def test_objects_of_other_classes_are_not_plain_values():
    class Box:
        def __init__(self):
            self.v = 3

    decoded = decode_value(encode_value(Box()))
    assert isinstance(decoded, ObjectValue)
    assert not values_equal(3, decoded)


@pytest.mark.parametrize("expected,actual,ok", [
    (3, 3, True), (3, 3.0, True), (True, 1, True), (1, True, True), (0.1 + 0.2, 0.3, True), (1.0, 1.001, False),
    (2880067194370816120, 2880067194370816120.0, False), (3, 3.0000000001, False),
    ([1, 2], (1, 2), True), ({1, 2}, [1, 2], False), ({"a": [1]}, {"a": (1,)}, True), ("a", "A", False),
    (None, 0, False), ([1, 2], [2, 1], False),
])
def test_values_equal_strict(expected, actual, ok):
    assert values_equal(expected, actual) is ok


@pytest.mark.parametrize("expected,actual,ok", [
    ("3\n", "3", True), ("3\n", "3   \n\n", True), ("1 2\n", "1  2", True), ("1 2\n", "2 1", False),
    ("0.5\n", "0.50000001", True), ("0.5\n", "0.51", False), ("3\n", "3.0", False), ("3\n", "3.0000001", False),
    ("YES\n", "yes", False), ("1\n2\n", "1 2", False), ("1\n2\n", "1\n2\n3", False), ("a b\n", "a b c", False),
    ("1e-3\n", "0.001", True), ("nan\n", "nan", True), ("2.5\n", "abc", False),
])
def test_stdout_strict(expected, actual, ok):
    assert stdout_matches(expected, actual)[0] is ok


def test_stdout_opt_in_modes():
    assert stdout_matches("1\n2\n", "2\n1\n", "unordered_lines")[0]
    assert stdout_matches("1\n2\n", "1 2", "whitespace_insensitive")[0]
    assert not stdout_matches("1 2\n", "1  2", "exact")[0]


# -- the local executor -------------------------------------------------------------------------------------------

def test_full_isolation_is_reported(local_executor):
    r = local_executor.run(ExecutionRequest(program="def f():\n    return 1\n", tests=[CallTest("f", expected=1)]))
    assert r.passed
    assert r.isolation == ("full" if os.geteuid() == 0 else r.isolation)


def test_every_test_is_reported_for_partial_credit(local_executor):
    program = "def sq(x):\n    if x > 2:\n        return x * x + 1\n    return x * x\n"
    tests = [CallTest("sq", (i,), expected=i * i) for i in range(5)]
    r = local_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
    assert [t.passed for t in r.tests] == [True, True, True, False, False]
    assert r.status == "failed" and r.tests_passed == 3 and r.tests_total == 5
    assert r.tests[3].message == "sq(3) returned 10, expected 9"


def test_runtime_error_reports_type_message_and_line(local_executor):
    program = "def f(x):\n    y = 1\n    return x / 0\n"
    r = local_executor.run(ExecutionRequest(program=program, tests=[CallTest("f", (1,), expected=1)]))
    t = r.tests[0]
    assert r.status == "runtime_error"
    assert t.error_type == "ZeroDivisionError" and t.line == 3 and "division by zero" in t.message


def test_setup_code_does_not_shift_line_numbers(local_executor):
    r = local_executor.run(ExecutionRequest(program="x = 1\nraise ValueError('boom')\n", setup_code="import os\n" * 5,
                                            tests=[CallTest("f", expected=1)]))
    assert r.status == "runtime_error" and r.tests[0].line == 2


def test_syntax_error(local_executor):
    r = local_executor.run(ExecutionRequest(program="def f(:\n  pass\n", tests=[CallTest("f", expected=1)]))
    assert r.status == "syntax_error" and r.tests[0].line == 1 and "SyntaxError" in (r.error or "")


def test_assert_failure_names_the_assertion(local_executor):
    test = AssertTest("def check(c):\n    assert c(2) == 4\n    assert c(3) == 9\ncheck(sq)\n", entry_point="sq")
    r = local_executor.run(ExecutionRequest(program="def sq(x):\n    return x + 2\n", tests=[test]))
    assert r.tests[0].message == "failed: assert c(3) == 9"
    assert r.tests[0].actual == "5"


def test_leetcode_style_entry_points(local_executor):
    program = "class Solution:\n    def twoSum(self, nums, target):\n        return [0, 1]\n"
    tests = [CallTest("Solution().twoSum", ([2, 7], 9), expected=[0, 1]),
             AssertTest("def check(c):\n    assert c([2, 7], 9) == [0, 1]\ncheck(Solution().twoSum)\n",
                        entry_point="Solution().twoSum")]
    r = local_executor.run(ExecutionRequest(program=program, tests=tests, reference=program + "\n# ref\n"))
    assert r.passed, r.to_json()


def test_forged_equality_fails_in_the_harness_without_a_reference(local_executor):
    cheat = "class A:\n    def __eq__(self, o):\n        return True\ndef f(x):\n    return A()\n"
    # A loop: not liftable (codegym.sandbox.lifting), so the harness process runs it against the program.
    test = AssertTest("def check(c):\n    for x, y in [(1, 2), (5, 10)]:\n        assert c(x) == y\ncheck(f)\n",
                      entry_point="f")
    r = local_executor.run(ExecutionRequest(program=cheat, tests=[test]))
    assert not r.passed and r.tests[0].message.startswith("failed: assert c(x) == y"), r.to_json()
    honest = "def f(x):\n    return x + x\n"
    assert local_executor.run(ExecutionRequest(program=honest, tests=[test])).passed


def test_the_tests_randomness_is_the_harnesss_own(local_executor):
    # The test draws random arguments in the harness process; a submission that consumes randomness itself (or
    # reseeds it) cannot change which arguments the test draws.
    submission = "import random\nrandom.random()\ndef g(x):\n    random.seed(1)\n    return x + 1\n"
    test = AssertTest("import random\ndef check(c):\n    for _ in range(5):\n        v = random.randint(0, 100)\n"
                      "        assert c(v) == v + 1\ncheck(g)\n", entry_point="g")
    r = local_executor.run(ExecutionRequest(program=submission, tests=[test]))
    assert r.passed, r.to_json()


def test_stdio_program_with_main_guard(local_executor):
    program = "def main():\n    a, b = map(int, input().split())\n    print(a + b)\nif __name__ == '__main__':\n    main()\n"
    r = local_executor.run(ExecutionRequest(program=program, tests=[StdioTest("2 3\n", "5\n"), StdioTest("1 1", "2")]))
    assert r.passed and [t.status for t in r.tests] == ["passed", "passed"]


def test_large_stdin(local_executor):
    n = 200_000
    data = " ".join(["1"] * n) + "\n"
    program = "import sys\nprint(sum(map(int, sys.stdin.buffer.read().split())))\n"
    r = local_executor.run(ExecutionRequest(program=program, tests=[StdioTest(data, f"{n}\n")]))
    assert r.passed, r.to_json()


def test_threads_forks_and_process_pools_work_inside_a_run(local_executor):
    # Units are forked without CPython's at-fork hooks (see runtime.linux.raw_fork); a program must not notice: threads,
    # its own forks, a multiprocessing child and fresh randomness all behave as in a normal interpreter.
    program = (
        "import os, threading, random, multiprocessing\n"
        "def sq(x):\n    return x * x\n"
        "def f():\n"
        "    out = []\n"
        "    t = threading.Thread(target=lambda: out.append(threading.current_thread() is not threading.main_thread()))\n"
        "    t.start(); t.join()\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n        os._exit(7)\n"
        "    _, status = os.waitpid(pid, 0)\n"
        "    ctx = multiprocessing.get_context('fork')\n"
        "    recv, send = ctx.Pipe(duplex=False)\n"
        "    child = ctx.Process(target=lambda: send.send([sq(i) for i in range(4)]))\n"
        "    child.start(); squares = recv.recv(); child.join()\n"
        "    random.seed()\n"
        "    return [out, os.waitstatus_to_exitcode(status), squares, threading.active_count()]\n"
    )
    r = local_executor.run(ExecutionRequest(program=program, tests=[CallTest("f", expected=[[True], 7, [0, 1, 4, 9], 1])],
                                            limits=Limits(timeout_s=20.0)))
    assert r.passed, r.to_json()


def test_per_test_timeout_keeps_other_tests(local_executor):
    program = "import time\ndef f(x):\n    if x == 1:\n        time.sleep(30)\n    return x\n"
    tests = [CallTest("f", (0,), expected=0), CallTest("f", (1,), expected=1, timeout_s=0.5),
             CallTest("f", (2,), expected=2)]
    r = local_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
    assert [t.status for t in r.tests] == ["passed", "timeout", "passed"]
    assert r.status == "timeout"


def test_run_many_preserves_order_and_serialises(local_executor):
    reqs = [ExecutionRequest(program=f"def f():\n    return {i}\n", tests=[CallTest("f", expected=i)],
                             request_id=str(i)) for i in range(12)]
    seen = []
    results = local_executor.run_many(reqs, progress=lambda i, r: seen.append(i))
    assert [r.request_id for r in results] == [str(i) for i in range(12)]
    assert all(r.passed for r in results) and sorted(seen) == list(range(12))
    again = ExecutionResult.from_json(results[3].to_json())
    assert again.to_dict() == results[3].to_dict()


def test_asyncio_form(local_executor):
    reqs = [ExecutionRequest(program="def f():\n    return 1\n", tests=[CallTest("f", expected=1)]) for _ in range(4)]
    results = asyncio.run(local_executor.arun_many(reqs))
    assert all(r.passed for r in results)


def test_busy_loops_all_time_out_together():
    """Every worker spinning at once still gets its timeout (accuracy: benchmarks/timeout_accuracy.py)."""
    with get_executor("local", workers=4) as ex:
        busy = ExecutionRequest(program="while True:\n    pass\n", tests=[StdioTest("", "")],
                                limits=Limits(timeout_s=1.0))
        results = ex.run_many([busy] * 4)
    for r in results:
        assert r.status == "timeout" and r.tests[0].status == "timeout"
        assert r.tests[0].wall_time_s > 0


def test_fork_server_death_is_survived():
    ex = get_executor("local", workers=2)
    try:
        ok = ExecutionRequest(program="def f():\n    return 1\n", tests=[CallTest("f", expected=1)])
        assert ex.run(ok).passed
        zygote = ex._zygote
        slow = ExecutionRequest(program="import time\ndef f():\n    time.sleep(1.5)\n    return 1\n",
                                tests=[CallTest("f", expected=1)], limits=Limits(timeout_s=5))
        future = ex.submit(slow)
        time.sleep(0.3)
        os.kill(zygote.proc.pid, signal.SIGKILL)
        r = future.result(timeout=30)
        assert r.status in ("passed", "sandbox_error")  # retried once on a fresh server, or reported
        assert ex.run(ok).passed  # restarted
        assert ex._zygote is not zygote
        # Warm units of the dead server were retired and their uid slots returned; only the new ones hold slots
        # (a finished run's slot comes back once its unit's exit is in, asynchronously: wait for that).
        assert all(gen == ex._generation for _h, _s, gen, _mb in ex._warm)
        deadline = time.monotonic() + 10
        while len(ex._free_slots) + len(ex._warm) != 256 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(ex._free_slots) + len(ex._warm) == 256
    finally:
        ex.close()


def test_run_environment_is_exactly_the_documented_one(local_executor):
    # The fork server scrubs its environment once and units set only HOME and TMPDIR; check what a program sees.
    program = (
        "import os, tempfile\n"
        "def f():\n"
        "    with tempfile.NamedTemporaryFile('w', delete=False) as fh:\n"
        "        fh.write('x')\n"
        "    same = tempfile.gettempdir() == os.environ['TMPDIR'] == os.getcwd() == os.path.expanduser('~')\n"
        "    return [same, {k: v for k, v in os.environ.items() if k not in ('HOME', 'TMPDIR')}]\n"
    )
    expected = [True, {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}]
    for _ in range(2):  # the second run gets a warm unit
        r = local_executor.run(ExecutionRequest(program=program, tests=[CallTest("f", expected=expected)]))
        assert r.passed, r.to_json()


def test_fork_server_outlives_the_thread_that_first_used_it():
    # The fork server dies with its parent *thread* (PR_SET_PDEATHSIG); it must not be that of the first caller.
    import threading

    ex = get_executor("local", workers=2)
    try:
        ok = ExecutionRequest(program="def f():\n    return 1\n", tests=[CallTest("f", expected=1)])
        results = []
        first = threading.Thread(target=lambda: results.append(ex.run(ok)))
        first.start()
        first.join()
        zygote = ex._zygote
        time.sleep(0.2)
        assert results[0].passed and zygote.proc.poll() is None, "the fork server died with the first caller's thread"
        assert ex.run(ok).passed and ex._zygote is zygote
    finally:
        ex.close()


def test_unused_warm_units_are_reaped_on_close():
    ex = get_executor("local", workers=2)
    ok = ExecutionRequest(program="def f():\n    return 1\n", tests=[CallTest("f", expected=1)])
    assert all(r.passed for r in ex.run_many([ok] * 4))
    pids = [handle.pid for handle, *_ in ex._warm]
    assert len(pids) == ex.warm_units == 2
    zygote = ex._zygote
    ex.close()
    assert zygote.proc.poll() is not None
    for pid in pids:  # gone, not zombies waiting for someone to reap them
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] not in ("Z", "S")


def test_closed_executor_refuses_work():
    ex = get_executor("local")
    ex.close()
    from codegym.errors import SandboxError

    with pytest.raises(SandboxError, match="closed"):
        ex.run(ExecutionRequest(program="", tests=[]))


def test_limits_validation():
    with pytest.raises(ValueError, match="timeout_s"):
        Limits(timeout_s=0)
    with pytest.raises(ValueError, match="memory_mb"):
        Limits(memory_mb=1)


def test_warm_units_option():
    from codegym.sandbox.local import LocalExecutor

    with pytest.raises(ValueError, match="warm_units"):
        LocalExecutor(warm_units=-1)
    ok = ExecutionRequest(program="def f():\n    return 1\n", tests=[CallTest("f", expected=1)])
    with LocalExecutor(workers=2, warm_units=0) as cold:
        assert all(r.passed for r in cold.run_many([ok] * 3)) and cold._warm == []
    with LocalExecutor(workers=2, warm_units=3) as warm:
        assert all(r.passed for r in warm.run_many([ok] * 3)) and len(warm._warm) == 3


def test_humaneval_canonical_solutions_all_pass(local_executor, humaneval_path):
    rows = [json.loads(line) for line in gzip.open(humaneval_path, "rt")]
    reqs = [ExecutionRequest(program=r["prompt"] + r["canonical_solution"],
                             tests=[AssertTest(r["test"] + f"\ncheck({r['entry_point']})",
                                               entry_point=r["entry_point"])],
                             reference=r["prompt"] + r["canonical_solution"] + "\n", request_id=r["task_id"])
            for r in rows]
    results = local_executor.run_many(reqs)
    failed = [(r.request_id, r.status, r.error or (r.first_failure and r.first_failure.message)) for r in results
              if not r.passed]
    assert len(rows) == 164 and not failed


def test_process_level_falls_back_loudly_and_still_contains_runs():
    """isolation='process' (what hosts without namespaces get): a warning, the level in every result, and the
    basics still hold: verdicts, timeouts, a uid switch when root, no process or file outliving its run."""
    from codegym.sandbox.local import IsolationWarning, LocalExecutor

    with pytest.warns(IsolationWarning, match="namespaces disabled"):
        ex = LocalExecutor(isolation="process").start()
    try:
        marker = f"cgp{os.getpid() % 100000}"
        program = (
            "import ctypes, os, time\n"
            "def add(a, b):\n"
            "    with open('left', 'w') as f:\n"
            "        f.write('x')\n"
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            f"        ctypes.CDLL(None).prctl(15, b'{marker}', 0, 0, 0)\n"
            "        time.sleep(60)\n"
            "    return [a + b, os.getuid() != 0, os.listdir('.')]\n"
        )
        r = ex.run(ExecutionRequest(program=program, tests=[CallTest("add", (1, 2), expected=[3, True, ["left"]])]))
        assert r.passed and r.isolation == "process", r.to_json()
        assert os.listdir(ex._tmp.name) == []  # the run's directory is gone
        time.sleep(0.2)
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    with open(f"/proc/{pid}/comm") as f:
                        assert f.read().strip() != marker, "a daemon outlived its run"
                except OSError:
                    pass
        busy = ex.run(ExecutionRequest(program="while True:\n    pass\n", tests=[StdioTest("", "")],
                                       limits=Limits(timeout_s=1.0)))
        assert busy.status == "timeout" and busy.isolation == "process"
        wrong = ex.run(ExecutionRequest(program="import os\nos._exit(0)\n", tests=[CallTest("f", expected=1)]))
        assert not wrong.passed
    finally:
        ex.close()


def test_assert_tests_use_the_programs_objects_as_python_does(local_executor):
    """Objects of the program's classes live in the candidate; the harness uses them through remote handles with
    Python's semantics: exceptions keep their builtin base and arguments, class attributes and static methods are
    read remotely, dataclasses compare by state, isinstance/type names hold, len/iter/in/next work."""
    program = textwrap.dedent("""
        import dataclasses
        class BadInput(ValueError):
            pass
        class Config:
            SIZE = 3
            @staticmethod
            def twice(x):
                return 2 * x
        @dataclasses.dataclass
        class P:
            x: int
            y: int
        class Stack:
            def __init__(self):
                self.items = []
            def push(self, v):
                self.items.append(v)
                return len(self.items)
            def __len__(self):
                return len(self.items)
            def __iter__(self):
                return iter(self.items)
        def f(x):
            if x < 0:
                raise BadInput("neg", x)
            return P(x, x)
        def gen(n):
            return iter(range(n))
        def sort_in_place(xs):
            xs.sort()
    """)
    test = textwrap.dedent("""
        def check(c):
            try:
                c(-1)
                assert False
            except ValueError as e:
                assert e.args == ("neg", -1) and type(e).__name__ == "BadInput"
            assert Config.SIZE == 3 and Config.twice(4) == 8
            p = c(2)
            assert isinstance(p, P) and type(p).__name__ == "P" and p == P(2, 2) and p != P(1, 2)
            s = Stack()
            assert s.push(5) == 1 and s.push(6) == 2 and len(s) == 2 and list(s) == [5, 6] and 6 in s
            assert isinstance(s, Stack) and not isinstance(p, Stack)
            assert next(gen(3)) == 0
            xs = [3, 1, 2]
            assert sort_in_place(xs) is None and xs == [1, 2, 3]
        check(f)
    """)
    r = local_executor.run(ExecutionRequest(program=program, tests=[AssertTest(test, entry_point="f")]))
    assert r.passed, r.to_json()


def test_tests_may_pass_their_own_callables_to_the_program(local_executor):
    """A lambda, ``key=abs``, or a function of the program passed back: the program calls them, they run in the
    harness (nested calls included), and an exception they raise reaches the program as in Python."""
    program = textwrap.dedent("""
        def apply(f, x):
            return f(x)
        def sort_by(xs, key):
            return sorted(xs, key=key)
        def double(x):
            return 2 * x
        def twice(f, x):
            return f(f(x))
    """)
    test = textwrap.dedent("""
        def check(c):
            assert c(lambda v: v + 1, 3) == 4
            assert sort_by([3, -5, 1], key=abs) == [1, 3, -5]
            assert c(double, 5) == 10
            assert twice(lambda v: double(v) + 1, 1) == 7
            try:
                c(lambda v: 1 / 0, 1)
                assert False
            except ZeroDivisionError:
                pass
        check(apply)
    """)
    r = local_executor.run(ExecutionRequest(program=program, tests=[AssertTest(test, entry_point="apply")]))
    assert r.passed, r.to_json()


def test_more_of_pythons_semantics_hold_across_the_boundary(local_executor):
    """In-place changes reach references the test holds into its arguments; identity of returned arguments and of
    the program's objects; hashing, ordering and attribute setting of the program's objects; the program's own
    exception classes in ``except``; dates; ``math.nan`` in containers."""
    program = textwrap.dedent("""
        import dataclasses, datetime, math
        class BadInput(ValueError):
            pass
        @dataclasses.dataclass(frozen=True, order=True)
        class Key:
            v: int
        class Acc:
            def __init__(self):
                self._total = 0
            @property
            def total(self):
                return self._total
            @total.setter
            def total(self, v):
                self._total = v * 2
            def push(self, x):
                self._total += x
                return self
        def bump(grid):
            grid[0][0] += 1
        def rot(d):
            d.rotate(1)
        def push_first(t):
            t[0].append(1)
        def zero_neg(a):
            a[a < 0] = 0
        def heappush_ret(h, x):
            h.append(x)
            return h
        def check_positive(x):
            if x < 0:
                raise BadInput(x)
            return x
        def day():
            return datetime.date(2020, 1, 2)
        def nans():
            return [math.nan]
        def f(x):
            return x
    """)
    test = textwrap.dedent("""
        import collections, datetime, math
        import numpy as np
        def check(c):
            g = [[0, 0], [0, 0]]
            row = g[0]
            bump(g)
            assert row[0] == 1 and g == [[1, 0], [0, 0]]
            d = collections.deque([1, 2, 3])
            rot(d)
            assert d == collections.deque([3, 1, 2])
            t = ([],)
            push_first(t)
            assert t[0] == [1]
            a = np.array([1, -2, 3])
            zero_neg(a)
            assert a.tolist() == [1, 0, 3]
            h = [1]
            assert heappush_ret(h, 2) is h and h == [1, 2]
            acc = Acc()
            assert acc.push(1) is acc and acc.total == 1
            acc.total = 5
            assert acc.total == 10
            assert len({Key(1), Key(1), Key(2)}) == 2
            assert [k.v for k in sorted([Key(3), Key(1), Key(2)])] == [1, 2, 3]
            try:
                check_positive(-1)
                assert False
            except BadInput as e:
                assert isinstance(e, ValueError) and e.args == (-1,)
            assert day() == datetime.date(2020, 1, 2) and day() + datetime.timedelta(days=1) == datetime.date(2020, 1, 3)
            assert nans() == [math.nan]
        check(f)
    """)
    r = local_executor.run(ExecutionRequest(program=program, tests=[AssertTest(test, entry_point="f")]))
    assert r.passed, r.to_json()


def test_each_run_gets_its_own_memory_limit_when_limits_alternate():
    """The slot cgroups skip writing a limit that is already in force; runs whose limits alternate on the same slots
    must still each run under their own (a 300 MB program passes at 1024 MB and fails at 128 MB, in any order)."""
    from codegym.sandbox.cgroups import SlotCgroups

    if not SlotCgroups().available:
        pytest.skip("no writable memory cgroup here (needs root and the memory controller)")
    program = "def f():\n    x = bytearray(300 << 20)\n    for j in range(0, len(x), 4096):\n        x[j] = 1\n    return 1\n"
    test = CallTest("f", (), expected=1)
    small, big = Limits(timeout_s=10.0, memory_mb=128), Limits(timeout_s=10.0, memory_mb=1024)
    with get_executor("local", workers=1) as ex:
        verdicts = [ex.run(ExecutionRequest(program=program, tests=[test], limits=lim)).passed
                    for lim in (big, small, small, big, big, small)]
    assert verdicts == [True, False, False, True, True, False]


def test_docs_sandbox_md_runs_as_written(tmp_path):
    """docs/sandbox.md: the API example and the limits example (each limit stops its program with its status)."""
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/sandbox.md", tmp_path) == 2
