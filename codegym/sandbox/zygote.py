"""The host side of the local backend's fork server (the zygote): starts it, asks it for units, routes its replies.

The fork server itself (``codegym/runtime/forkserver.py``) runs in a fresh interpreter that never imports codegym; this
module starts it, sends ``spawn`` messages with the descriptors of each unit's pipes, and hands the executor a
:class:`~codegym.runtime.units.UnitHandle` per unit whose pid and exit arrive asynchronously. Uid slots, warm units and
memory cgroups are the executor's (``codegym.sandbox.local``).
"""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

from codegym.errors import SandboxError
from codegym.runtime.units import UnitHandle

#: Where the runtime package lives: the fork server imports it as the top-level package ``runtime`` (so it never
#: imports codegym), then drops the path before it builds the sandbox root.
RUNTIME_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOTSTRAP = ("import sys; sys.path.insert(0, {path!r}); from runtime import forkserver; sys.path.remove({path!r}); "
             "sys.exit(forkserver.main(sys.argv))")



class Zygote:
    """One fork-server process and the thread that routes its messages."""

    def __init__(self, hide: list[str], namespaces: bool = True, start_timeout: float = 60.0) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-I", "-c", BOOTSTRAP.format(path=RUNTIME_PARENT), "--server", str(child.fileno()),
             os.pathsep.join(hide),
             *([] if namespaces else ["--no-namespaces"])],
            pass_fds=[child.fileno()], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, close_fds=True, cwd="/",
        )
        child.close()
        self.sock = parent
        self.send_lock = threading.Lock()
        self.waiters: dict[int, dict[str, Any]] = {}
        self.waiters_lock = threading.Lock()
        self.alive = True
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=50)
        threading.Thread(target=self._drain_stderr, daemon=True, name="codegym-zygote-stderr").start()
        self.sock.settimeout(start_timeout)
        try:
            data = self.sock.recv(1 << 16)
        except (TimeoutError, OSError) as exc:
            self.kill()
            raise SandboxError(f"the sandbox fork server did not start: {exc}; {self.stderr_text()}") from None
        if not data:
            self.kill()
            raise SandboxError(f"the sandbox fork server exited at start-up: {self.stderr_text()}")
        ready = json.loads(data)
        self.level: str = ready["level"]
        self.warnings: list[str] = ready.get("warnings", [])
        self.sock.settimeout(None)
        threading.Thread(target=self._dispatch, daemon=True, name="codegym-zygote").start()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in iter(self.proc.stderr.readline, b""):
            self.stderr_tail.append(line.decode("utf-8", "replace").rstrip())

    def stderr_text(self) -> str:
        return " | ".join(self.stderr_tail) or "(no output)"

    def _dispatch(self) -> None:
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            msg = json.loads(data)
            with self.waiters_lock:
                waiter = self.waiters.get(msg.get("id"))
            if waiter is None:
                continue
            if msg["op"] in ("spawned", "spawn_failed"):
                waiter["spawn"] = msg
                waiter["spawn_event"].set()
                if msg["op"] == "spawn_failed":
                    waiter["exit_event"].set()  # no exit will follow
                    self._exited(msg.get("id"), waiter)
            elif msg["op"] == "exited":
                waiter["exit"] = (msg["status"], msg["rusage"])
                waiter["exit_event"].set()
                self._exited(msg.get("id"), waiter)
        self.alive = False
        with self.waiters_lock:
            waiters = list(self.waiters.items())
        for unit_id, waiter in waiters:
            waiter["spawn_event"].set()
            waiter["exit_event"].set()
            self._exited(unit_id, waiter)

    def _exited(self, unit_id: Any, waiter: dict[str, Any]) -> None:
        """A unit is gone (its scratch already wiped by the fork server): give back what it held, once. A unit
        whose supervisor will not wait for it (detached) is forgotten here."""
        with self.waiters_lock:
            on_exit, waiter["on_exit"] = waiter.get("on_exit"), None
            if waiter.get("detached"):
                self.waiters.pop(unit_id, None)
        if on_exit is not None:
            on_exit()

    def spawn(self, unit_id: int, spec: dict[str, Any], on_exit: Callable[[], None] | None = None,
              cgroup_fd: int | None = None) -> UnitHandle:
        """Fork a unit; ``on_exit`` runs once when it is gone (exited and wiped, failed to start, or the fork server
        died): what the unit held (its uid slot) is given back only then. ``cgroup_fd``: the process list of the
        memory cgroup the unit joins before anything of its run exists (closed here)."""
        if not self.alive:
            if on_exit is not None:
                on_exit()
            raise SandboxError("the sandbox fork server is not running")
        in_r, in_w = os.pipe()
        res_r, res_w = os.pipe()
        so_r, so_w = os.pipe()
        se_r, se_w = os.pipe()
        link_parent, link_child = (s.detach() for s in socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
        waiter: dict[str, Any] = {"spawn_event": threading.Event(), "exit_event": threading.Event(),
                                  "on_exit": on_exit}
        with self.waiters_lock:
            self.waiters[unit_id] = waiter
        try:
            msg = json.dumps({"op": "spawn", "id": unit_id, "spec": spec}).encode()
            fds = [in_r, res_w, so_w, se_w, link_child, *([] if cgroup_fd is None else [cgroup_fd])]
            with self.send_lock:
                self.sock.sendmsg([msg], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                           struct.pack(f"{len(fds)}i", *fds))])
        except OSError as exc:
            for f in (in_r, in_w, res_r, res_w, so_r, so_w, se_r, se_w, link_parent, link_child,
                      *([] if cgroup_fd is None else [cgroup_fd])):
                os.close(f)
            self._forget(unit_id)
            self.alive = False
            if on_exit is not None:
                on_exit()
            raise SandboxError(f"could not reach the sandbox fork server: {exc}") from None
        for f in (in_r, res_w, so_w, se_w, link_child, *([] if cgroup_fd is None else [cgroup_fd])):
            os.close(f)

        def pid() -> int:
            # The unit starts while we already feed it: its pid is only needed to kill it.
            if not waiter["spawn_event"].wait(30.0) or "spawn" not in waiter:
                return 0
            reply = waiter["spawn"]
            return int(reply["pid"]) if reply["op"] == "spawned" else 0

        def wait_exit(timeout: float) -> tuple[int, dict[str, float]] | None:
            waiter["exit_event"].wait(timeout)
            result = waiter.get("exit")
            if result is not None or not self.alive:
                self._forget(unit_id)
            return result

        def spawn_error() -> str | None:
            reply = waiter.get("spawn")
            if reply is None:
                return None if self.alive else "the sandbox fork server died"
            return reply.get("error", "spawn failed") if reply["op"] == "spawn_failed" else None

        def detach() -> None:
            # The supervisor will not wait for this unit's exit: forget it as soon as the exit is in.
            with self.waiters_lock:
                waiter["detached"] = True
                done = waiter.get("on_exit") is None and waiter["exit_event"].is_set()
            if done:
                self._forget(unit_id)

        handle = UnitHandle(pid, in_w, res_r, so_r, se_r, wait_exit, link_sock=link_parent)
        handle.spawn_error = spawn_error  # type: ignore[method-assign]
        handle.detach = detach  # type: ignore[method-assign]
        handle.can_detach = True
        return handle

    @staticmethod
    def discard(handle: UnitHandle) -> None:
        """Give up a unit that never got its payload: closing its input ends it (it exits at once, and the fork
        server reaps it; ``handle.wait_exit`` then returns)."""
        Zygote.close_ends(handle)

    @staticmethod
    def close_ends(handle: UnitHandle) -> None:
        """Close this process's ends of a unit's pipes and link socket."""
        for fd in (handle.input_w, handle.result_r, handle.stdout_r, handle.stderr_r, handle.link_sock):
            if fd is None:
                continue
            try:
                os.close(fd)
            except OSError:
                pass

    def _forget(self, unit_id: int) -> None:
        with self.waiters_lock:
            self.waiters.pop(unit_id, None)

    def kill(self) -> None:
        self.alive = False
        try:
            self.sock.close()
        except OSError:
            pass
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def hidden_paths() -> list[str]:
    """Package directories the sandbox must not expose (codegym holds hidden tests and wrong solutions)."""
    paths = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]  # the codegym package this module is in
    # The agents package (a layer above: located, never imported) holds no tests but the training code; hide it too.
    spec = importlib.util.find_spec("agents")
    if spec is not None and spec.origin:
        paths.append(os.path.dirname(os.path.abspath(spec.origin)))
    return paths
