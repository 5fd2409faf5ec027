"""Isolation set-up of the fork server: namespaces, a minimal read-only root, per-uid scratch, rlimits, environment.
"""

import math
import os
import resource
import sys

from .linux import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    MNT_DETACH,
    MS_BIND,
    MS_MOVE,
    MS_NOATIME,
    MS_NODEV,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    libc,
    mount,
    pivot_root,
    umount2,
    unshare,
)

PRELOAD_MODULES = (
    "array", "bisect", "collections", "copy", "datetime", "decimal", "fractions", "functools", "heapq", "io",
    "itertools", "json", "math", "operator", "random", "re", "statistics", "string", "sys", "typing", "unicodedata",
    "dataclasses", "enum", "numbers", "textwrap", "hashlib", "cmath", "queue", "threading", "contextlib", "abc",
    "collections.abc", "types", "traceback", "time", "struct", "base64",
)

#: The per-run writable directory inside the sandbox root (``/tmp`` links to it): the working directory, HOME and
#: TMPDIR of every run.
SCRATCH = "/scratch"


def scratch_inodes(size_mb):
    """Files a scratch tmpfs of ``size_mb`` may hold: 256 per MB (8192 for the default 32 MB). Without a bound a
    program could fill it with hundreds of thousands of empty files, whose teardown at the run's end would stall the
    fork server (and every other run waiting for a unit) for as long."""
    return max(1024, int(size_mb) * 256)


class ScratchDirs:
    """One tmpfs per run uid, mounted by the zygote and replaced when its unit exits if the unit changed it.

    A tmpfs per unit would need a mount namespace per unit, whose teardown waits for an RCU grace period on every
    exit (milliseconds of latency per run). Runs with the same uid never overlap (the host hands out uids per run),
    so one mount per uid, replaced after a unit that left anything in it, gives every run a fresh, size-limited
    directory of its own.

    The tmpfs is mounted at ``/scratch/<uid>/w`` inside a directory only that uid may enter (mode 0700), on a
    ``/scratch`` mounted ``noatime``: another run can ``stat`` neither the tmpfs root (whose times and size would
    change as files are written: a channel between concurrent runs) nor anything under it.
    """

    def __init__(self, switch_uid):
        self.switch_uid = switch_uid
        self.sizes = {}
        self.ctimes = {}

    def path(self, uid):
        return f"{SCRATCH}/{int(uid)}/w"

    def prepare(self, uid, size_mb):
        path = self.path(uid)
        if self.sizes.get(uid) == size_mb:
            return path
        opts = f"size={int(size_mb)}m,nr_inodes={scratch_inodes(size_mb)},mode=0700"
        if self.switch_uid:
            opts += f",uid={int(uid)},gid={int(uid)}"
        if uid in self.sizes:
            mount("tmpfs", path, "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, opts)
        else:
            parent = os.path.dirname(path)
            os.makedirs(path, exist_ok=True)
            os.chmod(parent, 0o700)
            if self.switch_uid:
                os.chown(parent, int(uid), int(uid))
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts)
        self.sizes[uid] = size_mb
        self.ctimes[uid] = os.stat(path).st_ctime_ns
        return path

    def wipe(self, uid):
        """Make the uid's scratch fresh again: a tmpfs that holds anything, or whose root the run changed (mode,
        extended attributes: its ctime moved), is replaced by a new one (O(1), whatever it holds)."""
        if uid not in self.sizes:
            return
        path = self.path(uid)
        try:
            with os.scandir(path) as entries:
                empty = next(entries, None) is None
            if empty and os.stat(path).st_ctime_ns == self.ctimes.get(uid):
                return
        except OSError:
            pass
        size = self.sizes.pop(uid)
        try:
            umount2(path, MNT_DETACH)
        except OSError:
            pass
        self.prepare(uid, size)


ETC_FILES = ("passwd", "group", "hosts", "nsswitch.conf", "localtime", "ld.so.cache", "ld.so.conf", "os-release")
DEVICES = ("null", "zero", "full", "random", "urandom")


class Isolation:
    """What the zygote managed to set up. ``level`` is reported in every result."""

    def __init__(self):
        self.level = "process"
        self.pidns = False  # fork each unit into its own PID namespace
        self.mountns = False  # per-unit mount namespace with private tmpfs
        self.switch_uid = False  # drop to an unprivileged uid
        self.own_pidns_fd = None
        self.seccomp = False  # units install the system-call filter (see seccomp)
        self.warnings = []


def _bind_paths(hide):
    """Host paths the sandbox root exposes read-only: system dirs and the Python installation."""
    paths = []
    for p in ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.lexists(p):
            paths.append(p)
    for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.dirname(sys.executable)),
              *sys.path):
        if not p or not os.path.isdir(p):
            continue
        # Never expose a directory that contains codegym itself (the repository, for an editable install):
        # it holds the built-in suite's hidden tests. site-packages gets an empty mount over the package instead.
        if any(os.path.realpath(os.path.dirname(h)) == os.path.realpath(p) for h in hide) and \
                "site-packages" not in p and "dist-packages" not in p:
            continue
        paths.append(p)
    out = []
    for p in paths:
        if not any(p == q or p.startswith(q.rstrip("/") + "/") for q in out):
            out = [q for q in out if not q.startswith(p.rstrip("/") + "/")]
            out.append(p)
    return out


def _root_mountpoint(binds):
    """An existing host directory to build the new root on (in our private mount namespace, so the host never
    sees it); it must not contain anything we bind, or the tmpfs would hide it."""
    for d in ("/mnt", "/media", "/srv", "/run", "/var/tmp"):
        if os.path.isdir(d) and not any(p == d or p.startswith(d + "/") for p in binds):
            return d
    import tempfile

    return tempfile.mkdtemp(prefix="codegym-root-")


def _make_root(root, hide):
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    for d in ("dev", "proc", SCRATCH.strip("/"), "etc", ".old"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    binds = _bind_paths(hide)
    if not any(p == "/tmp" or p.startswith("/tmp/") for p in binds):
        os.makedirs(os.path.join(root, "tmp"))  # read-only: runs write to their own scratch ($TMPDIR)
    for p in binds:
        dest = root + p
        if os.path.islink(p) and p.count("/") == 1:
            os.symlink(os.readlink(p), dest)
            continue
        src = os.path.realpath(p)
        os.makedirs(dest, exist_ok=True)
        mount(src, dest, None, MS_BIND | MS_REC)
        mount(None, dest, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    for h in hide:
        target = root + h
        if os.path.isdir(target):
            mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    for name in ETC_FILES:
        src = "/etc/" + name
        if os.path.isfile(src):
            with open(src, "rb") as f:
                data = f.read()
            with open(os.path.join(root, "etc", name), "wb") as f:
                f.write(data)
    for name in DEVICES:
        src = "/dev/" + name
        if os.path.exists(src):
            dest = os.path.join(root, "dev", name)
            open(dest, "w").close()
            mount(src, dest, None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(root, "dev", name))


def setup_isolation(hide, namespaces=True):
    """Enter namespaces and a minimal read-only root. Falls back loudly to weaker levels.

    ``level`` ends as ``full`` (root), ``userns`` (unprivileged user namespace), ``process`` (no namespaces), or
    ``broken`` when setting up namespaces failed halfway: the process is then in an unknown state and must be
    replaced by one started without namespaces.
    """
    iso = Isolation()
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    iso.switch_uid = is_root  # even without namespaces, root drops to the run's uid
    if sys.platform != "linux":
        iso.warnings.append(f"no Linux namespaces on {sys.platform}: running with rlimits and process groups only")
        return iso
    if not namespaces:
        iso.warnings.append("namespaces disabled (isolation='process'): rlimits, a uid switch when root, and "
                            "process-group kill only; no network, filesystem or PID isolation")
        return iso
    entered = False
    try:
        if not is_root:
            uid, gid = os.geteuid(), os.getegid()
            unshare(CLONE_NEWUSER)
            entered = True
            with open("/proc/self/setgroups", "w") as f:
                f.write("deny")
            with open("/proc/self/uid_map", "w") as f:
                f.write(f"0 {uid} 1")
            with open("/proc/self/gid_map", "w") as f:
                f.write(f"0 {gid} 1")
        # Our own PID namespace, to return to after each unit's fork (see _fork_unit); /proc is gone after pivot.
        own_pidns_fd = os.open("/proc/self/ns/pid", os.O_RDONLY)
        unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)
        entered = True
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        try:
            libc().sethostname(b"sandbox", 7)
        except Exception:
            pass
        root = _root_mountpoint(_bind_paths(hide))
        _make_root(root, hide)
        os.chdir(root)
        try:
            pivot_root(".", ".old")
            os.chroot(".")
            umount2("/.old", MNT_DETACH)
            os.rmdir("/.old")
        except OSError:
            mount(".", "/", None, MS_MOVE)
            os.chroot(".")
        os.chdir("/")
        # /scratch only holds mount points, one size-limited tmpfs per run uid (see ScratchDirs); runs cannot write it.
        mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOATIME, "size=1m,mode=0711")
        mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
        iso.mountns = True
        iso.own_pidns_fd = own_pidns_fd
        iso.pidns = True
        iso.switch_uid = is_root
        iso.level = "full" if is_root else "userns"
    except OSError as exc:
        iso.warnings.append(f"namespaces unavailable ({exc}); isolation falls back to rlimits and process groups: "
                            "no network, filesystem or PID isolation")
        iso.level = "broken" if entered else "process"
        iso.switch_uid = is_root
    if iso.level != "full" and not iso.warnings:
        iso.warnings.append("not running as root: the program runs under your own uid inside a user namespace "
                            "(no uid switch; RLIMIT_NPROC counts your own processes)")
    return iso


_MB = 1 << 20


def set_rlimits(limits, n_tests):
    """Apply a run's limits to this process (CPU scaled by its number of tests); lowered to the hard limits where
    the host caps them."""
    cpu = max(1, int(math.ceil(limits["cpu_s"] * max(1, n_tests) + 1)))
    settings = [
        (resource.RLIMIT_CPU, (cpu, cpu + 1)),
        (resource.RLIMIT_AS, (limits["memory_mb"] * _MB, limits["memory_mb"] * _MB)),
        (resource.RLIMIT_FSIZE, (limits["max_file_mb"] * _MB, limits["max_file_mb"] * _MB)),
        (resource.RLIMIT_NOFILE, (limits["max_open_files"], limits["max_open_files"])),
        (resource.RLIMIT_CORE, (0, 0)),
    ]
    if limits.get("nproc"):
        settings.append((resource.RLIMIT_NPROC, (limits["max_processes"], limits["max_processes"])))
    for res, val in settings:
        try:
            resource.setrlimit(res, val)
        except (ValueError, OSError):
            soft, hard = resource.getrlimit(res)
            lowered = tuple(min(v, hard) if hard != resource.RLIM_INFINITY else v for v in val)
            try:
                resource.setrlimit(res, lowered)
            except (ValueError, OSError):
                pass


#: A run's whole environment, apart from HOME and TMPDIR (its scratch directory).
RUN_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}


_environment_scrubbed = False


def set_run_environment(workdir):
    """Give this process exactly RUN_ENVIRONMENT plus HOME and TMPDIR.

    The fork server calls this once at start-up, so a unit it forks inherits the scrubbed environment and sets just
    two variables (every page a unit touches after the fork is copied, and rebuilding the mapping touches many).
    """
    global _environment_scrubbed
    if not _environment_scrubbed:
        os.environ.clear()
        os.environ.update(RUN_ENVIRONMENT)
        _environment_scrubbed = True
    os.environ["HOME"] = workdir
    os.environ["TMPDIR"] = workdir
