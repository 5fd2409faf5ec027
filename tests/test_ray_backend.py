"""The Ray backend on a private local Ray instance with 2 CPUs (``ray.init(num_cpus=2)``).

The hostile-program suite runs against this backend too (``tests/test_sandbox_hostile.py``, parameter ``ray``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from codegym.sandbox import ExecutionRequest, Limits, get_executor
from codegym.tasks.model import AssertTest, CallTest, StdioTest

ray = pytest.importorskip("ray", reason="Ray backend unavailable: pip install 'codegym[ray]'")

pytestmark = pytest.mark.ray

REPO = Path(__file__).resolve().parents[1]
FAST = Limits(timeout_s=2.0, memory_mb=256, scratch_mb=8, max_processes=16)
ADD = "def add(a, b):\n    return a + b\n"
RAY_KWARGS = {"num_cpus": 2, "init_kwargs": {"object_store_memory": 100 << 20}}


@pytest.fixture(scope="module")
def ray_executor():
    ex = get_executor("ray", **RAY_KWARGS)
    yield ex
    ex.close()


def _task_worker_pids(root: int | None = None) -> list[int]:
    """Ray worker processes executing our task (Ray titles them ``ray::_run_in_worker``) that descend from ``root``
    (default: this process, whose private Ray instance's raylet starts them): never another session's workers."""
    root = os.getpid() if root is None else root
    parents, titles = {}, {}
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            titles[int(p)] = Path(f"/proc/{p}/cmdline").read_bytes()
            parents[int(p)] = int(Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue

    def descends(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == root:
                return True
        return False

    return [pid for pid, title in titles.items() if title.startswith(b"ray::_run_in_worker") and descends(pid)]


def _kill_worker_during(ex, request: ExecutionRequest, kills: int = 1):
    """Run ``request`` on ``ex`` and SIGKILL the worker running it ``kills`` times; returns the result."""
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("r", ex.run(request)))
    t.start()
    killed = 0
    deadline = time.monotonic() + 60
    while killed < kills and time.monotonic() < deadline and t.is_alive():
        pids = _task_worker_pids()
        if pids:
            time.sleep(0.5)  # let it get into the program
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    continue
            killed += 1
            while set(_task_worker_pids()) & set(pids):
                time.sleep(0.05)
        else:
            time.sleep(0.05)
    t.join(timeout=120)
    assert killed == kills, f"only killed {killed} worker(s)"
    return box["r"]


def test_results_match_the_local_backend(ray_executor, local_executor):
    reqs = [
        ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3), CallTest("add", (2, 2), expected=5)], limits=FAST),
        ExecutionRequest(ADD, [AssertTest("assert add(1, 2) == 3", entry_point="add")], limits=FAST,
                         reference=ADD.replace("a + b", "b + a")),
        ExecutionRequest("print(sum(map(int, input().split())))", [StdioTest("1 2\n", "3\n")], limits=FAST),
        ExecutionRequest("def add(a, b)\n", [CallTest("add", (1, 2), expected=3)], limits=FAST),
        ExecutionRequest("def add(a, b):\n    while True:\n        pass\n", [CallTest("add", (1, 2), expected=3)],
                         limits=Limits(timeout_s=1.0)),
    ]
    got = ray_executor.run_many(reqs)
    want = local_executor.run_many(reqs)
    for g, w in zip(got, want):
        assert g.backend == "ray" and g.isolation == w.isolation
        assert set(g.to_dict()) == set(w.to_dict())
        assert (g.status, [t.status for t in g.tests], [t.message for t in g.tests]) == \
            (w.status, [t.status for t in w.tests], [t.message for t in w.tests])
    assert [r.status for r in got] == ["failed", "passed", "passed", "syntax_error", "timeout"]
    assert ray_executor.isolation == local_executor.isolation


def test_run_many_keeps_order_reports_progress_and_bounds_in_flight(ray_executor):
    from codegym.sandbox.ray import RayExecutor

    ex = RayExecutor(max_in_flight=2)  # joins the instance the fixture started
    assert not ex._owns_ray
    outstanding, peak = set(), [0]
    real_remote = ex._task.remote
    real_collect = ex._collect

    class CountingTask:
        def remote(self, *args, **kwargs):
            ref = real_remote(*args, **kwargs)
            outstanding.add(ref)
            peak[0] = max(peak[0], len(outstanding))
            return ref

    def collect(request, ref, submitted):
        outstanding.discard(ref)
        return real_collect(request, ref, submitted)

    ex._task, ex._collect = CountingTask(), collect
    reqs = [ExecutionRequest(f"def add(a, b):\n    return a + b + {i}\n", [CallTest("add", (1, 2), expected=3 + i)],
                             limits=FAST, request_id=str(i)) for i in range(7)]
    seen = []
    results = ex.run_many(reqs, progress=lambda i, r: seen.append(i))
    ex.close()
    assert [r.request_id for r in results] == [str(i) for i in range(7)]
    assert all(r.passed for r in results)
    assert sorted(seen) == list(range(7))
    assert peak[0] == 2
    assert ray.is_initialized()  # closing a joining executor leaves the cluster running


def test_placements_count_results_per_node(ray_executor):
    from codegym.sandbox.ray import RayExecutor

    ex = RayExecutor()
    reqs = [ExecutionRequest(ADD, [CallTest("add", (1, i), expected=1 + i)], limits=FAST) for i in range(3)]
    assert all(r.passed for r in ex.run_many(reqs)) and ex.run(reqs[0]).passed
    assert ex.placements() == {ray.get_runtime_context().get_node_id(): 4}  # the one node of the local instance
    ex.close()


def test_time_queued_behind_other_tasks_does_not_count_against_a_task(ray_executor):
    """32 half-second programs on 2 CPUs, all submitted at once: the last ones wait ~8 s for a CPU, longer than their
    budget (2 s total limit + 4 s grace). None is given up on, since results keep arriving meanwhile (measured from
    submission, as before, the last quarter came back as sandbox_error)."""
    from codegym.sandbox.ray import RayExecutor

    ex = RayExecutor(max_in_flight=32, task_grace_s=4.0)
    quick = ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST)
    assert all(r.passed for r in ex.run_many([quick, quick]))  # workers started: start-up is not what is tested
    slow = [ExecutionRequest(f"import time\ntime.sleep(0.5)\n{ADD}", [CallTest("add", (i, 1), expected=i + 1)],
                             limits=Limits(timeout_s=2.0, total_timeout_s=2.0, memory_mb=256)) for i in range(32)]
    results = ex.run_many(slow)
    ex.close()
    assert [r.status for r in results] == ["passed"] * 32, [r.error for r in results if not r.passed]


def test_a_frozen_worker_is_given_up_and_the_batch_goes_on(ray_executor):
    """A worker that stops making progress (SIGSTOP: a frozen process the raylet still sees as alive, so Ray never
    retries it) costs its request a sandbox_error once nothing else arrives for the request's budget; the requests
    behind it in the batch still pass."""
    from codegym.sandbox.ray import RayExecutor

    ex = RayExecutor(max_in_flight=1, task_grace_s=0.5)  # one task at a time: the only busy worker is the sleeper
    sleeper = ExecutionRequest("import time\ntime.sleep(2)\n" + ADD, [CallTest("add", (1, 2), expected=3)],
                               limits=Limits(timeout_s=3.0, total_timeout_s=3.0, memory_mb=256))
    fine = [ExecutionRequest(ADD, [CallTest("add", (i, 2), expected=i + 2)], limits=FAST) for i in range(2)]
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("r", ex.run_many([sleeper, *fine])))
    t.start()
    stopped = []
    deadline = time.monotonic() + 60
    while not stopped and time.monotonic() < deadline:
        for pid in _task_worker_pids():
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        time.sleep(0.05)
    t.join(timeout=120)
    for pid in stopped:  # force-cancel already killed it; this only matters if the test failed before that
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    ex.close()
    assert stopped, "never saw the sleeper's worker"
    results = box["r"]
    assert [r.status for r in results] == ["sandbox_error", "passed", "passed"], [r.error for r in results]
    assert "task_grace_s=0.5" in results[0].error and results[0].tests[0].status == "sandbox_error"


def test_submit_and_async_paths(ray_executor):
    import asyncio

    req = ExecutionRequest(ADD, [CallTest("add", (2, 3), expected=5)], limits=FAST)
    assert ray_executor.submit(req).result(timeout=120).passed
    results = asyncio.run(ray_executor.arun_many([req, req]))
    assert [r.passed for r in results] == [True, True]


def test_lost_worker_is_retried(ray_executor):
    sleepy = ExecutionRequest("import time\ntime.sleep(2)\n" + ADD, [CallTest("add", (1, 2), expected=3)],
                              limits=Limits(timeout_s=10.0, memory_mb=256))
    r = _kill_worker_during(ray_executor, sleepy, kills=1)
    assert r.passed, r.to_json()


def test_worker_lost_more_often_than_retries_gives_sandbox_error(ray_executor):
    from codegym.sandbox.ray import RayExecutor

    ex = RayExecutor(max_retries=0)
    sleepy = ExecutionRequest("import time\ntime.sleep(3)\n" + ADD, [CallTest("add", (1, 2), expected=3)],
                              limits=Limits(timeout_s=10.0, memory_mb=256))
    r = _kill_worker_during(ex, sleepy, kills=1)
    assert r.status == "sandbox_error" and "lost" in (r.error or ""), r.to_json()
    assert r.backend == "ray" and r.tests[0].status == "sandbox_error"
    assert ex.run(ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST)).passed
    ex.close()


def test_bad_requests_raise_typed_errors(ray_executor):
    with pytest.raises(TypeError, match="ExecutionRequest"):
        ray_executor.run("print(1)")
    from codegym.sandbox.ray import RayExecutor

    with pytest.raises(ValueError, match="cpus_per_task"):
        RayExecutor(cpus_per_task=0)
    with pytest.raises(ValueError, match="max_retries"):
        RayExecutor(max_retries=-1)
    with pytest.raises(ValueError, match="task_grace_s"):
        RayExecutor(task_grace_s=0)


def test_unreachable_cluster_is_a_typed_error():
    script = ("from codegym.sandbox.ray import RayExecutor\n"
              "from codegym.errors import BackendUnavailableError\n"
              "try:\n"
              "    RayExecutor(address='127.0.0.1:9')\n"
              "except BackendUnavailableError as exc:\n"
              "    print('TYPED', exc)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180, cwd=REPO,
                         env={**os.environ, "RAY_ADDRESS": ""})
    assert "TYPED" in out.stdout and "127.0.0.1:9" in out.stdout, out.stdout + out.stderr


def test_humaneval_canonical_solutions_all_pass(ray_executor, humaneval_path):
    from codegym.evaluation import evaluate_many
    from codegym.tasks.loaders import load_file

    tasks = load_file(humaneval_path)
    evals = evaluate_many([(t, t.reference) for t in tasks], executor=ray_executor)
    assert all(e.result.backend == "ray" for e in evals)
    failed = [(e.task_id, e.result.status, e.result.error) for e in evals if not e.result.passed]
    assert len(evals) == 164 and not failed


def test_vector_env_with_executor_name_ray(ray_executor):
    from codegym.envs.vector import BatchedCodeGenVectorEnv

    venv = BatchedCodeGenVectorEnv(4, tasks="micro:20", executor="ray")  # joins the fixture's instance
    try:
        venv.reset(seed=0)
        _, rewards, terminated, _, _ = venv.step([env.task.reference for env in venv.envs])
        assert list(rewards) == [1.0] * 4 and all(terminated)
    finally:
        venv.close()
    assert ray.is_initialized()


def test_a_bad_request_in_a_batch_raises_and_frees_every_slot(ray_executor):
    from codegym.sandbox.ray import RayExecutor

    ex = RayExecutor(max_in_flight=2, local_kwargs={"isolation": "bogus"})  # rejected by LocalExecutor in the worker
    reqs = [ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST) for _ in range(3)]
    with pytest.raises(ValueError, match="isolation"):
        ex.run_many(reqs)
    # Every in-flight slot came back: both can be taken again without blocking.
    assert ex._in_flight.acquire(timeout=1) and ex._in_flight.acquire(timeout=1)
    ex._in_flight.release()
    ex._in_flight.release()
    ex.close()
