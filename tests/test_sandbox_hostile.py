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
    for r in run_all_kinds(hostile_executor, program):
        assert r.status == "output_limit", r.to_json()
        assert len(r.stdout) + len(r.stderr) < 64 * 1024
    assert_still_serving(hostile_executor)


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
