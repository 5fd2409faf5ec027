"""The Ray backend on a real two-node cluster started on this machine: a head (``ray start --head``) and a second
node joined by address (``ray start --address=HEAD:PORT``), each a separate raylet with its own CPU, object store,
temp dir and a custom resource naming it.

A driver process joins the cluster by address (``get_executor("ray", address=...)``) and runs batches of real
programs, right and wrong: results come from both nodes, then the second node is killed (every one of its processes,
SIGKILL, as when a machine dies) while it runs a task of the batch. With retries every request still gets its correct
verdict; with ``max_retries=0`` only the requests the node took down come back as ``sandbox_error``.

The driver runs in its own process: it needs the cluster's token in its environment before Ray reads it, and must
not find the private Ray instance other tests of this session start. Nodes are stopped by their process ids, never
with ``ray stop`` (which stops every Ray on the machine).
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytest.importorskip("ray", reason="Ray backend unavailable: pip install 'codegym[ray]'")

pytestmark = [pytest.mark.ray, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
VENV_RAY = Path(sys.executable).with_name("ray")  # the CLI of the Ray this interpreter imports, where there is one
RAY_CLI = str(VENV_RAY) if VENV_RAY.exists() else shutil.which("ray")
START_TIMEOUT_S = 120

# The driver: joins the cluster, runs one batch and writes what happened to a JSON file. Request i returns i + 1
# when i % 3 != 2, else i + 2 (a wrong answer); each sleeps first, so the batch is still running when a node is
# killed. Nodes are named by the custom resource each was started with (``codegym_node_<name>``).
DRIVER = r'''
import json, sys
from pathlib import Path
import ray
from codegym.sandbox import ExecutionRequest, Limits, get_executor
from codegym.tasks.model import CallTest

address, report = sys.argv[1], Path(sys.argv[5])
size, sleep_s, max_retries = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ex = get_executor("ray", address=address, max_retries=max_retries)
names = {node["NodeID"]: next(r for r in node["Resources"] if r.startswith("codegym_node_"))
         for node in ray.nodes() if node["Alive"]}
requests = [ExecutionRequest(f"import time\ntime.sleep({sleep_s})\ndef f(x):\n    return x + {1 if i % 3 != 2 else 2}\n",
                             [CallTest("f", (i,), expected=i + 1)], limits=Limits(timeout_s=20, memory_mb=256),
                             request_id=str(i)) for i in range(size)]
results = ex.run_many(requests)
report.write_text(json.dumps({
    "statuses": [r.status for r in results], "errors": [r.error for r in results],
    "ids": [r.request_id for r in results], "backends": sorted({r.backend for r in results}),
    "placements": {names[node]: count for node, count in ex.placements().items()}}))
ex.close()
'''


def _die_with_parent() -> None:
    """In a node's ``ray start`` process: SIGTERM when pytest dies, so a killed test run leaves no cluster behind."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _processes() -> dict[int, tuple[int, str]]:
    """pid -> (parent pid, command name) of every process now."""
    out = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                stat = Path(f"/proc/{p}/stat").read_text()
                out[int(p)] = (int(stat.rsplit(")", 1)[1].split()[1]), stat[stat.index("(") + 1:stat.rindex(")")])
            except (OSError, ValueError, IndexError):
                continue
    return out


def _descendants(root: int) -> list[int]:
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in procs.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _task_workers(root: int) -> list[int]:
    """Workers of the node started as ``root`` that are running our task (Ray titles them ``ray::_run_in_worker``)."""
    pids = []
    for pid in _descendants(root):
        try:
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"ray::_run_in_worker"):
                pids.append(pid)
        except OSError:
            continue
    return pids


@dataclass
class Node:
    name: str
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """SIGKILL every process of this node at once: the node is lost, as when its machine dies."""
        for pid in [self.process.pid, *_descendants(self.process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop the node: SIGTERM to ``ray start --block`` stops the processes it started; stragglers get SIGKILL."""
        left = _descendants(self.process.pid)
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        for pid in [self.process.pid, *left, *_descendants(self.process.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=30)


@dataclass
class Cluster:
    root: Path
    env: dict[str, str]
    port: int
    nodes: list[Node] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start_node(self, name: str, head: bool = False) -> Node:
        """``ray start --block`` in its own session; returns once the node has joined (or fails with its log)."""
        log = self.root / f"{name}.log"
        args = [RAY_CLI, "start", "--block", f"--temp-dir={self.root / name}", "--num-cpus=1",
                f"--object-store-memory={100 << 20}", "--disable-usage-stats", "--dashboard-agent-listen-port=0",
                f"--resources={json.dumps({f'codegym_node_{name}': 100})}"]
        if head:
            args += ["--head", f"--port={self.port}", f"--ray-client-server-port={_free_port()}",
                     "--include-dashboard=false"]
        else:
            args += [f"--address={self.address}"]
        with open(log, "wb") as out:
            process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=self.env,
                                       start_new_session=True, preexec_fn=_die_with_parent)
        node = Node(name, process, log)
        self.nodes.append(node)
        deadline = time.monotonic() + START_TIMEOUT_S
        while b"Ray runtime started" not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"node {name} did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        return node

    def drive(self, n: int, sleep_s: float, max_retries: int = 3, *, lose: Node | None = None) -> dict:
        """Run the driver's batch; with ``lose``, kill that node once it runs a task of the batch.

        Returns the driver's report, plus ``running_on_lost``: how many of the batch's tasks were running on the
        node when it was killed.
        """
        report_path = self.root / f"report-{time.monotonic_ns()}.json"
        driver = subprocess.Popen([sys.executable, "-c", DRIVER, self.address, str(n), str(sleep_s),
                                   str(max_retries), str(report_path)], cwd=REPO, env=self.env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        running = 0
        try:
            if lose is not None:
                deadline = time.monotonic() + START_TIMEOUT_S
                while not running and driver.poll() is None and time.monotonic() < deadline:
                    running = len(_task_workers(lose.process.pid))
                    time.sleep(0.05)
                lose.kill()
            out, err = driver.communicate(timeout=START_TIMEOUT_S)
        finally:
            if driver.poll() is None:
                driver.kill()
                driver.communicate()
        assert driver.returncode == 0, f"driver exited {driver.returncode}\n{err[-4000:]}"
        # A file, not stdout: Ray writes there too (a lost node's log tail), in the middle of lines.
        report = json.loads(report_path.read_text())
        report["running_on_lost"] = running
        return report


@pytest.fixture(scope="module")
def cluster():
    if RAY_CLI is None:
        pytest.skip("the `ray` command is not installed (pip install 'codegym[ray]')")
    if not sys.platform.startswith("linux"):
        pytest.skip("the cluster test finds and kills a node's processes through Linux's /proc")
    # Short root: Ray's socket paths under it must fit in a Unix socket address (107 bytes).
    root = Path(tempfile.mkdtemp(prefix="cgray", dir="/tmp"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32), RAY_USAGE_STATS_ENABLED="0",
               PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    c = Cluster(root, env, _free_port())
    try:
        c.start_node("head", head=True)
        c.start_node("b")
        yield c
    finally:
        for node in reversed(c.nodes):
            node.stop()
        shutil.rmtree(root, ignore_errors=True)


def _expected(n: int) -> list[str]:
    return ["passed" if i % 3 != 2 else "failed" for i in range(n)]


def _stop_started_elsewhere(pid: int, wait_s: float = 30.0) -> None:
    """Stop a ``ray start --block`` started by a doc block (not our child, so polled rather than waited for)."""
    if not Path(f"/proc/{pid}").exists():
        return
    left = _descendants(pid)
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait_s
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    for p in [pid, *left]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_docs_ray_cluster_md_runs_as_written(tmp_path):
    """The page starts its own two-node cluster, joins it, loses a node and stops the cluster. Runs before the
    module's cluster exists, so the machine carries one cluster at a time."""
    from doc_blocks import run_doc_blocks

    if RAY_CLI is None:
        pytest.skip("the `ray` command is not installed (pip install 'codegym[ray]')")
    try:
        assert run_doc_blocks("docs/ray_cluster.md", tmp_path, timeout=START_TIMEOUT_S) == 7
    finally:  # a block that failed may have left nodes running
        for name in ("b.pid", "head.pid"):
            if (tmp_path / name).exists():
                _stop_started_elsewhere(int((tmp_path / name).read_text()))
        env_file = tmp_path / "cluster.env"
        if env_file.exists():
            settings = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
            shutil.rmtree(settings.get("NODE_DIRS", tmp_path / "absent"), ignore_errors=True)


def test_a_batch_runs_on_both_nodes(cluster):
    report = cluster.drive(n=12, sleep_s=0.3)
    assert report["statuses"] == _expected(12), report["errors"]
    assert report["ids"] == [str(i) for i in range(12)] and report["backends"] == ["ray"]
    # Results came from both nodes, and from no other.
    assert set(report["placements"]) == {"codegym_node_head", "codegym_node_b"}, report["placements"]
    assert sum(report["placements"].values()) == 12


def test_a_driver_without_the_cluster_token_gets_a_typed_error(cluster):
    code = ("from codegym.errors import BackendUnavailableError\n"
            "from codegym.sandbox import get_executor\n"
            "try:\n"
            f"    get_executor('ray', address={cluster.address!r})\n"
            "except BackendUnavailableError as exc:\n"
            "    print('TYPED', exc)\n")
    # A wrong token; Ray's 20 s of connection retries cut to 2.
    env = dict(cluster.env, RAY_AUTH_TOKEN="0" * 64, RAY_gcs_server_port_wait_time_s="2")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True,
                         timeout=START_TIMEOUT_S)
    assert "TYPED" in out.stdout and "refused this process's Ray token" in out.stdout, out.stdout + out.stderr[-3000:]
    assert "RAY_AUTH_TOKEN" in out.stdout


def test_a_node_lost_mid_batch_costs_no_verdict(cluster):
    """The second node dies while it runs a task: Ray re-runs its tasks on the head; every verdict is right."""
    node_b = cluster.nodes[1]
    report = cluster.drive(n=8, sleep_s=1.0, lose=node_b)
    assert report["running_on_lost"] >= 1, "the node was killed before it ran any task of the batch"
    assert report["statuses"] == _expected(8), report["errors"]
    # Every request has a result from one node or the other: what the lost node finished before it died is
    # counted for it, the rest (those it was running included) for the head.
    assert sum(report["placements"].values()) == 8 and report["placements"]["codegym_node_head"] >= 1


def test_a_node_lost_without_retries_fails_only_its_own_requests(cluster):
    """With ``max_retries=0`` the tasks the lost node took down come back as sandbox_error saying so; every other
    request of the batch gets its right verdict, and a wrong program is never reported as passing."""
    cluster.nodes[1].stop()
    node_c = cluster.start_node("c")  # a replacement joins the same head
    report = cluster.drive(n=8, sleep_s=1.0, max_retries=0, lose=node_c)
    assert report["running_on_lost"] >= 1, "the node was killed before it ran any task of the batch"
    lost = [i for i, s in enumerate(report["statuses"]) if s == "sandbox_error"]
    assert 1 <= len(lost) <= 4, report  # at most the tasks in flight there (max_in_flight is 2 x 2 CPUs)
    for i in lost:
        assert "was lost (1 attempt, max_retries=0): NodeDiedError" in report["errors"][i], report["errors"][i]
    want = _expected(8)
    assert [s for i, s in enumerate(report["statuses"]) if i not in lost] == \
        [s for i, s in enumerate(want) if i not in lost], report
