"""Hostile programs: every one must get passed=False, leave the host unharmed and the executor serving.

Each program is written so that it *would* pass under a harness that decides verdicts inside the untrusted process
(or trusts exit codes, printed text, or ``==`` on returned objects). The same cases run against every backend that
is available (see ``tests/conftest.py``'s ``hostile_executor`` fixture).
"""

from __future__ import annotations

import os
import socket
import textwrap
import threading
import time

import pytest

from codegym.sandbox import ExecutionRequest, Limits
from codegym.tasks.model import AssertTest, CallTest, StdioTest

FAST = Limits(timeout_s=2.0, memory_mb=256, max_output_bytes=64 * 1024, scratch_mb=8, max_processes=16)

REFERENCE = "def add(a, b):\n    return a + b\n"
ASSERT_TESTS = [AssertTest("def check(candidate):\n    assert candidate(1, 2) == 3\n    assert candidate(5, 7) == 12\n"
                           "check(add)\n", entry_point="add")]
CALL_TESTS = [CallTest("add", (1, 2), expected=3), CallTest("add", (5, 7), expected=12)]
STDIO_TESTS = [StdioTest("1 2\n", "3\n"), StdioTest("5 7\n", "12\n")]


def prog(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def run_all_kinds(ex, program: str, limits: Limits = FAST, stdio_program: str | None = None):
    """The program against assert tests (with a reference), call tests and stdio tests."""
    reqs = [
        ExecutionRequest(program=program, tests=ASSERT_TESTS, limits=limits, reference=REFERENCE),
        ExecutionRequest(program=program, tests=CALL_TESTS, limits=limits),
        ExecutionRequest(program=stdio_program or program, tests=STDIO_TESTS, limits=limits),
    ]
    return ex.run_many(reqs)


def assert_all_fail(results) -> None:
    for r in results:
        assert not r.passed, r.to_json()
        assert r.status != "passed"


def assert_still_serving(ex) -> None:
    r = ex.run(ExecutionRequest(program=REFERENCE, tests=CALL_TESTS, limits=FAST))
    assert r.passed, r.to_json()


EXIT_PROGRAMS = {
    "sys_exit_at_import": "import sys\nsys.exit(0)\n",
    "os_exit_at_import": "import os\nos._exit(0)\n",
    "raise_systemexit": "raise SystemExit(0)\n",
    "sys_exit_in_call": "import sys\ndef add(a, b):\n    sys.exit(0)\nimport sys as _s\nif __name__ == '__main__':\n    _s.exit(0)\n",
    "os_exit_in_call": "import os\ndef add(a, b):\n    os._exit(0)\nif __name__ == '__main__':\n    os._exit(0)\n",
    "atexit_exit_zero": prog("""
        import atexit, os
        atexit.register(lambda: os._exit(0))
        def add(a, b):
            raise RuntimeError('wrong')
        if __name__ == '__main__':
            raise RuntimeError('wrong')
    """),
    "excepthook_exit_zero": prog("""
        import sys, os
        sys.excepthook = lambda *a: os._exit(0)
        def add(a, b):
            return 0
        if __name__ == '__main__':
            print(0)
    """),
    "posix_exit": "import posix\ndef add(a, b):\n    posix._exit(0)\nif __name__ == '__main__':\n    posix._exit(0)\n",
    "reload_os_exit": prog("""
        import importlib, os
        os = importlib.reload(os)
        def add(a, b):
            os._exit(0)
        if __name__ == '__main__':
            os._exit(0)
    """),
}


@pytest.mark.parametrize("name", sorted(EXIT_PROGRAMS))
def test_forged_exits_never_pass(hostile_executor, name):
    assert_all_fail(run_all_kinds(hostile_executor, EXIT_PROGRAMS[name]))
    assert_still_serving(hostile_executor)


ALWAYS_EQUAL = {
    "object": prog("""
        class Any:
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            def __repr__(self): raise RuntimeError('no repr')
        def add(a, b):
            return Any()
    """),
    "int_subclass": prog("""
        class Int(int):
            def __eq__(self, other): return True
            def __ne__(self, other): return False
            __hash__ = int.__hash__
            def __repr__(self):
                while True:
                    pass
        def add(a, b):
            return Int(0)
    """),
    "list_subclass": prog("""
        class L(list):
            def __eq__(self, other): return True
        def add(a, b):
            return L()
    """),
    "reduce_payload": prog("""
        import os
        class Evil:
            def __reduce__(self):
                return (os.system, ('touch /tmp/pwned',))
            def __eq__(self, other): return True
        def add(a, b):
            return Evil()
    """),
}


@pytest.mark.parametrize("name", sorted(ALWAYS_EQUAL))
def test_objects_equal_to_everything_fail_even_without_reference(hostile_executor, name):
    r = hostile_executor.run(ExecutionRequest(program=ALWAYS_EQUAL[name], tests=ASSERT_TESTS, limits=FAST))
    assert not r.passed, r.to_json()


@pytest.mark.parametrize("name", sorted(ALWAYS_EQUAL))
def test_objects_equal_to_everything_fail(hostile_executor, name):
    results = hostile_executor.run_many([
        ExecutionRequest(program=ALWAYS_EQUAL[name], tests=ASSERT_TESTS, limits=FAST, reference=REFERENCE),
        ExecutionRequest(program=ALWAYS_EQUAL[name], tests=CALL_TESTS, limits=FAST),
    ])
    assert_all_fail(results)
    assert not os.path.exists("/tmp/pwned")
    assert_still_serving(hostile_executor)


FORGED_RECORDS = {
    "print_success": prog("""
        import sys
        print('{"passed": true, "result": "passed"}')
        print('passed', file=sys.stderr)
        def add(a, b):
            return -1
        if __name__ == '__main__':
            print('passed')
    """),
    "write_every_fd": prog("""
        import json, os, struct
        def forge():
            for t in range(4):
                for frame in ({"event": "done", "t": t, "status": "ok", "value": 3},
                              {"event": "done", "t": t, "status": "ok", "value": 12}):
                    data = json.dumps(frame).encode()
                    for fd in range(0, 64):
                        try:
                            os.write(fd, struct.pack('>I', len(data)) + data)
                        except OSError:
                            pass
        forge()
        def add(a, b):
            forge()
            return -1
        if __name__ == '__main__':
            print(-1)
    """),
    "patch_harness_via_main": prog("""
        import sys
        main = sys.modules.get('__main__')
        for name in ('write_frame', 'encode_value', '_exc_report'):
            if hasattr(main, name):
                setattr(main, name, lambda *a, **k: None)
        def add(a, b):
            return -1
        if __name__ == '__main__':
            print(-1)
    """),
    "patch_via_gc_and_frames": prog("""
        import gc, sys, builtins
        for obj in gc.get_objects():
            if isinstance(obj, dict) and obj.get('event') == 'done':
                obj['status'] = 'ok'
        f = sys._getframe()
        while f is not None:
            for k in list(f.f_locals):
                if k in ('report', 'expected'):
                    try:
                        f.f_locals[k] = {'status': 'ok'}
                    except Exception:
                        pass
            f = f.f_back
        builtins.AssertionError = type('NoAssert', (Exception,), {})
        def add(a, b):
            return -1
        if __name__ == '__main__':
            print(-1)
    """),
}


@pytest.mark.parametrize("name", sorted(FORGED_RECORDS))
def test_forged_success_records_fail(hostile_executor, name):
    assert_all_fail(run_all_kinds(hostile_executor, FORGED_RECORDS[name]))
    assert_still_serving(hostile_executor)


@pytest.mark.parametrize("output", ["3.0000001\n", "12\n3\n", "", "3 3\n", "3\n12\n", "3 junk\n", "THREE\n", "3\nextra\n"])
def test_stdio_near_misses_fail(hostile_executor, output):
    program = f"import sys\nsys.stdin.read()\nsys.stdout.write({output!r})\n"
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[StdioTest("1 2\n", "3\n")], limits=FAST))
    assert not r.passed, (output, r.to_json())


def test_stdio_numeric_tolerance_only_for_fractional_expected(hostile_executor):
    near = "print('0.3333334')"
    r = hostile_executor.run(ExecutionRequest(program=near, tests=[StdioTest("", "0.333333\n")], limits=FAST))
    assert r.passed, r.to_json()
    r = hostile_executor.run(ExecutionRequest(program="print('3.0')", tests=[StdioTest("", "3\n")], limits=FAST))
    assert not r.passed


LOOPS = {
    "busy": "def add(a, b):\n    while True:\n        pass\nif __name__ == '__main__':\n    add(1, 2)\n",
    "cancel_timers_ignore_signals": prog("""
        import signal
        for s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGXCPU, signal.SIGVTALRM):
            try:
                signal.signal(s, signal.SIG_IGN)
            except Exception:
                pass
        def add(a, b):
            signal.alarm(0)
            signal.setitimer(signal.ITIMER_REAL, 0)
            while True:
                try:
                    while True:
                        pass
                except BaseException:
                    continue
        if __name__ == '__main__':
            add(1, 2)
    """),
    "sleep": "import time\ndef add(a, b):\n    time.sleep(60)\n    return a + b\nif __name__ == '__main__':\n    time.sleep(60)\n    print(3)\n",
}


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_loops_and_sleeps_time_out(hostile_executor, name):
    limits = Limits(timeout_s=1.0, memory_mb=256, scratch_mb=8)
    for r in run_all_kinds(hostile_executor, LOOPS[name], limits=limits):
        assert not r.passed
        assert r.status == "timeout", r.to_json()
    assert_still_serving(hostile_executor)


CRASHES = {
    "ctypes_segfault": "import ctypes\ndef add(a, b):\n    ctypes.string_at(0)\nif __name__ == '__main__':\n    ctypes.string_at(0)\n",
    "recursion_bomb": prog("""
        import sys
        sys.setrecursionlimit(10**7)
        def add(a, b):
            return add(a, b) + 1
        if __name__ == '__main__':
            print(add(1, 2))
    """),
    "memory_bomb": prog("""
        def add(a, b):
            x = []
            while True:
                x.append(bytearray(50 * 1024 * 1024))
        if __name__ == '__main__':
            add(1, 2)
    """),
}


@pytest.mark.parametrize("name", sorted(CRASHES))
def test_crashes_are_reported_not_fatal(hostile_executor, name):
    # A generous time limit: a memory bomb must end on its memory limit even on a loaded machine.
    results = run_all_kinds(hostile_executor, CRASHES[name], limits=FAST.merged(timeout_s=8.0))
    assert_all_fail(results)
    if name == "memory_bomb":
        assert all(r.status == "memory_limit" for r in results), [r.status for r in results]
    assert_still_serving(hostile_executor)


def test_output_bomb_is_capped(hostile_executor):
    program = prog("""
        import sys, os
        chunk = 'x' * (1 << 20)
        def add(a, b):
            while True:
                sys.stdout.write(chunk)
                os.write(2, chunk.encode())
        if __name__ == '__main__':
            add(1, 2)
    """)
    # A function's output is discarded past the cap, as the benchmarks' harnesses discard it (so the endless loop
    # runs into its time limit); a stdio program's output is its answer, so it stops at the cap.
    for r, status in zip(run_all_kinds(hostile_executor, program), ("timeout", "timeout", "output_limit")):
        assert r.status == status, (r.status, r.tests[0].message)
        assert len(r.stdout) + len(r.stderr) < 64 * 1024
    assert_still_serving(hostile_executor)


def test_functions_may_print_a_lot_over_many_calls(hostile_executor):
    """Over 100+ calls a function prints more than the output cap in all: the original harnesses discard it."""
    program = "def add(a, b):\n    print('x' * 4096)\n    return a + b\n"
    test = AssertTest("def check(c):\n    for i in range(300):\n        assert c(i, 1) == i + 1\ncheck(add)\n",
                      entry_point="add")
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[test], limits=FAST))
    assert r.passed, (r.status, r.tests[0].message)


RESOURCE_BOMBS = {
    "fork_bomb": prog("""
        import os
        def add(a, b):
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        if __name__ == '__main__':
            add(1, 2)
    """),
    "thread_bomb": prog("""
        import threading, time
        def add(a, b):
            ts = []
            while True:
                try:
                    t = threading.Thread(target=time.sleep, args=(30,))
                    t.start()
                    ts.append(t)
                except Exception:
                    pass
        if __name__ == '__main__':
            add(1, 2)
    """),
    "fd_bomb": prog("""
        import os
        def add(a, b):
            fds = []
            while True:
                fds.append(os.open('/dev/null', os.O_RDONLY))
        if __name__ == '__main__':
            add(1, 2)
    """),
    "disk_fill": prog("""
        import os
        def add(a, b):
            for d in ('.', '/tmp', '/dev/shm', '/var/tmp', os.path.expanduser('~')):
                try:
                    with open(os.path.join(d, 'fill'), 'wb') as f:
                        while True:
                            f.write(b'x' * (1 << 20))
                except OSError:
                    pass
            raise RuntimeError('disk full')
        if __name__ == '__main__':
            add(1, 2)
    """),
}


@pytest.mark.parametrize("name", sorted(RESOURCE_BOMBS))
def test_resource_bombs_are_contained(hostile_executor, name):
    limits = Limits(timeout_s=2.0, memory_mb=256, scratch_mb=8, max_file_mb=4, max_processes=16)
    assert_all_fail(run_all_kinds(hostile_executor, RESOURCE_BOMBS[name], limits=limits))
    time.sleep(0.2)
    assert _sandbox_processes(hostile_executor) == [], "processes of the run survived it"
    assert_still_serving(hostile_executor)


def _sandbox_processes(executor) -> list[int]:
    """Host pids running under the executor's sandbox uids (the local backend's uid range), except the warm units
    waiting for a future run (forked ahead of time; they have run nothing yet)."""
    base = getattr(executor, "_uid_base", None)
    if base is None:
        return []
    waiting = {base + slot for _handle, slot, _gen, _mb in getattr(executor, "_warm", [])}
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        uid = int(line.split()[1])
                        if base <= uid < base + 2048 and uid not in waiting:
                            found.append(int(p))
                        break
        except OSError:
            pass
    return found


def _comm_exists(marker: str) -> bool:
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/comm") as f:
                    if f.read().strip() == marker:
                        return True
            except OSError:
                pass
    return False


def test_daemons_die_with_the_run(hostile_executor):
    marker = f"cgd{os.getpid() % 100000}"
    program = prog(f"""
        import os, time, ctypes
        def add(a, b):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    ctypes.CDLL(None).prctl(15, b"{marker}", 0, 0, 0)
                    time.sleep(60)
                os._exit(0)
            time.sleep(0.3)
            return a + b
    """)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=CALL_TESTS[:1], limits=FAST))
    assert r.passed, r.to_json()  # the program is correct; only its daemon must not survive
    time.sleep(0.2)
    assert not _comm_exists(marker), "a daemon outlived its run"


def test_killing_parent_and_everything_visible(hostile_executor):
    program = prog("""
        import os, signal
        def add(a, b):
            for pid in (os.getppid(), 1, -1):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            for p in os.listdir('/proc') if os.path.isdir('/proc') else []:
                if p.isdigit():
                    try:
                        os.kill(int(p), signal.SIGKILL)
                    except OSError:
                        pass
            return a - b
        if __name__ == '__main__':
            print(add(1, 2))
    """)
    import subprocess
    import sys

    sentinel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for _ in range(2):
            assert_all_fail(run_all_kinds(hostile_executor, program))
        assert sentinel.poll() is None, "a host process was killed by the sandboxed program"
        assert_still_serving(hostile_executor)
    finally:
        sentinel.kill()
        sentinel.wait()


def test_no_network_even_to_loopback(hostile_executor):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    server.settimeout(0.2)
    port = server.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        end = time.time() + 6
        while time.time() < end:
            try:
                conn, _ = server.accept()
                accepted.append(conn)
            except OSError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    program = prog(f"""
        import socket
        def add(a, b):
            s = socket.create_connection(('127.0.0.1', {port}), timeout=1)
            s.sendall(b'hello')
            return a + b
        if __name__ == '__main__':
            add(1, 2)
            print(3)
    """)
    assert_all_fail(run_all_kinds(hostile_executor, program))
    thread.join()
    server.close()
    assert not accepted, "the sandbox reached a loopback port on the host"


def test_host_files_and_environment_are_invisible(hostile_executor, tmp_path, monkeypatch):
    secret = "codegym-secret-7f3a"
    path = tmp_path / "secret.txt"
    path.write_text(secret)
    path.chmod(0o644)
    monkeypatch.setenv("CODEGYM_TEST_SECRET", secret)
    program = prog(f"""
        import os, glob
        def leak():
            found = os.environ.get('CODEGYM_TEST_SECRET', '')
            for p in [{str(path)!r}, '/proc/1/environ', '/proc/self/environ']:
                try:
                    found += open(p, errors='replace').read()
                except OSError:
                    pass
            return {secret!r} if {secret!r} in found else 'nothing'
        def add(a, b):
            return leak()
        if __name__ == '__main__':
            print(leak())
    """)
    tests = [CallTest("add", (1, 2), expected=secret)]
    r1 = hostile_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
    r2 = hostile_executor.run(ExecutionRequest(program=program, tests=[StdioTest("", secret + "\n")], limits=FAST))
    assert not r1.passed and not r2.passed, (r1.to_json(), r2.to_json())


def test_files_do_not_survive_into_the_next_run(hostile_executor):
    writer = prog("""
        import os
        def add(a, b):
            for d in ('.', '/tmp', os.path.expanduser('~')):
                try:
                    with open(os.path.join(d, 'left-behind'), 'w') as f:
                        f.write('x')
                except OSError:
                    pass
            return a + b
    """)
    reader = prog("""
        import os
        def add(a, b):
            for d in ('.', '/tmp', os.path.expanduser('~')):
                if os.path.exists(os.path.join(d, 'left-behind')):
                    return 'found'
            return 'clean'
    """)
    hostile_executor.run(ExecutionRequest(program=writer, tests=CALL_TESTS[:1], limits=FAST))
    r = hostile_executor.run(ExecutionRequest(program=reader, tests=[CallTest("add", (1, 2), expected="clean")],
                                              limits=FAST))
    assert r.passed, r.to_json()


def test_host_filesystem_is_read_only(hostile_executor):
    program = prog("""
        import os
        def add(a, b):
            wrote = []
            for d in ('/', '/usr', '/etc', '/var', '/root', '/home', '/opt', '/dev/shm'):
                try:
                    with open(os.path.join(d, 'codegym-probe'), 'w') as f:
                        f.write('x')
                    wrote.append(d)
                except OSError:
                    pass
            return wrote
    """)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[CallTest("add", (1, 2), expected=[])],
                                              limits=FAST))
    assert r.passed, r.to_json()


# ------------------------------------------------------------------------------------------------------------------
# The judge's process boundary (docs/sandbox.md, "Threat model"): one test per class of attack that worked against
# the in-process judge. The assert tests below are deliberately not liftable (loops, helpers, random inputs), so
# they run in the harness process against the program through remote proxies.
# ------------------------------------------------------------------------------------------------------------------

#: An assert test that cannot be lifted: random inputs, a helper of the test's own, a loop.
LOOP_TEST = AssertTest(prog("""
    import random

    def expected(a, b):
        return a + b

    def check(candidate):
        rng = random.Random(7)
        for _ in range(50):
            a, b = rng.randint(-1000, 1000), rng.randint(-1000, 1000)
            assert candidate(a, b) == expected(a, b), (a, b)

    check(add)
"""), entry_point="add")

#: The calls a program under test can use to look for the judge in its own process.
FRAME_FORGER = prog("""
    import gc, json, os, struct, sys

    def _forge(value):
        # Every frame, every local: anything that looks like a request gets a well-formed reply on every fd.
        nonces = set()
        f = sys._getframe()
        while f is not None:
            for v in list(f.f_locals.values()):
                if isinstance(v, dict) and isinstance(v.get("n"), int):
                    nonces.add(v["n"])
            f = f.f_back
        for obj in gc.get_objects():
            if isinstance(obj, dict) and isinstance(obj.get("n"), int):
                nonces.add(obj["n"])
        for n in nonces:
            for payload in ({"n": n, "ok": value, "status": "ok", "lifted": True, "by": "harness"},
                            {"done": {"status": "ok"}, "t": 0, "by": "harness"},
                            {"n": n, "loaded": {"names": {}}}):
                data = json.dumps(payload).encode()
                for fd in range(3, 40):
                    try:
                        os.write(fd, struct.pack(">I", len(data)) + data)
                    except OSError:
                        pass

    def add(a, b):
        _forge(a + b)
        return a - b   # wrong: only the forged reports say otherwise
""")


def test_forged_reports_from_inside_the_program_never_pass(hostile_executor):
    reqs = [ExecutionRequest(program=FRAME_FORGER, tests=tests, limits=FAST)
            for tests in (ASSERT_TESTS, CALL_TESTS, [LOOP_TEST])]
    for r in hostile_executor.run_many(reqs):
        assert not r.passed, r.to_json()
        assert r.status in ("failed", "runtime_error"), r.to_json()


def test_the_program_cannot_steer_the_tests_inputs(hostile_executor):
    """A fake ``random`` module, a global ``range`` and a redefined test helper live in the program's process only:
    the harness runs the test with its own."""
    programs = {
        "fake_random": prog("""
            import sys, types
            fake = types.ModuleType("random")
            class R:
                def __init__(self, *a): pass
                def randint(self, a, b): return 0
            fake.Random = R
            fake.randint = lambda a, b: 0
            sys.modules["random"] = fake
            def add(a, b):
                return 0 if (a, b) != (0, 0) else 0
        """),
        "global_range": prog("""
            range = lambda *a: iter(())
            def add(a, b):
                return 0
        """),
        "redefined_helper": prog("""
            def expected(a, b):
                return 0
            def add(a, b):
                return 0
        """),
    }
    reqs = [ExecutionRequest(program=p, tests=[LOOP_TEST], limits=FAST) for p in programs.values()]
    for name, r in zip(programs, hostile_executor.run_many(reqs)):
        assert not r.passed, (name, r.to_json())


EQUALITY_FORGERS = {
    "mock_any": "from unittest import mock\ndef add(a, b):\n    return mock.ANY\n",
    "magic_mock": prog("""
        from unittest.mock import MagicMock
        def add(a, b):
            m = MagicMock()
            m.__eq__.return_value = True
            m.__bool__.return_value = True
            return m
    """),
    "builtins_module": prog("""
        class Any:
            __module__ = "builtins"
            def __eq__(self, other): return True
            __hash__ = object.__hash__
        def add(a, b):
            return Any()
    """),
    "metaclass": prog("""
        class Meta(type):
            def __setattr__(cls, name, value): pass
        class Any(int, metaclass=Meta):
            def __eq__(self, other): return True
            __hash__ = int.__hash__
        def add(a, b):
            return Any(0)
    """),
    "str_subclass": prog("""
        class S(str):
            def __eq__(self, other): return True
            __hash__ = str.__hash__
        def add(a, b):
            return S("nope")
    """),
}


@pytest.mark.parametrize("name", sorted(EQUALITY_FORGERS))
def test_equality_forgers_fail_everywhere(hostile_executor, name):
    program = EQUALITY_FORGERS[name]
    reqs = [ExecutionRequest(program=program, tests=tests, limits=FAST)
            for tests in (ASSERT_TESTS, CALL_TESTS, [LOOP_TEST])]
    for r in hostile_executor.run_many(reqs):
        assert not r.passed, (name, r.to_json())


def test_a_float_is_not_close_enough_to_an_int(hostile_executor):
    program = prog("""
        def fib(n):
            a, b = 0.0, 1.0
            for _ in range(n):
                a, b = b, a + b
            return a
    """)
    tests = [AssertTest("assert fib(90) == 2880067194370816120\n", entry_point="fib"),
             CallTest("fib", (90,), expected=2880067194370816120)]
    r = hostile_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
    assert [t.passed for t in r.tests] == [False, False], r.to_json()


HOSTILE_VALUES = {
    "deep_nesting": "def add(a, b):\n    x = []\n    for _ in range(200000):\n        x = [x]\n    return x\n",
    "huge_int": "def add(a, b):\n    return 7 ** 200000\n",
    "hash_collisions": "def add(a, b):\n    return {i * (2**61 - 1) for i in range(1, 60000)}\n",
    "unsortable_set": "def add(a, b):\n    return {1, 'a', (2, 'b'), None, 3.5, frozenset({1})}\n",
    "cyclic": "def add(a, b):\n    x = []\n    x.append(x)\n    return x\n",
    "raw_malformed_frames": prog("""
        import json, os, struct, sys
        def add(a, b):
            f = sys._getframe()
            n = None
            while f is not None:
                req = f.f_locals.get("request")
                if isinstance(req, dict) and isinstance(req.get("n"), int):
                    n = req["n"]
                f = f.f_back
            for payload in ({"n": n, "ok": {"__tuple__": 5}}, {"n": n, "ok": {"__bigint__": "f" * 10**6}},
                            {"n": n, "ok": {"__graph__": {"root": {"__ref__": 99}, "objects": []}}}):
                data = json.dumps(payload).encode()
                os.write(1 if n is None else 4, struct.pack(">I", len(data)) + data)
            return a + b
    """),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_VALUES))
def test_hostile_values_fail_one_test_and_never_the_judge(hostile_executor, name):
    """Values built to crash or stall a judge (depth, digits, hash floods, malformed tags) fail their own test with
    a clear status; the judge returns a result, and the next sample is judged normally."""
    program = HOSTILE_VALUES[name]
    honest = ExecutionRequest(program=REFERENCE, tests=CALL_TESTS, limits=FAST)
    reqs = [ExecutionRequest(program=program, tests=tests, limits=FAST) for tests in (CALL_TESTS, ASSERT_TESTS,
                                                                                     [LOOP_TEST])]
    results = hostile_executor.run_many([*reqs, honest])
    for r in results[:-1]:
        assert not r.passed and r.status != "sandbox_error", (name, r.to_json())
        assert r.tests and all(t.message for t in r.tests if not t.passed), r.to_json()
    assert results[-1].passed, results[-1].to_json()


def test_forged_sandbox_error_is_not_a_sandbox_error(hostile_executor):
    program = prog("""
        import json, os, struct
        for payload in ({"event": "sandbox_error", "msg": "forged"}, {"sandbox_error": "forged"}):
            data = json.dumps(payload).encode()
            for fd in range(1, 40):
                try:
                    os.write(fd, struct.pack(">I", len(data)) + data)
                except OSError:
                    pass
        def add(a, b):
            return 0
    """)
    for r in run_all_kinds(hostile_executor, program, stdio_program=program + "print(0)\n"):
        assert not r.passed
        assert r.status != "sandbox_error", r.to_json()


def test_no_channel_between_concurrent_runs(hostile_executor):
    """Abstract unix sockets and System V IPC are closed to programs (one network and IPC namespace is shared by
    the units of a fork server): each attempt must fail."""
    program = prog("""
        import ctypes, socket
        def probe():
            out = []
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.bind("\\0codegym-hostile-test")
                out.append("unix")
            except OSError:
                pass
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.shmget(0x5EED, 4096, 0o1666) >= 0:
                out.append("shm")
            if libc.msgget(0x5EED, 0o1666) >= 0:
                out.append("msg")
            return out
    """)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[CallTest("probe", (), expected=[])],
                                              limits=FAST))
    assert r.passed, r.to_json()


def test_a_test_that_catches_everything_still_needs_the_programs_answers(hostile_executor):
    """A program that dies mid-test cannot pass a test that swallows exceptions: the harness knows it is gone."""
    test = AssertTest(prog("""
        def check(candidate):
            for x in range(3):
                try:
                    assert candidate(x, 1) == x + 1
                except BaseException:
                    pass
        check(add)
    """), entry_point="add")
    program = "import os\ndef add(a, b):\n    os._exit(0)\n"
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[test], limits=FAST))
    assert not r.passed, r.to_json()


def test_judge_memory_is_bounded_for_tiny_values_that_decode_huge(hostile_executor):
    """A numpy array with a huge string dtype costs the program a calloc and the judge its itemsize per copy;
    a range is sent lazily and must not be materialised by a lifted ``set(...)``."""
    programs = {
        "numpy_strings": "import numpy as np\ndef add(a, b):\n    x = np.zeros(1, dtype='U16000000')\n"
                         "    return [x] * 40\n",
        "range": "def add(a, b):\n    return range(5 * 10**8)\n",
    }
    tests = [CallTest("add", (1, 2), expected=3), AssertTest("assert set(add(1, 2)) == {3}\n", entry_point="add")]
    for name, program in programs.items():
        r = hostile_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
        assert not r.passed and r.status != "sandbox_error", (name, r.status, [t.message for t in r.tests])


def test_no_channel_through_shared_files(hostile_executor):
    """Locks on, and notifications about, files every unit can open; the times of another run's scratch."""
    program = prog("""
        import fcntl, os, sys
        def probe():
            out = []
            fd = os.open(sys.executable, os.O_RDONLY)
            for name, attempt in (("flock", lambda: fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                                  ("lockf", lambda: fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)),
                                  ("statvfs", lambda: os.statvfs(os.getcwd()))):
                try:
                    attempt()
                    out.append(name)
                except OSError:
                    pass
            for entry in range(100000, 200000, 997):  # other units' scratch directories, by guessed uid
                for path in (f"/scratch/{entry}/w", f"/scratch/{entry}"):
                    try:
                        os.stat(path + "/.")
                        out.append(path)
                    except OSError:
                        pass
            return out
    """)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[CallTest("probe", (), expected=[])],
                                              limits=FAST))
    assert r.passed, r.tests[0].message


def test_a_lifted_check_calls_one_instance_as_check_does(hostile_executor):
    """``check(Solution().m)`` calls one instance: a program that caches its first answer on it must fail."""
    program = prog("""
        class Solution:
            def double(self, x):
                if not hasattr(self, "first"):
                    self.first = 2 * x
                return self.first
    """)
    test = AssertTest("def check(c):\n    assert c(1) == 2\n    assert c(2) == 4\ncheck(Solution().double)\n",
                      entry_point="Solution().double")
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[test], limits=FAST))
    assert not r.passed, r.to_json()


def test_a_tests_inputs_never_reach_the_program_before_its_time_starts(hostile_executor):
    """Inputs sent with the program would let it compute answers on its loading time."""
    program = prog("""
        import gc, sys
        seen = [o for o in gc.get_objects() if isinstance(o, dict) and "calls" in o]
        f = sys._getframe()
        while f is not None:
            seen += [v for v in f.f_locals.values() if isinstance(v, dict) and ("calls" in v or "first" in v)]
            f = f.f_back
        def add(a, b):
            if seen:
                return a + b
            raise RuntimeError("the inputs were not visible at load time")
    """)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=CALL_TESTS, limits=FAST))
    assert not r.passed and r.tests[0].error_type == "RuntimeError", r.to_json()


def test_a_stdio_program_that_closes_its_pipes_still_times_out(hostile_executor):
    program = "import os, sys, time\nprint(3)\nsys.stdout.flush()\nos.closerange(0, 256)\ntime.sleep(60)\n"
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[StdioTest("1 2\n", "3\n")],
                                              limits=Limits(timeout_s=0.5)))
    assert r.status == "timeout", r.to_json()


def test_a_program_cannot_abuse_the_tests_callables(hostile_executor):
    """Calling back a function it was never given, or calling back after its request closed, fails the test."""
    program = prog("""
        import json, os, struct, sys
        def apply(f, x):
            f.__class__.__call__  # a callable of the test: fine to call
            for ident in (5, 99):
                try:
                    type(f)(f._candidate, ident)(x)
                except BaseException:
                    pass
            return f(x)
    """)
    test = AssertTest("def check(c):\n    assert c(lambda v: v + 1, 3) == 4\ncheck(apply)\n", entry_point="apply")
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[test], limits=FAST))
    assert not r.passed, r.to_json()


def test_memory_is_limited_per_run_not_per_process(hostile_executor):
    """Six children of 200 MB each under a 256 MB limit: each fits under RLIMIT_AS alone, the run as a whole must
    not (a memory cgroup per uid slot locally, the container's limit in Docker)."""
    program = prog("""
        import os, time
        def f():
            pids = []
            for _ in range(6):
                pid = os.fork()
                if pid == 0:
                    x = bytearray(200 << 20)
                    for j in range(0, len(x), 4096):
                        x[j] = 1
                    time.sleep(1.5)
                    os._exit(0)
                pids.append(pid)
            return sum(os.waitstatus_to_exitcode(os.waitpid(p, 0)[1]) == 0 for p in pids)
    """)
    limits = Limits(timeout_s=10.0, memory_mb=256, max_processes=16, scratch_mb=8)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[CallTest("f", (), expected=6)], limits=limits))
    assert not r.passed, "all six 200 MB children ran under a 256 MB limit"
    assert_still_serving(hostile_executor)


#: Code that, once run in the harness, would answer every later test with "ok" (what an injected test would do).
_INJECTED_TEST = prog('''
    import gc, json, os, struct
    link = next(o for o in gc.get_objects() if type(o).__name__ == "Link")
    while True:
        n = struct.unpack(">I", os.read(link.rd, 4))[0]
        body = os.read(link.rd, n)
        try:
            m = json.loads(body)
        except ValueError:
            m = json.loads(body[1:])  # a tagged frame
        if isinstance(m, dict) and m.get("op") == "test":
            link.send({"done": {"status": "ok"}, "t": m.get("t")})
''')


def test_the_programs_bytes_never_reach_the_harness_as_its_own_messages(hostile_executor):
    """A reply followed by a forged test message (tagged or not): the harness must never run it; every test of the
    always-wrong program fails."""
    program = prog('''
        import gc, json, os, struct, sys
        done = [False]
        def frame(d, tag=b""):
            b = tag + json.dumps(d).encode()
            return struct.pack(">I", len(b)) + b
        def f(x):
            if not done[0] and sys._getframe(1).f_code.co_name == "call":
                done[0] = True
                c = next(o for o in gc.get_objects() if type(o).__name__ == "Candidate")
                forged = {"op": "test", "t": -1, "code": CODE}
                tag = TAG  # untagged, or with the supervisor's own tag: neither may be read as the supervisor's
                os.write(c.wr, frame({"n": c.current_nonce, "raised": {"etype": "ValueError", "emsg": "x"}})
                         + frame(forged, tag))
                c.serve()
                os._exit(0)
            return -12345
    ''').replace("CODE", repr(_INJECTED_TEST))
    tests = [AssertTest(f"for i in range(3):\n    assert f(i) == i * {k}\n", entry_point="f") for k in range(1, 5)]
    for tag in ('b""', 'b"C"'):
        r = hostile_executor.run(ExecutionRequest(program=program.replace("TAG", tag), tests=tests, limits=FAST))
        assert not any(t.passed for t in r.tests), (tag, r.to_json())


def test_one_test_the_harness_gave_up_on_does_not_fail_the_rest(hostile_executor):
    """A value too large to send fails its own test; the tests after it run on a fresh pair of units."""
    program = "def f(n):\n    return list(range(n))\n"
    tests = [AssertTest(f"for _ in range(2):\n    assert len(f({n})) == {n}\n", entry_point="f")
             for n in (2_000_000, 3, 4)]
    r = hostile_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
    assert [t.passed for t in r.tests] == [False, True, True], r.to_json()


def test_a_stdio_program_flooding_the_report_channel_fails(hostile_executor):
    """A stdio run reports once; a program that keeps writing frames there (memory the judge would hold) fails."""
    program = prog("""
        import json, os, struct
        data = json.dumps({"exit": "ok"}).encode()
        for fd in range(3, 20):
            try:
                for _ in range(200):
                    os.write(fd, struct.pack(">I", len(data)) + data)
            except OSError:
                pass
        print(3)
    """)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[StdioTest("1 2\\n", "3\\n")], limits=FAST))
    assert not r.passed, r.to_json()


# -- the direct channel between the harness and the candidate ----------------------------------------------------
#: An assert test that cannot be lifted (its loop runs in the harness), calling the program three times.
LOOP_TEST = AssertTest("for i in range(3):\n    assert add(i, 1) == i + 1\n", entry_point="add")


def _candidate_lookup() -> str:
    """Program code that finds the runtime's candidate object in its own process (everything it could reach)."""
    return "import gc\ndef _candidate():\n    return next(o for o in gc.get_objects() if type(o).__name__ == 'Candidate')\n"


def test_a_reply_followed_by_frames_nobody_asked_for_fails_the_test(hostile_executor):
    """Right answers, each followed by a forged frame on the channel to the harness (a reply for a request not yet
    made, with every nonce it could guess): the harness must read them as out of turn and fail the test."""
    program = _candidate_lookup() + prog('''
        import json, os, struct
        def add(a, b):
            c = _candidate()
            out = [w for r, w in c.replies_to.items() if r != c.rd]
            if out:
                for n in (c.current_nonce, (c.current_nonce or 0) + 1, 0, 1):
                    body = json.dumps({"n": n, "ok": a + b}).encode()
                    os.write(out[0], struct.pack(">I", len(body)) + body)
            return a + b
    ''')
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[LOOP_TEST], limits=FAST))
    assert not r.passed, r.to_json()
    assert r.status != "sandbox_error", r.to_json()
    assert_still_serving(hostile_executor)


def test_a_wrong_program_cannot_answer_the_harness_ahead_of_its_requests(hostile_executor):
    """A wrong program that floods the harness's channel with 'right' replies under every small nonce and never
    answers itself: the test fails (nonces are random, and the flood is out of turn)."""
    program = _candidate_lookup() + prog('''
        import json, os, struct, threading
        def _flood():
            c = _candidate()
            while len(c.replies_to) < 2:
                pass
            out = [w for r, w in c.replies_to.items() if r != c.rd][0]
            for n in range(200):
                body = json.dumps({"n": n, "ok": n}).encode()
                os.write(out, struct.pack(">I", len(body)) + body)
        threading.Thread(target=_flood, daemon=True).start()
        def add(a, b):
            return -1
    ''')
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[LOOP_TEST], limits=FAST))
    assert not r.passed, r.to_json()
    assert r.status != "sandbox_error", r.to_json()


@pytest.mark.parametrize("how", ["close", "steal"])
def test_a_program_that_takes_away_its_harness_channel_only_fails_itself(hostile_executor, how):
    """The program closes its link socket, or races the runtime for the descriptors on it: a program that lost its
    channel fails its assert test (crashed or timed out) and is never a sandbox error (which would change the reward);
    the race may also go to the runtime, and then the (correct) program is judged as usual."""
    action = ("os.close(c.link_sock)" if how == "close" else
              "threading.Thread(target=lambda: socket.socket(fileno=c.link_sock).recvmsg(1, 64), daemon=True).start()")
    program = _candidate_lookup() + prog(f'''
        import os, socket, threading
        c = _candidate()
        {action}
        def add(a, b):
            return a + b
    ''')
    limits = Limits(timeout_s=1.0, memory_mb=256, scratch_mb=8, max_processes=16)
    tests = [LOOP_TEST, CallTest("add", (1, 2), expected=3)]
    r = hostile_executor.run(ExecutionRequest(program=program, tests=tests, limits=limits))
    assert r.status != "sandbox_error" and r.tests[0].status != "sandbox_error", r.to_json()
    assert r.tests[1].status == "passed", r.to_json()  # a fresh candidate for the call test
    if how == "close":
        assert not r.passed and r.tests[0].status != "passed", r.to_json()
    assert_still_serving(hostile_executor)


def test_a_reply_over_the_result_limit_on_the_harness_channel_is_an_output_limit(hostile_executor):
    program = prog('''
        def add(a, b):
            return "x" * (8 << 20)
    ''')
    limits = Limits(timeout_s=5.0, memory_mb=256, scratch_mb=8, max_result_bytes=1 << 20)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[LOOP_TEST], limits=limits))
    assert not r.passed and r.tests[0].status == "output_limit", r.to_json()
    assert_still_serving(hostile_executor)


@pytest.mark.parametrize("name", ["__builtins__", "__name__", "__import__", "__build_class__"])
def test_the_programs_names_never_become_the_tests_dunders(hostile_executor, name):
    """The program's top-level names reach the harness from its own process, so it chooses them: a forged name such
    as ``__builtins__`` (with ``range`` made a call into the program that returns ``[]``) would empty every loop of
    the test. Dunders are refused, and each test runs with the interpreter's own builtins."""
    program = _candidate_lookup() + prog(f'''
        def add(a, b):
            return a - b
        _c = _candidate()
        _c.handles[424242] = lambda *a, **k: []
        _real = _c.names
        def _names(before):
            out = _real(before)
            empty = {{"__handle__": 424242, "cls": "r"}}
            out["{name}"] = {{"kind": "value", "value": {{"range": empty, "len": empty}}}}
            return out
        _c.names = _names
    ''')
    tests = [AssertTest("for i in range(5):\n    assert add(i, 1) == i + 1\n", entry_point="add"),
             AssertTest("def check(candidate):\n    for i in range(3):\n        assert candidate(i, 2) == i + 2\n"
                        "check(add)\n", entry_point="add")]
    r = hostile_executor.run(ExecutionRequest(program=program, tests=tests, limits=FAST))
    assert not r.passed and all(t.status != "passed" for t in r.tests), r.to_json()


def test_a_scratch_full_of_empty_files_is_bounded(hostile_executor):
    """Hundreds of thousands of empty files would make the scratch's teardown stall the local fork server (every run
    waiting for a unit). Its scratch holds a bounded number of files: the program gets ENOSPC past it. (A container's
    /tmp is that container's alone; podman accepts no inode bound on it.)"""
    from codegym.runtime.isolation import scratch_inodes

    program = prog('''
        import os
        def fill():
            n = 0
            try:
                while n < 200000:
                    open(f"f{n}", "w").close()
                    n += 1
            except OSError:
                pass
            return n
    ''')
    limits = Limits(timeout_s=10.0, memory_mb=256, scratch_mb=8, max_processes=16)
    r = hostile_executor.run(ExecutionRequest(program=program, tests=[CallTest("fill", (), expected=-1)],
                                              limits=limits))
    made = r.tests[0].value
    assert isinstance(made, int) and made > 0, r.to_json()
    if r.isolation == "full":  # the local fork server's tmpfs (a container's /tmp is the container's own)
        assert made <= scratch_inodes(8), r.to_json()
    assert_still_serving(hostile_executor)
