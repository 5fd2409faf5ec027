"""Memory per run, not per process: one memory cgroup per uid slot of the local backend.

``RLIMIT_AS`` bounds each process of a run; a run may start ``max_processes`` of them, so without a cgroup a
program that forks could use ``max_processes * memory_mb`` in all. The executor (root, outside the sandbox) makes a
cgroup per uid slot under its own memory cgroup, sets the run's limit on it before the payload is sent, and hands the
unit a descriptor of the cgroup's process list, through which the unit moves itself in before it reads its payload:
everything it starts is then counted, and the kernel's OOM killer stops the run as a whole at the limit. Both cgroup
versions are supported (v1's ``memory`` controller, v2's unified hierarchy); where neither is writable (not root, no
memory controller) the sandbox keeps per-process limits and says so in the isolation warnings.
"""

from __future__ import annotations

import itertools
import os
import shutil

_counter = itertools.count()


def _own_memory_cgroup() -> tuple[str, int] | None:
    """(directory of this process's memory cgroup, cgroup version), when writable."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = [line.rstrip("\n").split(":", 2) for line in f]
    except OSError:
        return None
    for _id, controllers, path in lines:
        if "memory" in controllers.split(","):
            base = f"/sys/fs/cgroup/memory{path}"
            if os.access(base, os.W_OK):
                return base, 1
    for _id, controllers, path in lines:
        if controllers == "":
            for root in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified"):
                base = f"{root}{path}"
                if os.path.exists(os.path.join(root, "cgroup.controllers")) and os.access(base, os.W_OK):
                    try:
                        with open(os.path.join(root, "cgroup.controllers")) as f:
                            if "memory" in f.read().split():
                                return base, 2
                    except OSError:
                        pass
    return None


class SlotCgroups:
    """The memory cgroups of one executor's uid slots (made on first use, removed by :meth:`close`)."""

    def __init__(self) -> None:
        found = _own_memory_cgroup() if hasattr(os, "geteuid") and os.geteuid() == 0 else None
        self.version = found[1] if found else 0
        self.root: str | None = None
        self._dirs: dict[int, str] = {}  # slot -> its cgroup directory, once made
        self._limits: dict[int, int] = {}  # slot -> the memory limit last written to it
        self.why_not = None if found else "no writable memory cgroup (needs root and the memory controller)"
        if found:
            root = os.path.join(found[0], f"codegym-{os.getpid()}-{next(_counter)}")
            try:
                os.makedirs(root, exist_ok=True)
                if self.version == 2:  # children of this cgroup may have memory limits
                    with open(os.path.join(root, "cgroup.subtree_control"), "w") as f:
                        f.write("+memory")
                self.root = root
            except OSError as exc:
                self.version, self.why_not = 0, f"cannot make a memory cgroup: {exc}"

    @property
    def available(self) -> bool:
        return self.root is not None

    def _dir(self, slot: int) -> str:
        assert self.root is not None
        path = self._dirs.get(slot)
        if path is None:  # made once: a run's set-up is on its critical path, a mkdir per run is not free
            path = os.path.join(self.root, f"slot-{slot}")
            os.makedirs(path, exist_ok=True)
            self._dirs[slot] = path
        return path

    def _write(self, slot: int, name: str, value: str) -> None:
        with open(os.path.join(self._dir(slot), name), "w") as f:
            f.write(value)

    def prepare(self, slot: int, limit_bytes: int) -> int:
        """Set the slot's limit for the next run; returns a descriptor of its process list for the unit to join."""
        self._set(slot, limit_bytes)
        return os.open(os.path.join(self._dir(slot), "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)

    def _set(self, slot: int, limit_bytes: int) -> None:
        # Only this executor (root) writes the slot's limit, so the last value written is the value in force: a
        # run with the same limit as the slot's last one (the common case) needs no write.
        if self._limits.get(slot) == limit_bytes:
            return
        self._limits.pop(slot, None)  # unknown until the writes below succeed
        if self.version == 1:
            # memory+swap may never be below memory: raising, move it first; lowering, move it last.
            memsw = os.path.exists(os.path.join(self._dir(slot), "memory.memsw.limit_in_bytes"))
            try:
                self._write(slot, "memory.limit_in_bytes", str(limit_bytes))
            except OSError:
                if not memsw:
                    raise
                self._write(slot, "memory.memsw.limit_in_bytes", str(limit_bytes))
                self._write(slot, "memory.limit_in_bytes", str(limit_bytes))
            if memsw:  # no swapping past the limit either
                self._write(slot, "memory.memsw.limit_in_bytes", str(limit_bytes))
        else:
            self._write(slot, "memory.max", str(limit_bytes))
            try:
                self._write(slot, "memory.swap.max", "0")
            except OSError:
                pass
        self._limits[slot] = limit_bytes

    def set_limit(self, slot: int, limit_bytes: int) -> None:
        """Change the limit of a slot whose unit is already in it (a warm unit taken for a run)."""
        self._set(slot, limit_bytes)

    def oom_kills(self, slot: int) -> int:
        """How many processes the kernel's OOM killer has stopped in the slot's cgroup so far."""
        name = "memory.oom_control" if self.version == 1 else "memory.events"
        try:
            with open(os.path.join(self._dir(slot), name)) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def close(self) -> None:
        """Remove the cgroups (once their processes are gone; leftovers of a killed executor are harmless)."""
        if self.root is None:
            return
        root, self.root = self.root, None
        for name in sorted(os.listdir(root)) if os.path.isdir(root) else []:
            path = os.path.join(root, name)
            if os.path.isdir(path):
                try:
                    os.rmdir(path)
                except OSError:
                    pass
        try:
            os.rmdir(root)
        except OSError:
            shutil.rmtree(root, ignore_errors=True)


def run_limit_bytes(memory_mb: int, scratch_mb: int) -> int:
    """A run's memory in all: its limit, plus its scratch (tmpfs pages are charged to it) and the interpreter."""
    return (int(memory_mb) + int(scratch_mb) + 64) << 20
