"""The sandbox executor: runs untrusted programs against tests with isolation and unforgeable verdicts.

Use :func:`get_executor` to pick a backend by name (``"local"``, ``"docker"``, ``"ray"``) or
:func:`default_executor` for the per-process, lazily started local executor that envs use by default.
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import Any

from codegym.errors import SandboxConfigError
from codegym.sandbox.api import (
    ISOLATION_LEVELS,
    STATUSES,
    ExecutionRequest,
    ExecutionResult,
    Executor,
    Limits,
    TestOutcome,
    default_workers,
)

__all__ = ["ExecutionRequest", "ExecutionResult", "Executor", "Limits", "TestOutcome", "STATUSES",
           "ISOLATION_LEVELS", "BACKENDS", "get_executor", "default_executor", "default_workers"]

BACKENDS = ("local", "docker", "ray")

_default: Executor | None = None
_default_pid = 0  # the process _default belongs to
_exit_hooked_pid = 0  # the process whose exit closes _default
_default_lock = threading.Lock()


def get_executor(backend: str | Executor = "local", **kwargs: Any) -> Executor:
    """A new executor of the named backend (``local``, ``docker`` or ``ray``); an Executor is returned as is."""
    if isinstance(backend, Executor):
        return backend
    if backend == "local":
        from codegym.sandbox.local import LocalExecutor

        return LocalExecutor(**kwargs)
    if backend == "docker":
        from codegym.sandbox.docker import DockerExecutor

        return DockerExecutor(**kwargs)
    if backend == "ray":
        from codegym.sandbox.ray import RayExecutor

        return RayExecutor(**kwargs)
    raise SandboxConfigError(f"unknown executor backend {backend!r}; use one of {', '.join(BACKENDS)}")


def default_executor() -> Executor:
    """This process's local executor (started on first use, closed when the process exits).

    One per process: a forked child (a worker of gymnasium's ``AsyncVectorEnv``, of a ``multiprocessing`` pool)
    never gets its parent's, it gets one of its own. Such a child takes its share of the machine rather than all
    of it: ``workers`` (and warm units) are the CPUs divided by the number of processes forked from the same parent
    running the same program, counted on first use (:func:`_fork_share`). A process that is not a fork gets one
    worker per CPU. See ``docs/vector_envs.md``.
    """
    global _default, _default_pid
    with _default_lock:
        if _default is None or _default_pid != os.getpid():
            # An inherited _default is the parent's: not closed here (codegym.sandbox.local disowned its fork
            # server at the fork, and envs built before the fork may still hold it).
            share = _fork_share()
            _default = get_executor("local", workers=max(1, default_workers() // share) if share > 1 else None)
            _default_pid = os.getpid()
            _close_at_exit()
        return _default


def _close_default() -> None:
    global _default
    if _default is not None and _default_pid == os.getpid():
        _default.close()
        _default = None


def _close_at_exit() -> None:
    """Close this process's default executor when it exits: at interpreter exit, and at the exit of a
    ``multiprocessing`` child (which ends with ``os._exit``, skipping ``atexit``)."""
    global _exit_hooked_pid
    if _exit_hooked_pid == os.getpid():
        return
    _exit_hooked_pid = os.getpid()
    atexit.register(_close_default)
    import multiprocessing.process
    import multiprocessing.util

    if multiprocessing.process.parent_process() is not None:
        multiprocessing.util.Finalize(None, _close_default, exitpriority=0)


def _fork_share() -> int:
    """How many processes share this machine with this one, as far as default executors go.

    When this process is a fork of its parent (the same program: ``/proc/<pid>/cmdline`` equal, as for
    ``AsyncVectorEnv`` workers and ``multiprocessing`` fork workers), the parent's live children running that same
    program, this one included; otherwise 1. Linux only: 1 wherever ``/proc`` cannot say.
    """
    try:
        me = _cmdline(os.getpid())
        parent = os.getppid()
        if not me or parent <= 1 or _cmdline(parent) != me:
            return 1
        siblings = 0
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    state, ppid = f.read().rsplit(b")", 1)[1].split()[:2]
            except (OSError, ValueError):
                continue
            if int(ppid) == parent and state != b"Z" and _cmdline(int(entry.name)) == me:
                siblings += 1
        return max(1, siblings)
    except OSError:
        return 1


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def _reset_after_fork() -> None:
    global _default_lock
    _default_lock = threading.Lock()  # a parent thread may have held it at the fork


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
