"""Linux primitives through libc (Python 3.10/3.11 have no os.unshare/os.setns/mount), for the fork server and units.
"""

import ctypes
import os
import sys

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
MS_NOATIME = 1024
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

