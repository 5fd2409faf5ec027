"""The Docker backend against a real Docker-API engine (podman's ``system service`` in CI).

Engine-free tests (image configuration, mirror detection, typed errors) always run. The others need an engine and
the sandbox image (``.ci/setup_container_engine.sh``) and skip, saying why, where there is none. The hostile-program
suite runs against this backend too (``tests/test_sandbox_hostile.py``, parameter ``docker``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from codegym.errors import BackendUnavailableError
from codegym.sandbox import ExecutionRequest, Limits, get_executor
from codegym.sandbox.image import (
    DOCKERFILE_DIR,
    IMAGE_CONFIG,
    IMAGE_LABEL,
    build_image,
    debian_mirror,
    image_changes,
)
from codegym.tasks.model import AssertTest, CallTest, StdioTest

REPO = Path(__file__).resolve().parents[1]
FAST = Limits(timeout_s=2.0, memory_mb=256, scratch_mb=8, max_processes=16)
ADD = "def add(a, b):\n    return a + b\n"


def _engine_reason() -> str | None:
    from codegym.sandbox.docker import unavailable_reason

    return unavailable_reason()


_REASON = _engine_reason()
needs_engine = [pytest.mark.docker,
                pytest.mark.skipif(_REASON is not None, reason=f"Docker backend unavailable: {_REASON}")]


@pytest.fixture(scope="module")
def docker_executor():
    from codegym.sandbox.docker import DockerExecutor

    ex = DockerExecutor(workers=2, limits=FAST)
    yield ex
    ex.close()


@pytest.fixture(scope="module")
def engine():
    from codegym.sandbox.docker import connect_engine

    client = connect_engine()
    yield client
    client.close()


# ----------------------------------------------------------------------------------------------------------------
# Without an engine
# ----------------------------------------------------------------------------------------------------------------

def _dockerfile_instructions() -> dict[str, str]:
    text = (DOCKERFILE_DIR / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out[word.upper()] = rest.strip()
    return out


def test_dockerfile_matches_the_rootfs_image_config():
    """Both build methods must give containers the same label, environment, working directory and command."""
    ins = _dockerfile_instructions()
    assert json.loads(ins["CMD"]) == IMAGE_CONFIG["cmd"]
    assert ins["WORKDIR"] == IMAGE_CONFIG["workdir"]
    env = dict(kv.split("=", 1) for kv in ins["ENV"].split())
    assert env == IMAGE_CONFIG["env"]
    key, _, value = ins["LABEL"].partition("=")
    assert {key: json.loads(value)} == IMAGE_CONFIG["labels"] and key == IMAGE_LABEL
    changes = image_changes()
    assert "CMD " + json.dumps(IMAGE_CONFIG["cmd"]) in changes
    assert f"WORKDIR {IMAGE_CONFIG['workdir']}" in changes


def test_reaper_command_reaps_orphans_and_keeps_running():
    """PID 1 of every container: must compile and loop (it is run with python3 -I -c)."""
    source = IMAGE_CONFIG["cmd"][-1]
    compile(source, "<reaper>", "exec")
    proc = subprocess.Popen([sys.executable, "-I", "-c", source])
    try:
        time.sleep(0.5)
        assert proc.poll() is None
    finally:
        proc.kill()
        proc.wait()


def test_debian_mirror_reads_deb822_and_one_line_sources(tmp_path, monkeypatch):
    from codegym.sandbox import image

    deb822 = tmp_path / "debian.sources"
    deb822.write_text(textwrap.dedent("""\
        Types: deb
        URIs: http://security.example/debian-security
        Suites: bookworm-security
        Components: main

        Types: deb
        URIs: http://mirror.example/debian/
        Suites: bookworm bookworm-updates
        Components: main
    """))
    monkeypatch.setattr(image, "_apt_source_files", lambda: iter([deb822]))
    assert debian_mirror("bookworm") == "http://mirror.example/debian"
    one_line = tmp_path / "sources.list"
    one_line.write_text("# comment\ndeb [arch=amd64] http://other.example/debian bookworm main\n")
    monkeypatch.setattr(image, "_apt_source_files", lambda: iter([one_line]))
    assert debian_mirror("bookworm") == "http://other.example/debian"
    assert debian_mirror("trixie") == "http://deb.debian.org/debian"


def test_registry_host_of_image_names():
    from codegym.sandbox.image import _registry_host

    assert _registry_host("debian:bookworm-slim") == "registry-1.docker.io"
    assert _registry_host("library/debian") == "registry-1.docker.io"
    assert _registry_host("ghcr.io/org/img:1") == "ghcr.io"
    assert _registry_host("localhost:5000/img") == "localhost"


def test_build_image_rejects_unknown_method():
    with pytest.raises(ValueError, match="auto, dockerfile, rootfs"):
        build_image(None, method="kaniko")


def test_unreachable_engine_is_a_typed_error_that_says_what_to_do(tmp_path):
    from codegym.sandbox.docker import connect_engine

    with pytest.raises(BackendUnavailableError, match="podman system service"):
        connect_engine(f"unix://{tmp_path}/no-engine.sock", timeout_s=2)


def test_owner_liveness_of_leftover_containers():
    from codegym.sandbox.docker_engine import _owner_alive

    host = socket.gethostname()
    assert _owner_alive(f"{host}:{os.getpid()}:abc")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    assert not _owner_alive(f"{host}:{dead.pid}:abc")
    assert _owner_alive("some-other-host:1:abc")  # never judged from here


# ----------------------------------------------------------------------------------------------------------------
# Against the engine
# ----------------------------------------------------------------------------------------------------------------

class TestAgainstEngine:
    pytestmark = needs_engine

    def test_get_executor_dispatches_to_docker(self):
        with get_executor("docker", workers=1, prestart=0) as ex:
            r = ex.run(ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST))
        assert r.passed and r.backend == "docker" and r.isolation == "container", r.to_json()

    def test_verdicts_and_schema_match_the_local_backend(self, docker_executor, local_executor):
        reqs = [
            ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3), CallTest("add", (2, 2), expected=5)]),
            ExecutionRequest(ADD, [AssertTest("assert add(1, 2) == 3\nassert add(2, 2) == 4", entry_point="add")],
                             reference=ADD.replace("a + b", "b + a")),
            ExecutionRequest("print(sum(map(int, input().split())))", [StdioTest("1 2\n", "3\n"),
                                                                     StdioTest("2 2\n", "5\n")]),
            ExecutionRequest("def add(a, b)\n    return 1\n", [CallTest("add", (1, 2), expected=3)]),
            ExecutionRequest("def add(a, b):\n    return a / 0\n", [CallTest("add", (1, 2), expected=3)]),
            ExecutionRequest("def add(a, b):\n    while True:\n        pass\n", [CallTest("add", (1, 2), expected=3)],
                             limits=Limits(timeout_s=1.0)),
        ]
        reqs = [ExecutionRequest(r.program, r.tests, limits=r.limits if r.limits.timeout_s == 1.0 else FAST,
                                 reference=r.reference) for r in reqs]
        got = docker_executor.run_many(reqs)
        want = local_executor.run_many(reqs)
        for d, w in zip(got, want):
            assert d.backend == "docker" and d.isolation == "container"
            assert set(d.to_dict()) == set(w.to_dict())
            assert (d.status, [t.status for t in d.tests]) == (w.status, [t.status for t in w.tests]), \
                (d.to_json(), w.to_json())
            assert [t.message for t in d.tests] == [t.message for t in w.tests]
        assert [r.status for r in got] == ["failed", "passed", "failed", "syntax_error", "runtime_error", "timeout"]

    def test_assert_tests_run_in_the_harness_against_the_program(self, docker_executor):
        # Not liftable (a loop): the container's harness unit runs it, calling the candidate unit remotely.
        test = AssertTest("def check(c):\n    for a in range(8):\n        assert c(a, 1) == a + 1\ncheck(add)\n",
                          entry_point="add")
        wrong = "def add(a, b):\n    return 0 if a == 7 else a + b\n"
        r = docker_executor.run(ExecutionRequest(wrong, [test], limits=FAST))
        assert r.status == "failed" and r.tests[0].message == "failed: assert c(a, 1) == a + 1", r.to_json()
        assert docker_executor.run(ExecutionRequest(ADD, [test], limits=FAST)).passed

    def test_container_is_locked_down(self, docker_executor, engine):
        probe = textwrap.dedent("""
            import os
            def probe():
                out = {"root": os.getuid() == 0 or os.geteuid() == 0}
                out["ifaces"] = sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:])
                writable = []
                for d in ("/", "/etc", "/usr", "/var/tmp", "/run", "/dev/shm", "/tmp"):
                    try:
                        open(os.path.join(d, "probe-file"), "w").close()
                        writable.append(d)
                    except OSError:
                        pass
                out["writable"] = writable
                status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
                out["caps"] = int(status["CapEff"], 16)
                out["no_new_privs"] = status["NoNewPrivs"].strip()
                return out
        """)
        expected = {"root": False, "ifaces": ["lo"], "writable": ["/tmp"], "caps": 0, "no_new_privs": "1"}
        r = docker_executor.run(ExecutionRequest(probe, [CallTest("probe", (), expected=expected)], limits=FAST))
        assert r.passed, r.to_json()
        # Engine-side configuration of the pooled containers.
        shapes = set()
        for cid in docker_executor.container_ids():
            hc = engine.api.inspect_container(cid)["HostConfig"]
            assert hc["NetworkMode"] == "none" and hc["ReadonlyRootfs"] is True
            assert hc["NanoCpus"] == int(docker_executor.cpus * 1e9)
            assert hc["MemorySwap"] == hc["Memory"]  # no swap beyond the memory limit
            assert "no-new-privileges" in " ".join(hc.get("SecurityOpt") or [])
            shapes.add((hc["Memory"], hc["PidsLimit"]))
        assert ((FAST.memory_mb + docker_executor.memory_headroom_mb) << 20, FAST.max_processes + 8) in shapes

    def test_clean_runs_reuse_containers_and_dirty_runs_replace_them(self, docker_executor):
        ok = ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST)
        docker_executor.run_many([ok, ok])
        before = set(docker_executor.container_ids())
        docker_executor.run_many([ok, ok, ok, ok])
        assert set(docker_executor.container_ids()) == before  # warm and reused
        hang = ExecutionRequest("import time\ntime.sleep(30)\n", [CallTest("add", (1, 2), expected=3)],
                                limits=Limits(timeout_s=1.0, memory_mb=256, scratch_mb=8, max_processes=16))
        r = docker_executor.run(hang)
        assert r.status == "timeout", r.to_json()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # the replacement starts in the background
            now = set(docker_executor.container_ids())
            if len(now) == len(before) and now != before:
                break
            time.sleep(0.2)
        now = set(docker_executor.container_ids())
        assert len(now - before) == 1 and len(before - now) == 1  # exactly the dirty one was replaced
        assert docker_executor.run(ok).passed

    def test_requests_with_other_limits_get_containers_of_their_shape(self, docker_executor, engine):
        big = Limits(timeout_s=2.0, memory_mb=300, scratch_mb=4, max_processes=5)
        # (Programs cannot statfs: the system-call filter denies it, a file system's usage being a channel.)
        r = docker_executor.run(ExecutionRequest("def f():\n    return 1\n", [CallTest("f", (), expected=1)],
                                                 limits=big))
        assert r.passed, r.to_json()
        configs = [engine.api.inspect_container(c)["HostConfig"] for c in docker_executor.container_ids()]
        shaped = [h for h in configs if h["Memory"] == (300 + docker_executor.memory_headroom_mb) << 20]
        assert shaped and all("size=4m" in h["Tmpfs"]["/tmp"] for h in shaped), configs

    def test_scratch_is_wiped_in_place_and_survivors_cost_the_container(self):
        from codegym.sandbox.docker import DockerExecutor

        plant_file = "def add(a, b):\n    open('/tmp/planted', 'w').write('x')\n    return a + b\n"
        plant_process = textwrap.dedent("""
            import subprocess
            def add(a, b):
                subprocess.Popen(['sleep', '1000'], start_new_session=True)
                return a + b
        """)
        look = textwrap.dedent("""
            import os
            def add(a, b):
                found = [n for n in os.listdir('/tmp') if n.startswith('planted')]
                for p in os.listdir('/proc'):
                    if p.isdigit():
                        try:
                            if open(f'/proc/{p}/cmdline', 'rb').read().split(b'\\0')[0] == b'sleep':
                                found.append('sleep')
                        except OSError:
                            pass
                return found
        """)
        call = [CallTest("add", (1, 2), expected=3)]
        nothing = [CallTest("add", (1, 2), expected=[])]
        with DockerExecutor(workers=1, limits=FAST) as ex:
            first = ex.container_ids()
            assert ex.run(ExecutionRequest(plant_file, call, limits=FAST)).passed
            r = ex.run(ExecutionRequest(look, nothing, limits=FAST))
            assert r.passed, r.to_json()
            assert ex.container_ids() == first  # wiped in place: the container was kept
            assert ex.run(ExecutionRequest(plant_process, call, limits=FAST)).passed
            r = ex.run(ExecutionRequest(look, nothing, limits=FAST))
            assert r.passed, r.to_json()
            assert ex.container_ids() != first  # a process outlived its run: the container was replaced

    def test_memory_limit_is_enforced(self, docker_executor):
        hog = "def add(a, b):\n    x = bytearray(600 << 20)\n    x[::4096] = b'x' * len(x[::4096])\n    return a + b\n"
        r = docker_executor.run(ExecutionRequest(hog, [CallTest("add", (1, 2), expected=3)], limits=FAST))
        assert r.status == "memory_limit", r.to_json()
        assert docker_executor.run(ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST)).passed

    def test_missing_image_is_a_typed_error_naming_the_fix(self):
        from codegym.sandbox.docker import DockerExecutor

        with pytest.raises(BackendUnavailableError, match="codegym sandbox build-image"):
            DockerExecutor(workers=1, image="codegym-no-such-image:0", prestart=0)

    def test_close_removes_every_container(self, engine):
        from codegym.sandbox.docker import OWNER_LABEL, DockerExecutor

        ex = DockerExecutor(workers=2, limits=FAST)
        assert ex.run(ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST)).passed
        owner = ex.owner
        assert engine.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})
        ex.close()
        assert not engine.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})
        with pytest.raises(Exception, match="closed"):
            ex.run(ExecutionRequest(ADD, [CallTest("add", (1, 2), expected=3)], limits=FAST))

    def test_containers_are_removed_when_the_executor_is_garbage_collected(self, engine):
        import gc

        from codegym.sandbox.docker import OWNER_LABEL, DockerExecutor

        ex = DockerExecutor(workers=1, limits=FAST)
        owner = ex.owner
        assert engine.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})
        del ex
        gc.collect()
        assert not engine.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})

    def test_containers_are_removed_at_interpreter_exit(self, engine):
        from codegym.sandbox.docker import OWNER_LABEL

        script = ("from codegym.sandbox.docker import DockerExecutor\n"
                  "ex = DockerExecutor(workers=1)\n"
                  "print(ex.owner, flush=True)\n")  # exits without close()
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                             cwd=REPO)
        assert out.returncode == 0, out.stderr
        owner = out.stdout.strip().splitlines()[-1]
        assert not engine.containers.list(all=True, filters={"label": f"{OWNER_LABEL}={owner}"})

    def test_prune_removes_containers_of_dead_owners_only(self, engine):
        from codegym.sandbox.docker import CONTAINER_LABEL, OWNER_LABEL, prune_containers
        from codegym.sandbox.image import DEFAULT_IMAGE

        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        labels = {CONTAINER_LABEL: "1", OWNER_LABEL: f"{socket.gethostname()}:{dead.pid}:test"}
        orphan = engine.containers.create(DEFAULT_IMAGE, command=["true"], labels=labels, network_mode="none")
        live_labels = {CONTAINER_LABEL: "1", OWNER_LABEL: f"{socket.gethostname()}:{os.getpid()}:test"}
        live = engine.containers.create(DEFAULT_IMAGE, command=["true"], labels=live_labels, network_mode="none")
        try:
            prune_containers(engine)
            ids = {c.id for c in engine.containers.list(all=True, filters={"label": CONTAINER_LABEL})}
            assert orphan.id not in ids and live.id in ids
        finally:
            for c in (orphan, live):
                try:
                    c.remove(force=True)
                except Exception:  # noqa: BLE001 - already removed by the prune under test
                    pass

    def test_humaneval_canonical_solutions_all_pass(self, docker_executor, humaneval_path):
        from codegym.evaluation import evaluate_many
        from codegym.tasks.loaders import load_file

        tasks = load_file(humaneval_path)
        evals = evaluate_many([(t, t.reference) for t in tasks], executor=docker_executor)
        assert all(e.result.backend == "docker" for e in evals)
        failed = [(e.task_id, e.result.status, e.result.error) for e in evals if not e.result.passed]
        assert len(evals) == 164 and not failed


class TestSelectedByName:
    """``backend="docker"`` reaches this backend from envs and the CLI, not only from get_executor."""

    pytestmark = needs_engine

    def test_env_with_executor_name_docker(self):
        import gymnasium as gym

        import codegym  # noqa: F401 - registers the envs

        env = gym.make("CodeGen-v0", tasks="micro:5", executor="docker")
        try:
            env.reset(seed=0)
            _, reward, terminated, _, info = env.step(env.unwrapped.task.reference)
            assert reward == 1.0 and terminated and info["status"] == "passed"
            assert env.unwrapped._executor.backend == "docker"
        finally:
            env.close()

    def test_evaluate_cli_backend_docker(self, tmp_path):
        out = tmp_path / "results.jsonl"
        proc = subprocess.run([sys.executable, "-m", "codegym.cli", "evaluate", "--tasks", "micro:4", "--samples",
                               "reference", "--backend", "docker", "--out", str(out), "--no-progress"],
                              capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert len(records) == 4 and all(r["passed"] for r in records)
        assert {r["details"]["backend"] for r in records} == {"docker"}


class TestSandboxCommand:
    """``codegym sandbox ...`` against the engine."""

    pytestmark = needs_engine

    @staticmethod
    def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "codegym.cli", "sandbox", *args], capture_output=True,
                              text=True, timeout=timeout, cwd=REPO)

    def test_status_reports_engine_image_and_containers(self):
        proc = self.cli("status", "--json")
        assert proc.returncode == 0, proc.stderr
        info = json.loads(proc.stdout)
        assert info["engine"]["version"] and info["image"]["labels"][IMAGE_LABEL] == "1"
        assert isinstance(info["containers"], list)
        missing = self.cli("status", "--image", "codegym-no-such-image:0")
        assert missing.returncode == 1 and "MISSING" in missing.stdout and "build-image" in missing.stdout

    def test_smoke_test_and_prune(self):
        proc = self.cli("smoke-test", "--backend", "docker")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert proc.stdout.count("ok  ") == 5 and "isolation=container" in proc.stdout
        proc = self.cli("prune")
        assert proc.returncode == 0 and proc.stdout.startswith("removed "), proc.stderr

    def test_build_image_if_missing_is_a_no_op(self):
        proc = self.cli("build-image", "--if-missing")
        assert proc.returncode == 0 and "nothing to do" in proc.stdout, proc.stdout + proc.stderr

    def test_rootfs_build_imports_an_image_like_the_dockerfile_one(self, engine):
        from codegym.sandbox.image import default_cache_dir

        if not (default_cache_dir() / "bookworm-minbase-python3.tar").exists():
            pytest.skip("no cached debootstrap root filesystem (a cold build takes minutes; CI builds it first)")
        tag = "codegym-sandbox-test:rootfs"
        try:
            proc = self.cli("build-image", "--method", "rootfs", "--tag", tag)
            assert proc.returncode == 0 and "by rootfs" in proc.stdout, proc.stdout + proc.stderr
            cfg = engine.images.get(tag).attrs["Config"]
            assert cfg["Labels"] == IMAGE_CONFIG["labels"]
            assert cfg["Cmd"] == IMAGE_CONFIG["cmd"] and cfg["WorkingDir"] == IMAGE_CONFIG["workdir"]
            assert set(cfg["Env"]) >= {f"{k}={v}" for k, v in IMAGE_CONFIG["env"].items()}
            out = engine.containers.run(tag, ["python3", "-c", "import sys; print(sys.version_info[:2] >= (3, 8))"],
                                        remove=True, network_mode="none")
            assert out.strip() == b"True"
        finally:
            try:
                engine.images.remove(tag)
            except Exception:  # noqa: BLE001 - the build failed before tagging
                pass


class TestDocsPage:
    """``docs/backends.md`` runs as written: the three backend names, the CLI, the image commands, a configured
    ``DockerExecutor`` and a ``RayExecutor`` (two private Ray instances: slow)."""

    pytestmark = [*needs_engine, pytest.mark.ray, pytest.mark.slow]

    def test_docs_backends_md_runs_as_written(self, tmp_path):
        pytest.importorskip("ray", reason="Ray backend unavailable: pip install 'codegym[ray]'")
        from doc_blocks import run_doc_blocks

        assert run_doc_blocks("docs/backends.md", tmp_path) == 6
        records = [json.loads(line) for line in (tmp_path / "evaluate_results.jsonl").read_text().splitlines()]
        assert len(records) == 20 and all(r["passed"] for r in records)
        assert {r["details"]["backend"] for r in records} == {"docker"}
