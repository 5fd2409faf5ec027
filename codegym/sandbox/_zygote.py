"""The in-sandbox side of codegym's executor: fork server, isolation, the untrusted child, and unit supervision.

This file is deliberately standalone (standard library only, no ``codegym`` imports): it is started as a script
(``python -I _zygote.py --server FD``) so the fork server never imports codegym (whose built-in suite holds hidden
tests), and it is copied into containers by the Docker backend (``python3 _zygote.py --once``).

Process model (see docs/sandbox.md):

* The **zygote** is started once per executor. At start-up it enters private mount, network, IPC and UTS
  namespaces, builds a minimal read-only root (system libraries and the Python installation only) and pivots into
  it, pre-imports the modules programs commonly use, and then waits for ``spawn`` messages. It holds no test data.
* Each **unit** (one program run over one or more tests) is a child forked from the zygote into a fresh PID namespace
  (it is PID 1 there, so killing it kills everything it started). It gets a private mount namespace with a fresh
  size-limited tmpfs as its only writable directory, drops to an unprivileged uid with no capabilities, sets rlimits,
  and only then reads its program and test *inputs* from a pipe. Expected outputs never enter it.
* The unit writes plain JSON values, never pickles, to a dedicated result pipe; the trusted parent (the host
  executor, or ``--once`` mode's supervisor) reads it size-capped, enforces wall-clock limits from outside by
  killing the unit's PID namespace, and compares values itself.
"""

from __future__ import annotations

import _signal  # the C module: signal.signal's enum conversions would touch (and copy) many pages in a unit
import base64
import ctypes
import json
import math
import os
import resource
import select
import signal
import socket
import struct
import sys
import time
import traceback

# ----------------------------------------------------------------------------------------------------------------
# Plain-value encoding (runs inside the untrusted process; decoded by the trusted parent).
# Exact type checks only: a subclass of int/list/str is *not* encoded as its base type, so an object whose __eq__
# returns True for everything can never reach the parent's comparison as a plain value.
# ----------------------------------------------------------------------------------------------------------------

_TAGS = ("__tuple__", "__set__", "__frozenset__", "__dict__", "__bytes__", "__float__", "__complex__", "__bigint__",
         "__object__")


class EncodeError(ValueError):
    pass


def encode_value(value, _depth=0, _budget=None):
    """Encode a value into JSON-compatible data with tags for non-JSON types.

    Objects of other classes are encoded structurally as ``{"__object__": qualname, "state": {...}}`` from their
    instance ``__dict__`` so values such as LeetCode's ``ListNode`` can be compared; they never compare equal to
    plain values.
    """
    if _budget is None:
        _budget = [200_000]  # nodes
    _budget[0] -= 1
    if _budget[0] < 0:
        raise EncodeError("value too large to encode (more than 200000 nodes)")
    if _depth > 2000:
        raise EncodeError("value nested too deeply to encode")
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if abs(value).bit_length() > 12000:
            return {"__bigint__": format(value, "x")}
        return value
    if t is float:
        if math.isfinite(value):
            return value
        return {"__float__": repr(value)}
    d = _depth + 1
    if t is list:
        return [encode_value(v, d, _budget) for v in value]
    if t is tuple:
        return {"__tuple__": [encode_value(v, d, _budget) for v in value]}
    if t is dict:
        if all(type(k) is str and not (k.startswith("__") and k.endswith("__")) for k in value):
            return {k: encode_value(v, d, _budget) for k, v in value.items()}
        return {"__dict__": [[encode_value(k, d, _budget), encode_value(v, d, _budget)] for k, v in value.items()]}
    if t is set or t is frozenset:
        items = [encode_value(v, d, _budget) for v in value]
        try:
            items.sort(key=lambda x: json.dumps(x, sort_keys=True))
        except (TypeError, ValueError):
            pass
        return {"__set__" if t is set else "__frozenset__": items}
    if t is bytes or t is bytearray:
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii")}
    if t is complex:
        return {"__complex__": [encode_value(value.real, d, _budget), encode_value(value.imag, d, _budget)]}
    # Any other object: its class name and instance attributes, read without calling its methods.
    try:
        state = object.__getattribute__(value, "__dict__")
    except AttributeError:
        state = None
    name = getattr(t, "__qualname__", None)
    if type(name) is not str:
        name = "?"
    out = {"__object__": name}
    if type(state) is dict:
        out["state"] = {str(k) if type(k) is str else "?": encode_value(v, d, _budget) for k, v in state.items()}
    if _custom_equality(t):
        out["eq"] = True
    return out


#: What ``assert candidate(x) == y``, ``abs(candidate(x) - y) < eps``, ``assert candidate(x)`` and
#: ``y in candidate(x)`` call on the returned object.
_EQUALITY_METHODS = ("__eq__", "__ne__", "__bool__", "__len__", "__lt__", "__gt__", "__le__", "__ge__", "__sub__",
                     "__rsub__", "__abs__", "__contains__")


def _custom_equality(cls):
    """True when a class the program defined (module ``__solution__``/``__main__``) overrides comparison magic.

    Such objects can make ``assert candidate(x) == y`` pass whatever they are; the parent refuses a passed assert
    test that saw one returned, unless the reference cross-check vouches for the values.
    """
    try:
        mro = type.__getattribute__(cls, "__mro__")
    except Exception:
        return True
    for klass in mro:
        try:
            module = type.__getattribute__(klass, "__module__")
            namespace = type.__getattribute__(klass, "__dict__")
        except Exception:
            return True
        if module in ("__solution__", "__main__") and any(m in namespace for m in _EQUALITY_METHODS):
            return True
    return False


class ObjectValue:
    """A decoded non-plain object: its class name and attribute state. Compares structurally."""

    __slots__ = ("name", "state")

    def __init__(self, name, state):
        self.name = name
        self.state = state

    def __eq__(self, other):
        return type(other) is ObjectValue and self.name == other.name and self.state == other.state

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        if self.state is None:
            return f"<{self.name} object>"
        inner = ", ".join(f"{k}={v!r}" for k, v in self.state.items())
        return f"{self.name}({inner})"


def decode_value(data):
    """Inverse of :func:`encode_value` for trusted data (objects become :class:`ObjectValue`)."""
    if isinstance(data, list):
        return [decode_value(v) for v in data]
    if isinstance(data, dict):
        if len(data) == 1 or (len(data) == 2 and "__object__" in data):
            (tag,) = [k for k in data if k != "state"] if "__object__" in data else list(data)
            v = data[tag]
            if tag == "__tuple__":
                return tuple(decode_value(x) for x in v)
            if tag == "__set__":
                return {_hashable(decode_value(x)) for x in v}
            if tag == "__frozenset__":
                return frozenset(_hashable(decode_value(x)) for x in v)
            if tag == "__dict__":
                return {_hashable(decode_value(k)): decode_value(x) for k, x in v}
            if tag == "__bytes__":
                return base64.b64decode(v)
            if tag == "__float__":
                return float(v)
            if tag == "__complex__":
                return complex(decode_value(v[0]), decode_value(v[1]))
            if tag == "__bigint__":
                return int(v, 16)
            if tag == "__object__":
                state = data.get("state")
                return ObjectValue(str(v), None if state is None else decode_value(state))
        return {k: decode_value(v) for k, v in data.items()}
    return data


def _hashable(v):
    if isinstance(v, list):
        return tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, _hashable(x)) for k, x in v.items()))
    return v


# ----------------------------------------------------------------------------------------------------------------
# Framing: 4-byte big-endian length + UTF-8 JSON.
# ----------------------------------------------------------------------------------------------------------------

def frame_bytes(obj):
    data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    return struct.pack(">I", len(data)) + data


def write_frame(fd, obj):
    _write_all(fd, frame_bytes(obj))


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exact(fd, n):
    chunks = []
    while n > 0:
        b = os.read(fd, min(n, 1 << 20))
        if not b:
            raise EOFError("pipe closed")
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def read_frame(fd):
    (n,) = struct.unpack(">I", read_exact(fd, 4))
    return json.loads(read_exact(fd, n).decode("utf-8", "surrogatepass"))


class FrameDecoder:
    """Incremental decoder for frames arriving in pieces; rejects frames larger than ``limit`` bytes."""

    def __init__(self, limit):
        self.buf = bytearray()
        self.limit = limit
        self.total = 0
        self.overflow = False

    def feed(self, data):
        self.total += len(data)
        if self.total > self.limit:
            self.overflow = True
            return []
        self.buf += data
        out = []
        while len(self.buf) >= 4:
            (n,) = struct.unpack(">I", self.buf[:4])
            if n > self.limit:
                self.overflow = True
                return out
            if len(self.buf) < 4 + n:
                break
            raw = bytes(self.buf[4:4 + n])
            del self.buf[:4 + n]
            try:
                out.append(json.loads(raw.decode("utf-8", "surrogatepass")))
            except (ValueError, UnicodeDecodeError):
                out.append({"event": "garbage"})
        return out


# ----------------------------------------------------------------------------------------------------------------
# Linux primitives through libc (Python 3.10/3.11 have no os.unshare/os.setns/mount).
# ----------------------------------------------------------------------------------------------------------------

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "amd64": 155, "arm64": 41}.get(os.uname().machine.lower())

_libc = None


def libc():
    global _libc
    if _libc is None:
        # dlopen(NULL): the symbols this process has loaded, libc's among them. (ctypes.util.find_library would
        # import subprocess, shutil, tempfile and more: over a megabyte that every fork would copy page tables for.)
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def _check(ret, what):
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


_raw_fork_fn = None


def raw_fork():
    """fork(2) without CPython's at-fork machinery, for the zygote (single-threaded, holding no locks when it forks).

    ``os.fork`` re-initialises the runtime's thread and import state and runs every ``os.register_at_fork`` callback
    in the child (``random`` reseeds, ``threading`` rebuilds its bookkeeping). In a freshly forked child every page
    written is a copy-on-write fault, and these steps write to a few dozen pages that the run itself never needs:
    measurable on every run. The call goes through ``PyDLL`` so the GIL stays held across the fork and the child
    resumes as the same (only) thread. Falls back to ``os.fork`` where libc's ``fork`` cannot be found, or when the
    process has more than one thread (then the runtime's after-fork repair is required).
    """
    if _raw_fork_fn is None:
        prepare_raw_fork()
    if not _raw_fork_fn or _thread_count() != 1:
        return os.fork()
    pid = _raw_fork_fn()
    if pid < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"fork: {os.strerror(err)}")
    return pid


def prepare_raw_fork():
    """Look up libc's ``fork``, ``unshare`` and ``setns`` now, with their signatures: the fork loop then calls them
    without building ctypes objects per run. Must run before the first ``unshare(CLONE_NEWPID)``: finding a library
    may start a helper process, which would become (and, exiting, kill) the new PID namespace's init."""
    global _raw_fork_fn, _unshare_fn, _setns_fn
    try:
        # dlopen(NULL): the symbols already loaded into this process, libc's among them; nothing is executed.
        own = ctypes.PyDLL(None, use_errno=True)
        fn = own.fork
        fn.restype = ctypes.c_int
        fn.argtypes = []
        _unshare_fn, _setns_fn = own.unshare, own.setns
        _unshare_fn.restype = _setns_fn.restype = ctypes.c_int
        _unshare_fn.argtypes = [ctypes.c_int]
        _setns_fn.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        fn = False
    _raw_fork_fn = fn


_unshare_fn = _setns_fn = None


def _thread_count():
    threading = sys.modules.get("threading")
    return threading.active_count() if threading is not None else 1


def unshare(flags):
    if _unshare_fn is not None:
        _check(_unshare_fn(flags), "unshare")
    else:
        _check(libc().unshare(ctypes.c_int(flags)), "unshare")


def setns(fd, nstype):
    if _setns_fn is not None:
        _check(_setns_fn(fd, nstype), "setns")
    else:
        _check(libc().setns(ctypes.c_int(fd), ctypes.c_int(nstype)), "setns")


def mount(source, target, fstype, flags=0, data=None):
    def enc(s):
        return None if s is None else os.fsencode(s)

    _check(libc().mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")


def umount2(target, flags):
    _check(libc().umount2(os.fsencode(target), ctypes.c_int(flags)), f"umount {target}")


def prctl(option, arg):
    _check(libc().prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0), ctypes.c_ulong(0),
                        ctypes.c_ulong(0)), "prctl")


def set_process_name(name):
    """Name this process in ``ps``/``top``/``perf`` (``codegym-zygote``, ``codegym-unit``); best effort.

    ``name``: a str, or a buffer made ahead of time with :func:`name_buffer` (what a unit uses: nothing to build
    after the fork)."""
    buf = name if isinstance(name, ctypes.Array) else name_buffer(name)
    libc().prctl(ctypes.c_int(PR_SET_NAME), buf, ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


def name_buffer(name):
    return ctypes.create_string_buffer(name.encode()[:15])


_UNIT_NAME = name_buffer("codegym-unit")


def pivot_root(new_root, put_old):
    if SYS_PIVOT_ROOT is None:
        raise OSError(38, "pivot_root: unknown syscall number on this architecture")
    _check(libc().syscall(ctypes.c_long(SYS_PIVOT_ROOT), os.fsencode(new_root), os.fsencode(put_old)),
           "pivot_root")


# ----------------------------------------------------------------------------------------------------------------
# Zygote isolation set-up.
# ----------------------------------------------------------------------------------------------------------------

PRELOAD_MODULES = (
    "array", "bisect", "collections", "copy", "datetime", "decimal", "fractions", "functools", "heapq", "io",
    "itertools", "json", "math", "operator", "random", "re", "statistics", "string", "sys", "typing", "unicodedata",
    "dataclasses", "enum", "numbers", "textwrap", "hashlib", "cmath", "queue", "threading", "contextlib", "abc",
    "collections.abc", "types", "traceback", "time", "struct", "base64",
)

#: The per-run writable directory inside the sandbox root (``/tmp`` links to it): the working directory, HOME and
#: TMPDIR of every run.
SCRATCH = "/scratch"


class ScratchDirs:
    """One tmpfs per run uid under /scratch, mounted by the zygote and emptied when its unit exits.

    A tmpfs per unit would need a mount namespace per unit, whose teardown waits for an RCU grace period on every
    exit (milliseconds of latency per run). Runs with the same uid never overlap (the host hands out uids per run),
    so one mount per uid, wiped after each unit, gives every run a fresh, size-limited directory of its own.
    """

    def __init__(self, switch_uid):
        self.switch_uid = switch_uid
        self.sizes = {}

    def path(self, uid):
        return f"{SCRATCH}/{int(uid)}"

    def prepare(self, uid, size_mb):
        path = self.path(uid)
        if self.sizes.get(uid) == size_mb:
            return path
        opts = f"size={int(size_mb)}m,mode=0700"
        if self.switch_uid:
            opts += f",uid={int(uid)},gid={int(uid)}"
        if uid in self.sizes:
            mount("tmpfs", path, "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV, opts)
        else:
            os.makedirs(path, exist_ok=True)
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, opts)
        self.sizes[uid] = size_mb
        return path

    def wipe(self, uid):
        """Empty the uid's scratch; a non-empty one is replaced by a fresh tmpfs (O(1), whatever it holds)."""
        if uid not in self.sizes:
            return
        path = self.path(uid)
        try:
            if not os.listdir(path):
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
        mount("tmpfs", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0711")
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


# ----------------------------------------------------------------------------------------------------------------
# The unit: the process that runs untrusted code.
# ----------------------------------------------------------------------------------------------------------------

_MB = 1 << 20


def _set_rlimits(limits, n_tests):
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


_SIGCHLD = int(signal.SIGCHLD)
_SIG_DFL = int(signal.SIG_DFL)

#: A run's whole environment, apart from HOME and TMPDIR (its scratch directory).
RUN_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"}


_environment_scrubbed = False
_devnull_fd = None  # opened once by the fork server; a unit makes it its stdin until the payload arrives


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


def unit_child(spec, fds, iso):
    """Runs in the forked unit. Never returns. ``fds``: input_r, result_w, stdout_w, stderr_w."""
    input_r, result_w, stdout_w, stderr_w = fds
    try:
        set_process_name(_UNIT_NAME)
        # Undo what the zygote changed; everything else keeps Python's usual dispositions (SIGPIPE and SIGXFSZ
        # ignored, so a closed pipe or RLIMIT_FSIZE raises an OSError instead of killing the program). The wakeup
        # fd must go: its number is about to be closed and could be reused by a file the program opens.
        _signal.set_wakeup_fd(-1)
        _signal.signal(_SIGCHLD, _SIG_DFL)
        limits = spec["limits"]
        if iso.mountns:
            # The zygote mounted this run's scratch before forking us. /proc stays an empty directory: mounting one
            # per run costs time, and a program has no business there.
            workdir = f"{SCRATCH}/{int(spec['uid'])}"
        else:
            workdir = spec.get("workdir") or "/tmp"
            os.setsid()
        os.chdir(workdir)
        # stdio: stdin is filled in later from the input pipe; stdout/stderr go to the parent's pipes.
        os.dup2(stdout_w, 1)
        os.dup2(stderr_w, 2)
        os.dup2(_devnull_fd if _devnull_fd is not None else os.open("/dev/null", os.O_RDONLY), 0)
        # Close every inherited descriptor except ours (the zygote's control socket above all).
        keep = sorted({input_r, result_w})
        low = 3
        for fd in keep:
            os.closerange(low, fd)
            low = fd + 1
        os.closerange(low, 65536)
        if iso.switch_uid:
            uid = spec["uid"]
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        try:
            prctl(PR_SET_NO_NEW_PRIVS, 1)
        except OSError:
            pass
        set_run_environment(workdir)
        # The unit may have been forked ahead of its run (a warm unit), so the run's own limits come with the
        # payload; the limits the unit was started with are the fallback. Either way they are in force before
        # any of the program's code runs.
        payload = read_frame(input_r)
        os.close(input_r)
        run_limits = payload.get("limits") or limits
        _set_rlimits(dict(run_limits, nproc=iso.switch_uid), payload.get("n_tests") or spec.get("n_tests") or 1)
    except BaseException as exc:  # the sandbox could not be prepared: say so on the result pipe
        try:
            write_frame(result_w, {"event": "sandbox_error", "msg": f"{type(exc).__name__}: {exc}"})
        finally:
            os._exit(70)
    run_payload(payload, result_w)
    os._exit(0)


def _solution_line(tb):
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if frame.f_code.co_filename == "<solution>":
            line = lineno
    return line


def _exc_report(exc, test_code=None):
    tb = exc.__traceback__
    msg = ""
    try:
        msg = str(exc)
    except BaseException:
        msg = "<unprintable message>"
    report = {"etype": type(exc).__name__, "emsg": msg[:2000], "line": _solution_line(tb)}
    if type(exc).__name__ == "AssertionError" and test_code is not None:
        for frame, lineno in traceback.walk_tb(tb):
            if frame.f_code.co_filename == "<test>":
                lines = test_code.splitlines()
                if 0 < lineno <= len(lines):
                    report["assertion"] = lines[lineno - 1].strip()[:500]
    try:
        report["tb"] = "".join(traceback.format_exception(type(exc), exc, tb, limit=-6))[-3000:]
    except BaseException:
        pass
    return report


def _resolve_entry(g, entry):
    if "()." in entry:
        cls_name, method = entry.split("().", 1)
        return getattr(g[cls_name](), method)
    if entry in g:
        return g[entry]
    raise NameError(f"name {entry!r} is not defined")


class _Recorder:
    """Wraps the entry point to record the outermost calls a test makes (arguments before, value after)."""

    def __init__(self, limit=1000):
        self.calls = []
        self.depth = 0
        self.limit = limit
        self.truncated = False

    def wrap(self, fn, bound_method=False):
        rec = self

        def wrapper(*args, **kwargs):
            call_args = args[1:] if bound_method else args
            if rec.depth > 0:
                return fn(*args, **kwargs)
            entry = None
            if len(rec.calls) < rec.limit:
                try:
                    entry = {"args": encode_value(list(call_args)), "kwargs": encode_value(dict(kwargs))}
                except (EncodeError, RecursionError):
                    entry = {"unencodable": True}
            else:
                rec.truncated = True
            rec.depth += 1
            try:
                result = fn(*args, **kwargs)
            except BaseException as exc:
                if entry is not None:
                    entry["raised"] = type(exc).__name__
                    rec.calls.append(entry)
                raise
            finally:
                rec.depth -= 1
            if entry is not None:
                try:
                    entry["value"] = encode_value(result)
                except (EncodeError, RecursionError) as exc:
                    entry["unencodable"] = str(exc)
                rec.calls.append(entry)
            return result

        return wrapper

    def install(self, g, entry):
        if "()." in entry:
            cls_name, method = entry.split("().", 1)
            cls = g.get(cls_name)
            fn = cls.__dict__.get(method) if isinstance(cls, type) else None
            if fn is None or not callable(fn):
                return None
            setattr(cls, method, self.wrap(fn, bound_method=True))
            return lambda: setattr(cls, method, fn)
        fn = g.get(entry)
        if fn is None or not callable(fn):
            return None
        g[entry] = self.wrap(fn)
        return None


def run_payload(payload, result_w):
    """Execute the program and its tests, reporting each outcome as a frame. Runs in the untrusted process."""
    import random

    tests = payload["tests"]
    style = payload["style"]
    name = "__main__" if style == "stdio" else "__solution__"
    g = {"__name__": name, "__builtins__": __builtins__}
    setup = payload.get("setup") or ""
    if setup:
        try:
            exec(compile(setup, "<setup>", "exec"), g)
        except BaseException as exc:
            write_frame(result_w, {"event": "setup_error", **_exc_report(exc)})
            return
    try:
        code = compile(payload["program"], "<solution>", "exec")
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
        write_frame(result_w, {"event": "syntax_error", "etype": type(exc).__name__,
                               "emsg": str(getattr(exc, "msg", exc))[:2000], "line": getattr(exc, "lineno", None)})
        return
    if style == "stdio":
        test = tests[0]
        data = test.get("stdin", "").encode("utf-8", "surrogatepass")
        mfd = os.memfd_create("stdin") if hasattr(os, "memfd_create") else None
        if mfd is not None:
            os.write(mfd, data)
            os.lseek(mfd, 0, os.SEEK_SET)
            os.dup2(mfd, 0)
            os.close(mfd)
        sys.stdin = open(0, encoding="utf-8", errors="replace", closefd=False)
        sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
        sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
        write_frame(result_w, {"event": "start", "t": test["index"]})
        random.seed(0)
        report = {"event": "done", "t": test["index"], "status": "ok"}
        try:
            exec(code, g)
        except SystemExit as exc:
            if exc.code not in (None, 0):
                report = {"event": "done", "t": test["index"], "status": "raised", "etype": "SystemExit",
                          "emsg": f"exit code {exc.code!r}"[:200], "line": _solution_line(exc.__traceback__)}
        except BaseException as exc:
            report = {"event": "done", "t": test["index"], "status": "raised", **_exc_report(exc)}
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        write_frame(result_w, report)
        return
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)
    try:
        exec(code, g)
    except BaseException as exc:
        write_frame(result_w, {"event": "load_error", **_exc_report(exc)})
        return
    # A frame that nothing follows right away is sent together with the next one ("loaded" with the first test's
    # "start", each "done" with the next "start"): one write and one wake-up of the supervisor instead of two.
    pending = frame_bytes({"event": "loaded"})
    for test in tests:
        i = test["index"]
        _write_all(result_w, pending + frame_bytes({"event": "start", "t": i}))
        pending = b""
        random.seed(0)
        report = {"event": "done", "t": i}
        if test["kind"] == "calls":  # a lifted assert test: its calls in order, values compared by the parent
            values = []
            try:
                for call in test["calls"]:
                    fn = _resolve_entry(g, test["entry"])
                    value = fn(*decode_value(call.get("args") or []), **decode_value(call.get("kwargs") or {}))
                    try:
                        values.append(encode_value(value))
                    except (EncodeError, RecursionError) as exc:
                        report.update(status="unencodable", emsg=str(exc)[:500])
                        break
                else:
                    report["status"] = "ok"
            except BaseException as exc:
                report.update(status="raised", **_exc_report(exc))
            report["values"] = values
        elif test["kind"] == "call":
            try:
                fn = _resolve_entry(g, test["entry"])
                args = decode_value(test.get("args") or [])
                kwargs = decode_value(test.get("kwargs") or {})
                value = fn(*args, **kwargs)
                try:
                    report.update(status="ok", value=encode_value(value))
                except (EncodeError, RecursionError) as exc:
                    report.update(status="unencodable", emsg=str(exc)[:500])
            except BaseException as exc:
                report.update(status="raised", **_exc_report(exc))
        else:  # assert
            rec = _Recorder() if test.get("record") and test.get("entry") else None
            saved = dict(g)
            restore = None
            try:
                if rec is not None:
                    restore = rec.install(g, test["entry"])
                exec(compile(test["code"], "<test>", "exec"), g)
                report["status"] = "ok"
            except BaseException as exc:
                report.update(status="raised", **_exc_report(exc, test["code"]))
            if rec is not None:
                report["calls"] = rec.calls
                report["truncated"] = rec.truncated
            # Tests run in sequence in one namespace; undo what one test defined so the next starts clean.
            g.clear()
            g.update(saved)
            if restore is not None:
                restore()
        try:
            sys.stdout.flush()
        except BaseException:
            pass
        try:
            pending = frame_bytes(report)
        except (ValueError, TypeError):
            pending = frame_bytes({"event": "done", "t": i, "status": "unencodable", "emsg": "report not JSON"})
    _write_all(result_w, pending)


# ----------------------------------------------------------------------------------------------------------------
# Supervision of one unit (runs in the trusted parent: the host executor or the --once supervisor).
# ----------------------------------------------------------------------------------------------------------------

class UnitHandle:
    """A running unit: its pid and the parent's ends of its pipes."""

    def __init__(self, pid, input_w, result_r, stdout_r, stderr_r, wait_exit):
        self._pid = pid  # an int, or a callable returning it (the host learns it asynchronously)
        self.input_w = input_w
        self.result_r = result_r
        self.stdout_r = stdout_r
        self.stderr_r = stderr_r
        self.wait_exit = wait_exit  # callable(timeout) -> (status, rusage dict) or None

    def spawn_error(self):
        """Why the unit could not be started, or None (overridden by hosts that spawn asynchronously)."""
        return None

    @property
    def pid(self):
        if callable(self._pid):
            self._pid = self._pid()
        return self._pid


def supervise_unit(handle, payload, limits, timeouts, clock=time.monotonic):
    """Feed the unit its payload, watch its outputs, enforce limits, return raw observations.

    ``timeouts``: per-test wall-clock limits by test index. Program load gets the first test's limit.
    Returns a dict with ``frames`` (decoded result frames), ``stdout``, ``stderr``, ``killed`` (why, or None),
    ``exit`` (wait status), ``rusage``.
    """
    out = {"frames": [], "stdout": b"", "stderr": b"", "killed": None, "exit": None, "rusage": {},
           "killed_during": None, "test_wall": {}}
    start = clock()
    test_start = start
    try:
        write_frame(handle.input_w, payload)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            os.close(handle.input_w)
        except OSError:
            pass
    decoder = FrameDecoder(limits["max_result_bytes"])
    max_out = limits["max_output_bytes"]
    bufs = {handle.stdout_r: bytearray(), handle.stderr_r: bytearray()}
    open_fds = [handle.result_r, handle.stdout_r, handle.stderr_r]
    test_ids = [t["index"] for t in payload["tests"]]
    first = timeouts.get(test_ids[0], limits["timeout_s"]) if test_ids else limits["timeout_s"]
    deadline = start + first
    current = None  # index of the test in progress
    total_deadline = start + limits["total_s"]
    poller = select.poll()
    for fd in open_fds:
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)

    def kill(reason):
        if out["killed"] is None:
            out["killed"] = reason
            out["killed_during"] = current
            if current is not None:
                out["test_wall"][current] = clock() - test_start
        pid = handle.pid
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    while open_fds:
        now = clock()
        limit_at = min(deadline, total_deadline)
        if now >= limit_at and out["killed"] is None:
            kill("timeout")
        wait_ms = 50 if out["killed"] else max(1, int((limit_at - now) * 1000) + 1)
        events = poller.poll(wait_ms)
        if not events and out["killed"] and clock() > limit_at + 2.0:
            # Killed long ago, yet a pipe is still open: a descendant outside the unit's PID namespace holds it
            # (possible only at the "process" isolation level). Stop listening; its output is discarded.
            break
        for fd, _ev in events:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                poller.unregister(fd)
                open_fds.remove(fd)
                continue
            if fd == handle.result_r:
                for frame in decoder.feed(data):
                    out["frames"].append(frame)
                    ev = frame.get("event") if isinstance(frame, dict) else None
                    t = frame.get("t") if isinstance(frame, dict) else None
                    if ev == "loaded":
                        deadline = clock() + first
                    elif ev == "start" and isinstance(t, int) and t in timeouts and t != current:
                        current = t
                        test_start = clock()
                        deadline = test_start + timeouts[t]
                    elif ev == "done" and t == current and out["killed"] is None:
                        out["test_wall"][t] = clock() - test_start
                if decoder.overflow:
                    kill("result_limit")
            else:
                buf = bufs[fd]
                room = max_out - (len(bufs[handle.stdout_r]) + len(bufs[handle.stderr_r]))
                buf += data[: max(0, room)]
                if len(data) > room:
                    kill("output_limit")
    for fd in (handle.result_r, handle.stdout_r, handle.stderr_r):
        try:
            os.close(fd)
        except OSError:
            pass
    exit_info = handle.wait_exit(max(0.5, total_deadline - clock() + 2.0))
    if exit_info is None:
        kill(out["killed"] or "timeout")
        exit_info = handle.wait_exit(5.0)
    if exit_info is not None:
        out["exit"], out["rusage"] = exit_info
    out["stdout"] = bytes(bufs[handle.stdout_r])
    out["stderr"] = bytes(bufs[handle.stderr_r])
    out["wall"] = clock() - start
    return out


# ----------------------------------------------------------------------------------------------------------------
# Running a whole request as units (shared by the host executor and --once mode).
# ----------------------------------------------------------------------------------------------------------------

def plan_units(request):
    """Split tests into units: one per stdio test (each needs a fresh process), one for all the others."""
    stdio = [t for t in request["tests"] if t["kind"] == "stdio"]
    other = [t for t in request["tests"] if t["kind"] != "stdio"]
    units = [("stdio", [t]) for t in stdio]
    if other or not stdio:
        units.insert(0, ("function", other))
    return units


def run_request(request, spawn):
    """Run every test of ``request`` through units started with ``spawn(spec) -> UnitHandle``.

    Returns raw observations; comparisons with expected values happen in the caller (``verdict.py``).
    """
    limits = request["limits"]
    timeouts = {t["index"]: float(t.get("timeout_s") or limits["timeout_s"]) for t in request["tests"]}
    raw = {"tests": {}, "units": 0, "syntax_error": None, "load_error": None, "setup_error": None,
           "sandbox_error": None, "stdout": "", "stderr": "", "cpu": 0.0, "maxrss_kb": 0}
    pending = plan_units(request)
    t0 = time.monotonic()
    total = limits["total_s"]
    while pending:
        style, tests = pending.pop(0)
        remaining = total - (time.monotonic() - t0)
        if remaining <= 0:
            for t in tests:
                raw["tests"][t["index"]] = {"status": "timeout", "why": "total time limit of the request reached"}
            continue
        unit_limits = dict(limits, total_s=remaining)
        # The spec goes to the fork server: limits and identity only, never test data.
        spec = {"limits": unit_limits, "uid": request.get("uid", 65534), "n_tests": len(tests),
                "workdir": request.get("workdir")}
        payload = {"program": request["program"], "setup": request.get("setup", ""), "style": style,
                   "tests": tests, "limits": unit_limits, "n_tests": len(tests)}
        try:
            handle = spawn(spec)
        except Exception as exc:  # noqa: BLE001 - reported as sandbox_error
            raw["sandbox_error"] = f"could not start a unit: {exc}"
            return raw
        obs = supervise_unit(handle, payload, unit_limits, {t["index"]: timeouts[t["index"]] for t in tests})
        if handle.spawn_error():
            raw["sandbox_error"] = f"could not start a unit: {handle.spawn_error()}"
            return raw
        raw["units"] += 1
        ru = obs.get("rusage") or {}
        raw["cpu"] += float(ru.get("utime", 0.0)) + float(ru.get("stime", 0.0))
        raw["maxrss_kb"] = max(raw["maxrss_kb"], int(ru.get("maxrss", 0)))
        stdout = obs["stdout"].decode("utf-8", "replace")
        stderr = obs["stderr"].decode("utf-8", "replace")
        if style != "stdio":
            raw["stdout"] += stdout
        raw["stderr"] += stderr
        seen_done = set()
        for frame in obs["frames"]:
            if not isinstance(frame, dict):
                continue
            ev = frame.get("event")
            if ev in ("syntax_error", "load_error", "setup_error"):
                if raw[ev] is None:
                    raw[ev] = {k: v for k, v in frame.items() if k != "event"}
            elif ev == "sandbox_error":
                raw["sandbox_error"] = str(frame.get("msg", "sandbox error"))[:2000]
            elif ev == "done" and frame.get("t") in timeouts and frame["t"] not in seen_done:
                t = frame["t"]
                if not any(x["index"] == t for x in tests):
                    continue
                seen_done.add(t)
                rec = {k: v for k, v in frame.items() if k not in ("event", "t")}
                rec["wall"] = obs["test_wall"].get(t, 0.0)
                if style == "stdio":
                    rec["stdout"] = stdout
                    rec["stderr"] = stderr[-2000:]
                raw["tests"][t] = rec
        if raw["syntax_error"] or raw["setup_error"] or raw["sandbox_error"]:
            return raw
        if raw["load_error"] and style != "stdio":
            raw["load_error"]["killed"] = obs["killed"]
            continue
        # Tests this unit did not finish: the one in progress gets the reason; the rest go to a fresh unit.
        unfinished = [t for t in tests if t["index"] not in seen_done]
        if unfinished:
            status = _kill_status(obs)
            culprit = unfinished[0]
            if obs["killed_during"] is None and obs["killed"] == "timeout" and style != "stdio":
                # Killed while loading the program (module-level code): every test of the unit fails with it.
                for t in unfinished:
                    raw["tests"][t["index"]] = {"status": status, "why": "while loading the program"}
                continue
            rec = {"status": status, "why": obs["killed"] or _exit_text(obs["exit"]),
                   "maxrss_kb": int(ru.get("maxrss", 0)), "wall": obs["test_wall"].get(culprit["index"], 0.0)}
            if style == "stdio":
                rec["stdout"] = stdout
                rec["stderr"] = stderr[-2000:]
            raw["tests"][culprit["index"]] = rec
            if len(unfinished) > 1:
                pending.insert(0, (style, unfinished[1:]))
    return raw


def _kill_status(obs):
    killed = obs["killed"]
    if killed == "timeout":
        return "timeout"
    if killed in ("output_limit", "result_limit"):
        return "output_limit"
    status = obs["exit"]
    # RLIMIT_CPU sends SIGXCPU at the soft limit (and SIGKILL at the hard one, a second later).
    if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        return "timeout"
    return "crashed"


def _exit_text(status):
    if status is None:
        return "no exit status"
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            name = signal.Signals(sig).name
        except ValueError:
            name = str(sig)
        return f"killed by signal {name}"
    return f"exited with code {os.WEXITSTATUS(status)} before reporting"


# ----------------------------------------------------------------------------------------------------------------
# Fork server.
# ----------------------------------------------------------------------------------------------------------------

def _fork_unit(iso, spec, fds):
    """Fork a unit child (into a new PID namespace when available). Returns its pid in the caller's namespace."""
    if iso.pidns:
        unshare(CLONE_NEWPID)
    try:
        pid = raw_fork()
    except BaseException:
        if iso.pidns:
            setns(iso.own_pidns_fd, CLONE_NEWPID)
        raise
    if pid == 0:
        try:
            unit_child(spec, fds, iso)
        finally:
            os._exit(70)  # never fall back into the server loop
    if iso.pidns:
        # Point our children's PID namespace back at our own, so the next unshare starts a fresh one.
        setns(iso.own_pidns_fd, CLONE_NEWPID)
    return pid


def _rusage_dict(ru):
    return {"utime": ru.ru_utime, "stime": ru.ru_stime, "maxrss": ru.ru_maxrss}


def _kill_leftovers(iso, pid, uid):
    """Without a PID namespace, kill what a finished unit left behind: every process of its uid (when we switched
    uid), else its process group."""
    if iso.switch_uid:
        killer = os.fork()
        if killer == 0:
            try:
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)  # as that uid: every process it owns, nothing else
            finally:
                os._exit(0)
        os.waitpid(killer, 0)
    else:
        try:
            os.killpg(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def serve(ctrl_fd, hide, preload=True, namespaces=True):
    """The zygote's main loop: spawn units on request, report their exit; exit when the host goes away."""
    global _devnull_fd
    sock = socket.socket(fileno=ctrl_fd)
    set_process_name("codegym-zygote")
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass
    iso = setup_isolation(hide, namespaces)
    prepare_raw_fork()
    set_run_environment("/")  # once here, so each unit only has HOME and TMPDIR to set
    _devnull_fd = os.open("/dev/null", os.O_RDONLY)
    try:  # orphans of runs without a PID namespace come to us to be reaped, not to the host's init
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    if iso.level == "broken":
        _send(sock, {"op": "ready", "level": iso.level, "warnings": iso.warnings, "pid": os.getpid()})
        os._exit(0)
    if preload:
        import importlib

        for mod in PRELOAD_MODULES:
            try:
                importlib.import_module(mod)
            except Exception:
                pass
    import gc

    # Move everything imported so far out of the collector's reach: a unit's garbage collections then never walk
    # (and copy-on-write) the zygote's objects, which makes each forked run cheaper.
    gc.collect()
    gc.freeze()
    _send(sock, {"op": "ready", "level": iso.level, "warnings": iso.warnings, "pid": os.getpid()})
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children = {}
    scratch = ScratchDirs(iso.switch_uid)
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    poller.register(wake_r, select.POLLIN)
    def reap():
        while True:  # our units, and (as subreaper) orphans of units without a PID namespace
            try:
                pid, status, ru = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            entry = children.pop(pid, None)
            if entry is not None:
                rid, uid = entry
                if not iso.pidns:
                    _kill_leftovers(iso, pid, uid)
                if iso.mountns:
                    try:
                        scratch.wipe(uid)  # before "exited": nothing a run wrote survives into the next run
                    except OSError as exc:
                        print(f"codegym zygote: could not wipe scratch of uid {uid}: {exc}", file=sys.stderr)
                _send(sock, {"op": "exited", "id": rid, "status": status, "rusage": _rusage_dict(ru)})

    while True:
        try:
            events = poller.poll(1000)
        except InterruptedError:
            events = []
        if any(fd == wake_r for fd, _ in events):
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        # Exits first: a finished run's caller waits for "exited", while a spawn (usually a warm unit for a later
        # run) can wait the few hundred microseconds that reaping takes.
        reap()
        if not any(fd == sock.fileno() for fd, _ in events):
            continue
        try:
            msg, fds = _recv(sock)
        except (ConnectionError, OSError):
            msg, fds = None, []
        if msg is None:
            for pid in children:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            os._exit(0)
        if msg.get("op") == "spawn":
            try:
                spec = msg["spec"]
                if iso.mountns:
                    scratch.prepare(spec["uid"], spec["limits"]["scratch_mb"])
                pid = _fork_unit(iso, spec, fds)
                children[pid] = (msg["id"], spec["uid"])
                _send(sock, {"op": "spawned", "id": msg["id"], "pid": pid})
            except OSError as exc:
                _send(sock, {"op": "spawn_failed", "id": msg["id"], "error": str(exc)})
            finally:
                for f in fds:
                    os.close(f)
        elif msg.get("op") == "ping":
            _send(sock, {"op": "pong"})
        reap()


def _send(sock, msg, fds=()):
    data = json.dumps(msg).encode()
    if fds:
        sock.sendmsg([data], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))])
    else:
        sock.send(data)


def _recv(sock):
    data, ancdata, _flags, _addr = sock.recvmsg(1 << 16, socket.CMSG_SPACE(16 * 4))
    if not data:
        return None, []
    fds = []
    for level, kind, cdata in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            n = len(cdata) // 4
            fds.extend(struct.unpack(f"{n}i", cdata[: n * 4]))
    return json.loads(data), fds


# ----------------------------------------------------------------------------------------------------------------
# One-shot mode (containers): read one request on stdin, write one raw reply on stdout.
# ----------------------------------------------------------------------------------------------------------------

def once_main():
    request = read_frame(0)
    out_fd = os.dup(1)
    # Nothing the units print may reach our stdout: point fd 1 at stderr for the rest of this process.
    os.dup2(2, 1)
    iso = Isolation()
    if os.geteuid() == 0:
        iso.switch_uid = True
        iso.level = "container"
    else:
        iso.level = "container"
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    set_run_environment("/")
    workroot = request.get("workdir") or "/tmp"
    counter = [0]

    def spawn(spec):
        counter[0] += 1
        workdir = os.path.join(workroot, f"unit{counter[0]}")
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        if iso.switch_uid:
            os.chown(workdir, spec["uid"], spec["uid"])
        spec = dict(spec, workdir=workdir)
        in_r, in_w = os.pipe()
        res_r, res_w = os.pipe()
        so_r, so_w = os.pipe()
        se_r, se_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(out_fd)
            for f in (in_w, res_r, so_r, se_r):
                os.close(f)
            unit_child(spec, (in_r, res_w, so_w, se_w), iso)
        for f in (in_r, res_w, so_w, se_w):
            os.close(f)

        def wait_exit(timeout):
            end = time.monotonic() + timeout
            while True:
                p, status, ru = os.wait4(pid, os.WNOHANG)
                if p == pid:
                    try:  # the unit's process group: anything it left behind dies with it
                        os.killpg(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                    return status, _rusage_dict(ru)
                if time.monotonic() > end:
                    return None
                time.sleep(0.005)

        return UnitHandle(pid, in_w, res_r, so_r, se_r, wait_exit)

    raw = run_request(request, spawn)
    raw["isolation"] = iso.level
    # Reap anything left (we are the subreaper for orphans of the units).
    try:
        while os.wait4(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    write_frame(out_fd, raw)


def main(argv):
    if len(argv) >= 2 and argv[1] == "--once":
        once_main()
        return 0
    if len(argv) >= 3 and argv[1] == "--server":
        hide = [h for h in (argv[3].split(os.pathsep) if len(argv) > 3 else []) if h]
        serve(int(argv[2]), hide, namespaces="--no-namespaces" not in argv[4:])
        return 0
    print("usage: _zygote.py --server FD [HIDE_PATHS] [--no-namespaces] | --once", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
