"""The embedded local backend: a pre-started fork server (the zygote) with Linux namespace isolation.

A run costs one ``fork`` of a small, pre-imported interpreter, not an interpreter start-up. See ``runtime/`` for
what happens inside the sandbox and ``docs/sandbox.md`` for the threat model.
"""

from __future__ import annotations

import os
import random
import tempfile
import threading
import time
import warnings
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from codegym.errors import IsolationUnavailableError, SandboxConfigError, SandboxError
from codegym.runtime.supervisor import run_request
from codegym.runtime.units import UnitHandle
from codegym.sandbox.api import Limits
from codegym.sandbox.cgroups import SlotCgroups, run_limit_bytes
from codegym.sandbox.judge import JudgingExecutor
from codegym.sandbox.verdict import wire_limits
from codegym.sandbox.zygote import Zygote, hidden_paths


class IsolationWarning(UserWarning):
    """Emitted when the sandbox runs with weaker isolation than ``full``."""


class LocalExecutor(JudgingExecutor):
    """Runs programs on this machine through an isolated fork server.

    Args:
        workers: parallel runs in :meth:`run_many` (default: the CPUs this process may use).
        limits: default limits for requests that keep the defaults.
        isolation: ``"auto"`` (strongest available, warning when weaker than ``full``), ``"full"`` (raise
            :class:`~codegym.errors.IsolationUnavailableError` when namespaces or root are missing), or
            ``"process"`` (no namespaces, on purpose: rlimits, a uid switch when root, process-group kill; for
            hosts where namespaces misbehave).
        warm_units: units kept forked and set up ahead of time, so a run skips the fork's latency (default: one per
            worker; 0 turns this off). They hold no test data and run nothing until a run's payload arrives.
    """

    backend = "local"

    def __init__(self, workers: int | None = None, limits: Limits | None = None, isolation: str = "auto",
                 warm_units: int | None = None) -> None:
        super().__init__(workers, limits)
        if isolation not in ("auto", "full", "process"):
            raise SandboxConfigError("isolation must be 'auto', 'full' or 'process'")
        self.required_isolation = isolation
        self._zygote: Zygote | None = None
        self._launcher: ThreadPoolExecutor | None = None
        self._generation = 0
        self._lock = threading.Lock()
        self._unit_ids = iter(range(1, 1 << 62))
        self._id_lock = threading.Lock()
        self._uid_base = _uid_base()
        self._free_slots: list[int] = list(range(256))
        self._slot_lock = threading.Lock()
        # Warm units: forked ahead of time (set up, unprivileged, blocked on their input pipe), so a run skips the
        # fork and set-up latency. Each holds its own uid slot; entries are (handle, slot, generation, scratch_mb).
        self._warm: list[tuple[UnitHandle, int, int, int]] = []
        self._warm_lock = threading.Lock()
        self._warm_starting = 0
        if warm_units is not None and (not isinstance(warm_units, int) or warm_units < 0):
            raise SandboxConfigError(f"warm_units must be a non-negative int or None, not {warm_units!r}")
        #: Units kept forked ahead of time (0 turns the feature off).
        self.warm_units = self.workers if warm_units is None else warm_units
        self._tmp: tempfile.TemporaryDirectory[str] | None = _scratch_root()
        self._cgroups: SlotCgroups | None = None  # made on first use (a forked child makes its own)
        self._pid = os.getpid()
        _LIVE.add(self)

    # -- fork safety ----------------------------------------------------------------------------------------------
    def _disown_parent(self) -> None:
        """In a forked child: let go of what belongs to the parent process, touching none of it.

        Called in the child right after ``fork`` (see ``_after_fork_in_child``), before anything else runs there.
        The fork server, the threads routing its messages, the launcher thread and the worker pool are the
        parent's (and the threads do not exist here): the child forgets them, so its first run starts a fork server
        of its own. Nothing of the parent's is killed, closed or waited for: the objects are kept referenced (their
        finalizers never run here), only this process's copies of the warm units' pipes and of the fork server's
        socket are closed. Locks a parent thread may have held at the fork are replaced, units get uids apart from
        the parent's, and the parent's scratch directory is never removed from here.
        """
        _DISOWNED.append((self._zygote, self._launcher, self._pool, self._tmp, self._warm,
                          getattr(self, "_cgroups", None)))
        if self._zygote is not None:
            try:
                self._zygote.sock.close()  # this process's copy; the parent's stays open
            except OSError:
                pass
        for handle, _slot, _gen, _mb in self._warm:
            Zygote.close_ends(handle)  # this process's copies; the parent's units keep theirs
        finalizer = getattr(self._tmp, "_finalizer", None)
        if finalizer is not None:
            finalizer.detach()  # the parent's directory: never removed by this process
        self._zygote = None
        self._launcher = None
        self._pool = None
        self._tmp = None  # a scratch directory of this process's own is made on first use
        self._cgroups = None  # likewise its memory cgroups (the parent's are the parent's to remove)
        self._warm = []
        self._warm_starting = 0
        self._lock = threading.Lock()
        self._id_lock = threading.Lock()
        self._slot_lock = threading.Lock()
        self._warm_lock = threading.Lock()
        self._unit_ids = iter(range(1, 1 << 62))
        self._uid_base = _uid_base()
        self._free_slots = list(range(256))
        self._pid = os.getpid()

    # -- zygote lifecycle -----------------------------------------------------------------------------------------
    def _ensure_zygote(self) -> tuple[Zygote, int]:
        if self._pid != os.getpid():  # forked without the at-fork hook (a C-level fork): disown now
            self._disown_parent()
        with self._lock:
            if self._closed:
                raise SandboxError("this executor is closed; create a new one")
            if self._tmp is None:
                self._tmp = _scratch_root()
            if self._zygote is None or not self._zygote.alive:
                if self._zygote is not None:
                    self._zygote.kill()
                zygote = self._launch(hidden_paths(), namespaces=self.required_isolation != "process")
                notes = list(zygote.warnings)
                if zygote.level == "broken":  # namespaces failed halfway: start afresh without them
                    zygote.kill()
                    zygote = self._launch(hidden_paths(), namespaces=False)
                    notes += zygote.warnings
                self._generation += 1
                if zygote.level != "full" and self.required_isolation == "full":
                    zygote.kill()
                    raise IsolationUnavailableError(
                        f"full isolation is unavailable here (got {zygote.level!r}): {'; '.join(notes)}. "
                        "Run as root on Linux, or pass isolation='auto' to accept weaker isolation.")
                self._zygote = zygote
                for note in notes if zygote.level != "full" else []:
                    warnings.warn(f"codegym sandbox: {note}", IsolationWarning, stacklevel=3)
            return self._zygote, self._generation

    def _launch(self, hide: list[str], namespaces: bool) -> Zygote:
        """Start a fork server from the executor's launcher thread.

        The fork server asks the kernel to kill it when its parent dies (``PR_SET_PDEATHSIG``), and for the kernel
        the parent is the *thread* that started it. Started from whichever thread made the first run (a pool worker,
        an asyncio helper, a short-lived user thread) it would die with that thread; the launcher thread lives as
        long as the executor.
        """
        if self._launcher is None:
            self._launcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="codegym-zygote-launcher")
        return self._launcher.submit(Zygote, hide, namespaces).result()

    @property
    def isolation(self) -> str:
        return self._ensure_zygote()[0].level

    def start(self) -> LocalExecutor:
        """Start the fork server now instead of on first use."""
        self._ensure_zygote()
        return self

    def close(self) -> None:
        super().close()
        self._drop_warm_units()
        with self._lock:
            self._closed = True
            if self._zygote is not None:
                self._zygote.kill()
                self._zygote = None
            if self._launcher is not None:
                self._launcher.shutdown(wait=False)
                self._launcher = None
        if self._tmp is not None:
            self._tmp.cleanup()
        if self._cgroups is not None:
            self._cgroups.close()

    def __del__(self) -> None:  # best effort: never leave a fork server behind
        try:
            if self._zygote is not None:
                self._zygote.kill()
        except Exception:
            pass

    # -- running --------------------------------------------------------------------------------------------------
    def _acquire_slot(self) -> int:
        with self._slot_lock:
            if self._free_slots:
                return self._free_slots.pop()
        return 255 + random.randrange(1, 1 << 10)

    def _release_slot(self, slot: int) -> None:
        if slot < 256:
            with self._slot_lock:
                self._free_slots.append(slot)

    def _new_unit_id(self) -> int:
        with self._id_lock:
            return next(self._unit_ids)

    def _spawn_warm(self, zygote: Zygote, generation: int, scratch_mb: int) -> None:
        """Fork one unit ahead of time (the fork server does the work while the caller goes on)."""
        slot = self._acquire_slot()
        # Limits here only size the scratch and stand in until the payload brings the run's own (see unit_child).
        spec = {"limits": dict(wire_limits(self.default_limits, []), scratch_mb=scratch_mb),
                "uid": self._uid_base + slot, "n_tests": 1, "workdir": None}
        try:
            handle = self._spawn_in_slot(zygote, spec, slot, self.default_limits.memory_mb, scratch_mb)
        except SandboxError:
            return
        finally:
            with self._warm_lock:
                self._warm_starting -= 1
        with self._warm_lock:
            self._warm.append((handle, slot, generation, scratch_mb))

    def _slot_cgroups(self) -> SlotCgroups:
        if self._cgroups is None:
            self._cgroups = SlotCgroups()
            if not self._cgroups.available:
                warnings.warn(f"codegym sandbox: {self._cgroups.why_not}: memory is limited per process, not per "
                              "run (a program that forks may use max_processes times memory_mb)", IsolationWarning,
                              stacklevel=4)
        return self._cgroups

    def _spawn_in_slot(self, zygote: Zygote, spec: dict[str, Any], slot: int, memory_mb: int,
                       scratch_mb: int) -> UnitHandle:
        """Fork a unit under the slot's uid, in the slot's memory cgroup (limited for this run) where there is one."""
        cgroups = self._slot_cgroups()
        cgroup_fd = None
        if cgroups.available:
            try:
                cgroup_fd = cgroups.prepare(slot, run_limit_bytes(memory_mb, scratch_mb))
            except OSError as exc:
                self._release_slot(slot)
                raise SandboxError(f"could not set up the run's memory cgroup: {exc}") from None
        handle = zygote.spawn(self._new_unit_id(), spec, on_exit=lambda: self._release_slot(slot),
                              cgroup_fd=cgroup_fd)
        self._watch_memory(handle, slot)
        return handle

    def _watch_memory(self, handle: UnitHandle, slot: int) -> None:
        """Let the supervisor ask whether the slot's OOM killer stopped this unit's run."""
        cgroups = self._cgroups
        if cgroups is None or not cgroups.available:
            return
        before = cgroups.oom_kills(slot)
        handle.memory_exceeded = lambda: cgroups.oom_kills(slot) > before  # type: ignore[method-assign]

    def _take_warm(self, zygote: Zygote, generation: int, scratch_mb: int) -> tuple[UnitHandle, int] | None:
        """A warm unit of this fork server and scratch size, if one is ready; then start its replacement."""
        taken = None
        stale = []
        with self._warm_lock:
            keep = []
            for entry in self._warm:
                if entry[2] != generation:
                    stale.append(entry)
                elif taken is None and entry[3] == scratch_mb:
                    taken = entry
                else:
                    keep.append(entry)
            self._warm = keep
            missing = 0 if self._closed else max(0, self.warm_units - len(keep) - self._warm_starting)
            self._warm_starting += missing
        self._retire(stale)
        for _ in range(missing):
            self._spawn_warm(zygote, generation, scratch_mb)
        if taken is None:
            return None
        return taken[0], taken[1]

    def _drop_warm_units(self) -> None:
        with self._warm_lock:
            warm, self._warm = self._warm, []
        self._retire(warm)

    def _retire(self, entries: list[tuple[UnitHandle, int, int, int]], wait_s: float = 1.0) -> None:
        """End unused warm units and wait (briefly) until their fork server has reaped them, so a fork server killed
        right after leaves no zombies behind. Their slots go back to the pool when their exit is in (or their fork
        server is gone): with its input closed a unit only exits, and it never ran anything."""
        for handle, _slot, _gen, _mb in entries:
            Zygote.discard(handle)
        deadline = time.monotonic() + wait_s
        for handle, _slot, _gen, _mb in entries:
            handle.wait_exit(max(0.0, deadline - time.monotonic()))

    def _run_raw(self, wire: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Run a wire request; on a fork-server failure restart it and retry once, then report sandbox_error."""
        last_error = "unknown"
        for _attempt in range(2):
            try:
                zygote, generation = self._ensure_zygote()
            except IsolationUnavailableError:
                raise
            except SandboxError as exc:
                last_error = str(exc)
                continue
            unit_dirs: list[str] = []
            warm_ok = zygote.level != "process" and self.warm_units > 0

            def spawn(spec: dict[str, Any], zygote: Zygote = zygote, generation: int = generation,
                      warm_ok: bool = warm_ok, unit_dirs: list[str] = unit_dirs) -> UnitHandle:
                # Every unit has a uid of its own (the candidate and the harness of one run never share one), given
                # back only once the unit is gone and its scratch wiped: the supervisor need not wait for that.
                memory_mb, scratch_mb = int(spec["limits"]["memory_mb"]), int(spec["limits"]["scratch_mb"])
                if warm_ok:
                    warm = self._take_warm(zygote, generation, scratch_mb)
                    if warm is not None:
                        handle, warm_slot = warm
                        if self._cgroups is not None and self._cgroups.available:
                            # The warm unit is in its slot's cgroup already: give it this run's limit.
                            self._cgroups.set_limit(warm_slot, run_limit_bytes(memory_mb, scratch_mb))
                            self._watch_memory(handle, warm_slot)
                        return handle
                slot = self._acquire_slot()
                uid = self._uid_base + slot
                workdir = None
                if zygote.level == "process":  # no private tmpfs: a fresh host directory per unit, removed after
                    workdir = tempfile.mkdtemp(dir=self._tmp.name)
                    unit_dirs.append(workdir)
                    if os.geteuid() == 0:
                        os.chown(workdir, uid, uid)
                return self._spawn_in_slot(zygote, dict(spec, uid=uid, workdir=workdir), slot, memory_mb, scratch_mb)

            try:
                raw = run_request(dict(wire), spawn)
            finally:
                for path in unit_dirs:
                    _rmtree(path)
            if raw.get("sandbox_error") and (not zygote.alive or generation != self._generation):
                last_error = raw["sandbox_error"]
                continue  # the fork server died under this run: restart it and retry once
            if not zygote.alive and not raw.get("sandbox_error"):
                # The server died while we ran; outcomes may be incomplete. Retry once on a fresh one.
                last_error = "the sandbox fork server died during the run"
                if _attempt == 0:
                    continue
                raw["sandbox_error"] = last_error
            return raw, zygote.level
        return {"tests": {}, "sandbox_error": f"sandbox failure (after one retry): {last_error}"}, "none"


def _uid_base() -> int:
    """First uid of an executor's range, drawn from the OS (so processes that forked or seeded ``random`` alike
    still draw apart)."""
    return 100_000 + random.SystemRandom().randrange(0, 20_000) * 64


def _scratch_root() -> tempfile.TemporaryDirectory[str]:
    tmp = tempfile.TemporaryDirectory(prefix="codegym-units-")
    os.chmod(tmp.name, 0o711)  # runs under their own uid must reach their directory inside it
    return tmp


#: Every live LocalExecutor, so that a forked child can disown the parent's parts of the ones it inherited.
_LIVE: weakref.WeakSet[LocalExecutor] = weakref.WeakSet()
#: In a forked child: what inherited executors held of the parent's, kept so that no finalizer of it runs here.
_DISOWNED: list[Any] = []


def _after_fork_in_child() -> None:
    """A child process never uses its parent's fork server: every inherited executor starts its own on first use."""
    for executor in list(_LIVE):
        try:
            executor._disown_parent()
        except Exception:  # noqa: BLE001 - a fork hook must not fail the fork; the pid check retries on first use
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _rmtree(path: str) -> None:
    import shutil

    shutil.rmtree(path, ignore_errors=True)


