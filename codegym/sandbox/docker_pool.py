"""The Docker backend's containers: the run server each one starts, and the warm pool they are taken from.

Each pooled container runs one root-owned **run server** (:data:`SERVER`), attached to the host: it receives the
sandbox runtime once (``codegym.runtime.artefact``) and then one framed request per run. A :class:`Container` is
the host's end of it; the :class:`ContainerPool` keeps containers warm per :class:`Shape` (their container-level
limits) and replaces one after any run that could have dirtied it. The executor itself is ``codegym.sandbox.docker``.
"""

from __future__ import annotations

import itertools
import struct
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from codegym.errors import SandboxError

if TYPE_CHECKING:
    from codegym.sandbox.docker import DockerExecutor

#: Seconds a new container's run server may take to start (interpreter start-up, compiling the supervisor).
SERVER_START_TIMEOUT_S = 60.0
#: First uid of the unprivileged users units run as; each container gets its own so that RLIMIT_NPROC (counted
#: per uid across the whole machine when the engine does not remap uids) is not shared between containers.
UID_BASE = 20000

#: The in-container bootstrap: one per container, started as root by ``exec`` when the container is created and kept
#: attached to the host. It reads one frame, the runtime package as ``{module: source}``
#: (:func:`codegym.runtime.artefact`, the same files the local backend runs), imports it from memory and
#: hands over to its run server (``runtime.container.serve``): every request after that is framed by the runtime.
SERVER = r"""
import importlib.abc, importlib.util, json, os, struct, sys
def rd(n):
    b = b""
    while len(b) < n:
        c = os.read(0, n - len(b))
        if not c:
            os._exit(0)
        b += c
    return b
SOURCES = json.loads(rd(struct.unpack(">I", rd(4))[0]))
class Loader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path=None, target=None):
        if name in SOURCES:
            return importlib.util.spec_from_loader(name, self, is_package=name == "runtime")
    def exec_module(self, module):
        exec(compile(SOURCES[module.__spec__.name], module.__spec__.name + ".py", "exec", dont_inherit=True), module.__dict__)
sys.meta_path.insert(0, Loader())
from runtime import container
container.serve()
"""

def frame(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


@dataclass(frozen=True)
class Shape:
    """The container-level limits; containers are pooled per shape."""

    memory_mb: int
    pids: int
    scratch_mb: int


class _ServerLost(Exception):
    """The in-container run server stopped answering (it died, the container died, or a deadline passed)."""


class Container:
    """A pooled container and the attached stream of the run server inside it."""

    def __init__(self, handle: Any, shape: Shape, uid: int) -> None:
        self.handle = handle
        self.shape = shape
        self.uid = uid
        self.runs = 0
        self.stream: Any = None  # the exec's hijacked connection (closed on removal)
        self.sock: Any = None  # its raw socket
        self.raw = bytearray()  # undemultiplexed bytes from the engine
        self.out = bytearray()  # the server's stdout, not yet parsed into frames
        self.err = bytearray()  # the tail of its stderr (supervisor diagnostics)

    def send(self, payload: bytes, deadline: float) -> None:
        try:
            self.sock.settimeout(max(0.5, deadline - time.monotonic()))
            self.sock.sendall(payload)
        except OSError as exc:
            raise _ServerLost(f"lost the connection to the container: {exc}") from exc

    def read_frame(self, deadline: float, cap: int) -> bytes:
        """The next length-prefixed frame of the server's stdout (demultiplexing the engine's stream)."""
        while True:
            if len(self.out) >= 4:
                (n,) = struct.unpack(">I", self.out[:4])
                if n > cap:
                    raise _ServerLost(f"the container's reply exceeded {cap} bytes")
                if len(self.out) >= 4 + n:
                    frame = bytes(self.out[4:4 + n])
                    del self.out[:4 + n]
                    return frame
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _ServerLost("the container did not finish within the request's time limit")
            try:
                self.sock.settimeout(remaining)
                chunk = self.sock.recv(1 << 16)
            except TimeoutError:
                raise _ServerLost("the container did not finish within the request's time limit") from None
            except OSError as exc:
                raise _ServerLost(f"lost the connection to the container: {exc}") from exc
            if not chunk:
                tail = self.err.decode("utf-8", "replace").strip()[-1500:]
                raise _ServerLost("the run server in the container exited" + (f": {tail}" if tail else ""))
            self.raw += chunk
            # Attached streams are multiplexed: 8-byte headers (stream id, 3 zero bytes, big-endian size).
            while len(self.raw) >= 8:
                stream_id, size = self.raw[0], struct.unpack(">I", self.raw[4:8])[0]
                if len(self.raw) < 8 + size:
                    break
                data = self.raw[8:8 + size]
                del self.raw[:8 + size]
                if stream_id == 2:
                    self.err += data
                    del self.err[:-8192]
                else:
                    self.out += data


class ContainerPool:
    """At most ``size`` containers; idle ones are reused for requests of the same shape."""

    def __init__(self, executor: DockerExecutor, size: int) -> None:
        self.executor = executor
        self.size = size
        self.idle: list[Container] = []
        self.live = 0  # idle + busy + being created
        self.cond = threading.Condition()
        self.closed = False
        self._uids = itertools.count()

    def acquire(self, shape: Shape) -> Container:
        evict: Container | None = None
        with self.cond:
            while True:
                if self.closed:
                    raise SandboxError("the Docker executor is closed")
                for i, c in enumerate(self.idle):
                    if c.shape == shape:
                        return self.idle.pop(i)
                if self.live < self.size:
                    break
                if self.idle:  # full of another shape: replace the oldest idle one
                    evict = self.idle.pop(0)
                    break
                self.cond.wait()
            if evict is None:
                self.live += 1
            uid = UID_BASE + next(self._uids) % 40_000
        if evict is not None:
            self.executor._remove(evict)
        try:
            return self.executor._create(shape, uid)
        except BaseException:
            with self.cond:
                self.live -= 1
                self.cond.notify()
            raise

    def release(self, c: Container, dirty: bool) -> None:
        with self.cond:
            if not dirty and not self.closed:
                self.idle.append(c)
                self.cond.notify()
                return
            if self.closed:
                self.live -= 1
                self.cond.notify()
                replace = False
            else:
                replace = True  # the slot passes to a fresh container, started in the background
        threading.Thread(target=self._replace if replace else self.executor._remove, args=(c,),
                         daemon=True).start()

    def _replace(self, old: Container) -> None:
        """Remove a dirty container and start a fresh one of the same shape, keeping the pool warm."""
        self.executor._remove(old)
        fresh = None
        try:
            if not self.closed:
                with self.cond:
                    uid = UID_BASE + next(self._uids) % 40_000
                fresh = self.executor._create(old.shape, uid)
        except Exception:  # noqa: BLE001 - the next acquire starts one itself and reports any failure
            fresh = None
        with self.cond:
            if fresh is not None and not self.closed:
                self.idle.append(fresh)
            else:
                self.live -= 1
                if fresh is not None:
                    threading.Thread(target=self.executor._remove, args=(fresh,), daemon=True).start()
            self.cond.notify()

    def prestart(self, shape: Shape, n: int) -> None:
        """Start up to ``n`` idle containers of ``shape`` in parallel (fewer if the pool is already fuller)."""
        with self.cond:
            k = max(0, min(n, self.size - self.live))
            self.live += k
            uids = [UID_BASE + next(self._uids) % 40_000 for _ in range(k)]

        def start(uid: int) -> None:
            try:
                c = self.executor._create(shape, uid)
            except Exception:  # noqa: BLE001 - the first run starts a container itself and reports the failure
                with self.cond:
                    self.live -= 1
                    self.cond.notify()
                return
            self.release(c, dirty=False)

        threads = [threading.Thread(target=start, args=(uid,), daemon=True) for uid in uids]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def drain(self) -> list[Container]:
        with self.cond:
            self.closed = True
            idle, self.idle = self.idle, []
            self.live -= len(idle)
            self.cond.notify_all()
            return idle


def remove_container(c: Container) -> None:
    """Close the container's run-server stream and force-remove it; one already gone is fine."""
    if c.stream is not None:
        try:
            c.stream.close()
        except OSError:
            pass
    try:
        c.handle.remove(force=True)
    except Exception:  # noqa: BLE001 - already gone; prune_containers covers engine-side leftovers
        pass


def remove_containers(containers: dict[str, Container], lock: threading.Lock) -> None:
    """Remove every container in ``containers`` (in parallel). Holds no reference to the executor, so it can run
    as the executor's finalizer: on close(), when it is garbage-collected, and at interpreter exit."""
    with lock:
        doomed = list(containers.values())
        containers.clear()
    threads = [threading.Thread(target=remove_container, args=(c,), daemon=True) for c in doomed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
