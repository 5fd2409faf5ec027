"""The Docker backend: programs run inside a warm pool of locked-down containers.

Each pooled container of the sandbox image (``codegym sandbox build-image``) runs one small root-owned **run
server** (:data:`SERVER`), started by ``exec`` when the container is created and kept attached to the host. The
host sends it the sandbox runtime (the package ``codegym/runtime``, as one artefact) once, then one request
per run. For each run the server forks a fresh supervisor child (``runtime.container.run_once``: it forks the
candidate and harness units under unprivileged uids, sets rlimits and the system-call filter, drives them as the
local backend does and reports raw observations), then kills every process left in the
container, wipes the scratch tmpfs and reports on the container's state. The host turns the raw observations into
an :class:`~codegym.sandbox.api.ExecutionResult` with the same verdict code as the local backend
(``codegym.sandbox.verdict``): expected values never enter the container.

Why a long-lived server rather than an ``exec`` per run: an exec costs 0.15-0.3 s of engine round trips and
interpreter start-up on podman, a run on the warm server about 0.02 s (``benchmarks/executor_throughput.py
--backend docker``). Safety is the same: every run still gets a fresh supervisor process; the server itself never
runs untrusted code, is not reachable from the unit's uid, and sends nothing but framed JSON; the supervisor is sent
from the host, so the image never goes stale when codegym changes and nothing the program could write is ever
executed; and if the server dies or misses a deadline, the container is discarded.

Containers have no network, a read-only root, a size-limited tmpfs at ``/tmp`` (the per-run scratch: wiped after
every run, and the only writable directory), memory (no swap), pids and CPU limits, all capabilities dropped
except the few the run server needs to drop privileges and clean up, and ``no-new-privileges``. A container is replaced after any run that could have
dirtied it (a process survived, the run hit a limit or failed in the sandbox, SysV IPC objects were left, the
clean-up did not complete). Containers are labelled with their owner and removed on :meth:`close`, when the executor
is garbage-collected, at interpreter exit, and by the next executor on the same host if their owner died
(``codegym sandbox prune`` does the same).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
import weakref
from typing import TYPE_CHECKING, Any

from codegym.errors import BackendUnavailableError, SandboxConfigError, SandboxError
from codegym.runtime import artefact as runtime_artefact
from codegym.sandbox.api import Limits
from codegym.sandbox.docker_engine import (
    CONTAINER_LABEL,
    OWNER_LABEL,
    candidate_engine_urls,
    connect_engine,
    prune_containers,
    unavailable_reason,
)
from codegym.sandbox.docker_pool import (
    SERVER,
    SERVER_START_TIMEOUT_S,
    Container,
    ContainerPool,
    Shape,
    _ServerLost,
    frame,
    remove_container,
    remove_containers,
)
from codegym.sandbox.image import DEFAULT_IMAGE, IMAGE_LABEL, REAPER_SOURCE
from codegym.sandbox.judge import JudgingExecutor

if TYPE_CHECKING:
    pass

__all__ = ["DockerExecutor", "connect_engine", "candidate_engine_urls", "prune_containers", "unavailable_reason",
           "OWNER_LABEL"]

#: Memory the container needs beyond the program's own limit: the bootstrap, the supervisor and the unit's
#: interpreter (each ~10-15 MB resident) plus page cache for the tmpfs.
DEFAULT_MEMORY_HEADROOM_MB = 192
#: Processes beyond ``Limits.max_processes``: PID 1, the bootstrap/supervisor and the unit itself.
PIDS_HEADROOM = 8
#: Seconds the host waits beyond the request's own total time limit (interpreter start-up, clean-up).
HOST_GRACE_S = 15.0
class DockerExecutor(JudgingExecutor):
    """Runs requests in containers of ``image`` through a Docker-API engine (Docker or podman).

    Args:
        workers: containers (and concurrent runs); defaults to the CPUs available.
        limits: default limits for requests (each request carries its own).
        image: the sandbox image; any image with ``python3`` (>= 3.8) works.
        base_url: engine address (``unix:///run/podman/podman.sock``, ``tcp://host:2375``); default: probe
            ``$CODEGYM_DOCKER_HOST``, ``$DOCKER_HOST`` and the well-known sockets.
        cpus: CPU quota of each container (``--cpus``).
        memory_headroom_mb: container memory beyond the program's ``Limits.memory_mb``.
        prestart: containers to start right away (default: ``workers``) so the first runs find them warm.
        max_runs_per_container: replace a container after this many runs even when clean (0: never).
    """

    backend = "docker"

    def __init__(self, workers: int | None = None, limits: Limits | None = None, image: str = DEFAULT_IMAGE,
                 base_url: str | None = None, cpus: float = 1.0,
                 memory_headroom_mb: int = DEFAULT_MEMORY_HEADROOM_MB, prestart: int | None = None,
                 max_runs_per_container: int = 200) -> None:
        super().__init__(workers=workers, limits=limits)
        if cpus <= 0:
            raise SandboxConfigError("cpus must be > 0 (CPU quota of each container)")
        if memory_headroom_mb < 32:
            raise SandboxConfigError("memory_headroom_mb must be at least 32: the run server and the supervisor need it")
        self.client = connect_engine(base_url)
        self.image = image
        self.cpus = float(cpus)
        self.memory_headroom_mb = int(memory_headroom_mb)
        self.max_runs_per_container = int(max_runs_per_container)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._runtime_artefact = runtime_artefact()
        self._check_image()
        prune_containers(self.client)
        self._all: dict[str, Container] = {}
        self._all_lock = threading.Lock()
        self._containers = ContainerPool(self, self.workers)
        self._closed = False
        # Containers go when the executor does: close(), garbage collection or interpreter exit, whichever first.
        self._finalizer = weakref.finalize(self, remove_containers, self._all, self._all_lock)
        n = self.workers if prestart is None else max(0, min(int(prestart), self.workers))
        if n:
            self._containers.prestart(self._shape(self.default_limits), n)

    # -- engine objects --------------------------------------------------------------------------------------------

    def _check_image(self) -> None:
        import docker.errors

        try:
            img = self.client.images.get(self.image)
        except docker.errors.ImageNotFound:
            raise BackendUnavailableError(
                f"the sandbox image {self.image!r} is not in the engine; build it with `codegym sandbox build-image` "
                "(or pass image= an image that has python3)") from None
        self.image_labels = img.labels or {}

    @property
    def isolation(self) -> str:
        return "container"

    def _shape(self, limits: Limits) -> Shape:
        return self._shape_for(limits.memory_mb, limits.max_processes, limits.scratch_mb)

    def _shape_for(self, memory_mb: int, max_processes: int, scratch_mb: int) -> Shape:
        """Container limits for a request's limits: the program's own plus room for the supervisor."""
        return Shape(memory_mb=int(memory_mb) + self.memory_headroom_mb, pids=int(max_processes) + PIDS_HEADROOM,
                      scratch_mb=max(1, int(scratch_mb)))

    def _create(self, shape: Shape, uid: int) -> Container:
        import docker.errors

        try:
            handle = self.client.containers.run(
                self.image, command=["python3", "-I", "-c", REAPER_SOURCE], detach=True,
                network_mode="none", read_only=True, hostname="sandbox", user="0:0", working_dir="/tmp",
                # /tmp is the only writable place. podman mounts writable tmpfs on /run and /var/tmp of read-only
                # containers and every engine a shared /dev/shm: cover them read-only so nothing persists there.
                tmpfs={"/tmp": f"rw,nosuid,nodev,size={shape.scratch_mb}m,mode=1777",
                       **{d: "ro,nosuid,nodev,noexec,size=64k" for d in ("/dev/shm", "/run", "/var/tmp")}},
                mem_limit=f"{shape.memory_mb}m", memswap_limit=f"{shape.memory_mb}m",
                pids_limit=shape.pids, nano_cpus=int(self.cpus * 1e9),
                cap_drop=["ALL"], cap_add=["SETUID", "SETGID", "KILL", "CHOWN", "FOWNER", "DAC_OVERRIDE"],
                security_opt=["no-new-privileges"],
                environment={"LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"},
                labels={CONTAINER_LABEL: "1", OWNER_LABEL: self.owner, IMAGE_LABEL + ".uid": str(uid)},
                auto_remove=False, stdin_open=False, tty=False)
        except docker.errors.APIError as exc:
            raise SandboxError(f"could not start a sandbox container from {self.image}: "
                               f"{exc.explanation or exc}") from exc
        c = Container(handle, shape, uid)
        with self._all_lock:
            self._all[handle.id] = c
        try:
            self._start_server(c)
        except (_ServerLost, docker.errors.APIError) as exc:
            self._remove(c)
            why = exc.explanation if isinstance(exc, docker.errors.APIError) else str(exc)
            raise SandboxError(f"the run server did not start in a container of {self.image} ({why}); the image "
                               "needs python3 >= 3.8 on its PATH") from exc
        return c

    def _start_server(self, c: Container) -> None:
        exec_id = self.client.api.exec_create(c.handle.id, ["python3", "-I", "-c", SERVER], stdin=True,
                                              stdout=True, stderr=True, user="0:0", workdir="/")["Id"]
        c.stream = self.client.api.exec_start(exec_id, socket=True)
        c.sock = getattr(c.stream, "_sock", c.stream)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        c.send(frame(self._runtime_artefact), deadline)
        hello = json.loads(c.read_frame(deadline, 1 << 16))
        if not isinstance(hello, dict) or hello.get("ready") != 1:
            raise _ServerLost(f"unexpected greeting {hello!r}")

    def _remove(self, c: Container) -> None:
        with self._all_lock:
            self._all.pop(c.handle.id, None)
        remove_container(c)

    # -- running ---------------------------------------------------------------------------------------------------

    # Judging (JudgingExecutor.run) is shared with the local backend: only where the program runs differs.

    def _run_raw(self, wire: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Run a wire request (``codegym.sandbox.verdict.wire_request``) in a pooled container.

        Returns the supervisor's raw observations (with ``sandbox_error`` set when the container failed) and the
        isolation level. The container goes back to the pool only when nothing suggests the run dirtied it.
        """
        lim = wire["limits"]
        shape = self._shape_for(lim["memory_mb"], lim["max_processes"], lim["scratch_mb"])
        try:
            c = self._containers.acquire(shape)
        except SandboxError as exc:
            return {"tests": {}, "sandbox_error": str(exc)}, "container"
        wire = dict(wire, uid=c.uid, workdir="/tmp")
        deadline = time.monotonic() + lim["total_s"] + HOST_GRACE_S
        dirty = True
        try:
            raw, trailer, why = self._exec(c, wire, deadline)
            c.runs += 1
            if raw is None or not isinstance(raw.get("tests"), dict):
                return {"tests": {}, "sandbox_error": why or "the container sent a malformed reply"}, "container"
            raw["tests"] = {int(k): v for k, v in raw["tests"].items() if str(k).lstrip("-").isdigit()}
            if trailer and trailer.get("oom_kills"):
                raw["oom_kills"] = trailer["oom_kills"]
                _attribute_oom_kills(raw, lim["memory_mb"])
            dirty = (bool(raw.get("sandbox_error")) or trailer is None or bool(trailer.get("error"))
                     or bool(trailer.get("leftover")) or bool(trailer.get("ipc")) or bool(raw.get("oom_kills"))
                     or _unit_was_killed(raw)
                     or (self.max_runs_per_container > 0 and c.runs >= self.max_runs_per_container))
            return raw, "container"
        finally:
            self._containers.release(c, dirty=dirty)

    def _exec(self, c: Container, wire: dict[str, Any], deadline: float
              ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None]:
        """Run one request on ``c``'s server; returns (supervisor reply, clean-up trailer, why there is no reply).

        Any failure of the server or the connection leaves the container marked dirty (the caller replaces it).
        """
        lim = wire["limits"]
        cap = (len(wire["tests"]) + 2) * (lim["max_result_bytes"] + 2 * lim["max_output_bytes"]) + (1 << 20)
        try:
            c.send(frame(json.dumps(wire, ensure_ascii=False).encode("utf-8", "surrogatepass")), deadline)
            reply_bytes = c.read_frame(deadline, cap)
            trailer_bytes = c.read_frame(deadline, 1 << 16)
        except _ServerLost as exc:
            return None, None, self._explain_loss(c, str(exc))
        try:
            trailer = json.loads(trailer_bytes)
        except ValueError:
            return None, None, "the container sent a malformed trailer"
        try:
            reply = json.loads(reply_bytes.decode("utf-8", "surrogatepass")) if reply_bytes else None
        except (ValueError, UnicodeDecodeError):
            reply = None
        why = None
        if not isinstance(reply, dict):
            reply = None
            tail = c.err.decode("utf-8", "replace").strip()[-1500:]
            why = "the in-container supervisor exited without a reply" + (f": {tail}" if tail else "")
            if trailer.get("error"):
                why += f" ({trailer['error']})"
            if trailer.get("oom_kills"):
                why = "the container ran out of memory (the supervisor was killed): " + why
        return reply, trailer, why

    def _explain_loss(self, c: Container, why: str) -> str:
        """Add the engine's view (out of memory, exited) to a lost server's message."""
        try:
            state = self.client.api.inspect_container(c.handle.id).get("State", {})
        except Exception:  # noqa: BLE001 - the container may be gone already
            return why
        if state.get("OOMKilled"):
            return f"the container ran out of memory: {why}"
        if state.get("Running") is False:
            return f"the container stopped (exit code {state.get('ExitCode')}): {why}"
        return why

    # -- lifetime --------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop every container this executor started (idle and busy) and release the worker pool."""
        if self._closed:
            return
        self._closed = True
        self._containers.drain()
        super().close()
        self._finalizer()

    def container_ids(self) -> list[str]:
        """Ids of the containers this executor currently holds (for monitoring and tests)."""
        with self._all_lock:
            return list(self._all)


def _unit_was_killed(raw: dict[str, Any]) -> bool:
    """Whether the supervisor had to kill a unit (time, output or result limit) or one crashed."""
    return any(isinstance(rec, dict) and rec.get("status") in ("timeout", "output_limit", "crashed", "protocol",
                                                             "harness_error")
               for rec in raw["tests"].values())


def _attribute_oom_kills(raw: dict[str, Any], memory_mb: int) -> None:
    """The container's OOM killer fired during the run: units that died by SIGKILL hit the memory limit.

    Recorded in the raw observations (as the peak memory the kernel enforced), so the shared verdict code reports
    ``memory_limit`` exactly as it does when the local backend's ``RLIMIT_AS`` stops a program.
    """
    for rec in raw["tests"].values():
        if isinstance(rec, dict) and rec.get("status") == "crashed" and "SIGKILL" in str(rec.get("why")):
            rec["why"] = "killed by the container's out-of-memory killer"
            rec["maxrss_kb"] = max(int(rec.get("maxrss_kb") or 0), int(memory_mb) * 1024)
