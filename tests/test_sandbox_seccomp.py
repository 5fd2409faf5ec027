"""The per-unit seccomp filter (``codegym.runtime.seccomp``).

Every live case forks a child that sets ``no_new_privs``, installs the filter (or, for the controls, does not),
tries the call and reports the outcome through a pipe. The controls show the same calls succeed (or fail with a
different errno) without the filter, so the filtered cases can fail. A small classic-BPF interpreter checks the
programs of both supported architectures without a kernel.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import re
import select
import signal
import socket
import struct
import sys
import time

import pytest

try:
    from codegym.runtime import seccomp
except ImportError:  # the package around it failed to import; the module itself is standalone (stdlib + ctypes)
    import importlib.util

    _path = os.path.join(os.path.dirname(__file__), "..", "codegym", "sandbox", "runtime", "seccomp.py")
    _spec = importlib.util.spec_from_file_location("_codegym_seccomp", _path)
    seccomp = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(seccomp)

SUPPORTED, WHY = seccomp.supported()
live = pytest.mark.skipif(not SUPPORTED, reason=f"seccomp filter unsupported here: {WHY}")
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

libc = ctypes.CDLL(None, use_errno=True)
PR_SET_NO_NEW_PRIVS = 38


# ----------------------------------------------------------------------------------------------------------------
# Helpers.
# ----------------------------------------------------------------------------------------------------------------

def run_child(fn, *, filtered: bool = True, timeout: float = 60.0) -> dict:
    """Run ``fn()`` in a forked child (after no_new_privs and, if ``filtered``, the filter); returns
    ``{"ok": value}``, ``{"errno": n, "error": text}`` or ``{"exc": text}``."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.close(r)
            try:
                if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
                    raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
                if filtered:
                    seccomp.install()
                out = {"ok": fn()}
            except OSError as exc:
                out = {"errno": exc.errno, "error": repr(exc)}
            except BaseException as exc:  # noqa: BLE001
                out = {"exc": repr(exc)}
            os.write(w, json.dumps(out, default=repr).encode())
        finally:
            os._exit(0)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([r], [], [], left)[0]:
                os.kill(pid, signal.SIGKILL)
                raise AssertionError(f"child did not finish within {timeout}s")
            data = os.read(r, 65536)
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(r)
        _, status = os.waitpid(pid, 0)
    if not chunks:
        raise AssertionError(f"child reported nothing (wait status {status:#x})")
    return json.loads(b"".join(chunks))


def call(name: str, *args) -> int:
    """libc function ``name``; raises OSError on -1."""
    fn = getattr(libc, name)
    ctypes.set_errno(0)
    res = fn(*args)
    if res == -1:
        e = ctypes.get_errno()
        raise OSError(e, f"{name}: {os.strerror(e)}")
    return res


def sys_call(name: str, *args) -> int:
    """Raw system call by name (this machine's number), with integer/None arguments."""
    fn = libc.syscall
    fn.restype = ctypes.c_long
    ctypes.set_errno(0)
    res = fn(ctypes.c_long(seccomp.NUMBERS[name]), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    if res == -1:
        e = ctypes.get_errno()
        raise OSError(e, f"{name}: {os.strerror(e)}")
    return res


def raw_syscall(nr: int, *args) -> int:
    fn = libc.syscall
    fn.restype = ctypes.c_long
    ctypes.set_errno(0)
    res = fn(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])
    if res == -1:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return res


def assert_eperm(out: dict) -> None:
    assert out.get("errno") == errno.EPERM, out


def assert_not_eperm(out: dict) -> None:
    assert out.get("errno") != errno.EPERM and "exc" not in out, out


IPC_PRIVATE, IPC_CREAT, IPC_RMID = 0, 0o1000, 0


def shm():
    sid = call("shmget", IPC_PRIVATE, 4096, IPC_CREAT | 0o600)
    call("shmctl", sid, IPC_RMID, None)
    return sid


def msg():
    mid = call("msgget", IPC_PRIVATE, IPC_CREAT | 0o600)
    call("msgctl", mid, IPC_RMID, None)
    return mid


def sem():
    sid = call("semget", IPC_PRIVATE, 1, IPC_CREAT | 0o600)
    call("semctl", sid, 0, IPC_RMID)
    return sid


def mqueue():
    name = f"/codegym-seccomp-{os.getpid()}".encode()
    libc.mq_open.restype = ctypes.c_int
    fd = call("mq_open", name, os.O_CREAT | os.O_RDWR, 0o600, None)
    call("mq_unlink", name)
    os.close(fd)
    return fd


def abstract_bind():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(f"\0codegym-seccomp-{os.getpid()}".encode())
    s.close()
    return True


def make_socket(family, kind=socket.SOCK_STREAM, proto=0):
    def f():
        socket.socket(family, kind, proto).close()
        return True
    return f


# ----------------------------------------------------------------------------------------------------------------
# Pure checks: tables, program shape, a BPF interpreter for both architectures.
# ----------------------------------------------------------------------------------------------------------------

BRIEF = ("shmget shmat shmdt shmctl semget semop semtimedop semctl msgget msgsnd msgrcv msgctl mq_open mq_unlink "
         "mq_timedsend mq_timedreceive mq_notify mq_getsetattr unshare setns mount umount2 pivot_root chroot ptrace "
         "process_vm_readv process_vm_writev keyctl add_key request_key bpf perf_event_open userfaultfd "
         "io_uring_setup io_uring_enter io_uring_register kexec_load init_module finit_module delete_module "
         "open_by_handle_at name_to_handle_at swapon swapoff reboot acct quotactl").split()


def test_api_shape():
    ok, why = seccomp.supported()
    assert isinstance(ok, bool) and isinstance(why, str) and (ok == (why == ""))
    assert isinstance(seccomp.DENIED, tuple) and all(isinstance(n, str) for n in seccomp.DENIED)
    for name in BRIEF:
        assert name in seccomp.DENIED, name
    for name in ("socket", "socketpair", "clone", "clone3", "personality", "seccomp", "prctl", "getpid"):
        assert name not in seccomp.DENIED


def test_tables_cover_the_same_calls():
    x86, arm = seccomp.TABLES["x86_64"], seccomp.TABLES["aarch64"]
    x86_only = {"iopl", "ioperm", "modify_ldt", "uselib", "ustat", "sysfs", "_sysctl", "create_module",
                "get_kernel_syms", "query_module", "inotify_init"}  # aarch64 has only inotify_init1
    assert set(x86) - set(arm) == x86_only
    assert set(arm) <= set(x86)
    for table in (x86, arm):
        assert len(set(table.values())) == len(table)


def _header_numbers(path: str) -> dict[str, int]:
    with open(path) as f:
        return {m.group(1): int(m.group(2)) for m in re.finditer(r"#define __NR_(\w+)\s+(\d+)\b", f.read())}


@pytest.mark.parametrize("arch,header", [
    ("x86_64", "/usr/include/x86_64-linux-gnu/asm/unistd_64.h"),
    ("x86_64", "/usr/include/asm/unistd_64.h"),
    ("aarch64", "/usr/include/asm-generic/unistd.h"),
])
def test_numbers_match_kernel_headers(arch, header):
    if not os.path.exists(header):
        pytest.skip(f"{header} not installed")
    nums = _header_numbers(header)
    table = seccomp.TABLES[arch]
    checked = 0
    for name, nr in table.items():
        if name in nums:
            assert nums[name] == nr, (arch, name, nums[name], nr)
            checked += 1
    # Old headers may lack the newest calls, never the classic ones.
    assert checked >= len(table) - 12, checked


SECCOMP_DATA = struct.Struct("<iIQ6Q")


def bpf_run(prog, nr, arch, args=(0, 0, 0, 0, 0, 0)) -> int:
    """A classic-BPF interpreter covering the instructions seccomp filters use."""
    data = SECCOMP_DATA.pack(nr, arch, 0, *[a & 0xFFFFFFFFFFFFFFFF for a in args])
    acc, pc = 0, 0
    while True:
        code, jt, jf, k = prog[pc]
        if code == 0x20:
            acc = struct.unpack_from("<I", data, k)[0]
            pc += 1
        elif code == 0x06:
            return k
        elif code == 0x05:
            pc += 1 + k
        elif code in (0x15, 0x25, 0x35, 0x45):
            cond = {0x15: acc == k, 0x25: acc > k, 0x35: acc >= k, 0x45: bool(acc & k)}[code]
            pc += 1 + (jt if cond else jf)
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")


ALLOW, KILL = 0x7FFF0000, 0x80000000
EPERM = 0x50000 | errno.EPERM
ENOSYS = 0x50000 | errno.ENOSYS


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_program_semantics(arch):
    prog = seccomp.build(arch)
    assert len(prog) < 256
    table = seccomp.TABLES[arch]
    audit = seccomp.AUDIT_ARCHES[arch]
    numbers = set(table.values())
    # Denied outright, whatever the arguments.
    for name in seccomp._denied_for(arch):
        for args in [(0,) * 6, (1, 2, 3, 4, 5, 6), (-1,) * 6]:
            assert bpf_run(prog, table[name], audit, args) == EPERM, name
    # Everything else is allowed (a sample covering the whole numbering).
    for nr in range(0, 470):
        if nr not in numbers:
            assert bpf_run(prog, nr, audit) == ALLOW, nr
    # Foreign architectures are killed, whatever the number.
    for other in (0x40000003, 0x40000028, 0xC000003E if arch == "aarch64" else 0xC00000B7, 0):  # i386, arm
        for nr in (0, 1, 39, 172):
            assert bpf_run(prog, nr, other) == KILL
    # x32 numbers on x86_64.
    if arch == "x86_64":
        for nr in (0x40000000, 0x40000000 | 39, 0x40000000 | 41, -1):
            assert bpf_run(prog, nr, audit) == EPERM
    # socket: only AF_INET/AF_INET6; the kernel reads the low 32 bits, and so does the filter.
    s = table["socket"]
    for fam, verdict in [(2, ALLOW), (10, ALLOW), (1, EPERM), (16, EPERM), (17, EPERM), (40, EPERM),
                         (38, EPERM), (0, EPERM), ((1 << 32) | 2, ALLOW), ((1 << 32) | 1, EPERM)]:
        assert bpf_run(prog, s, audit, (fam, 1, 0, 0, 0, 0)) == verdict, fam
    sp = table["socketpair"]
    assert bpf_run(prog, sp, audit, (1, 1, 0, 0, 0, 0)) == ALLOW
    assert bpf_run(prog, sp, audit, (30, 1, 0, 0, 0, 0)) == EPERM
    # clone: namespace flags denied, fork/thread flags allowed.
    c = table["clone"]
    fork_flags = 0x01200011  # CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD
    thread_flags = 0x003D0F00
    assert bpf_run(prog, c, audit, (fork_flags, 0, 0, 0, 0, 0)) == ALLOW
    assert bpf_run(prog, c, audit, (thread_flags, 0, 0, 0, 0, 0)) == ALLOW
    assert bpf_run(prog, c, audit, (0x4111, 0, 0, 0, 0, 0)) == ALLOW  # vfork-style CLONE_VM|CLONE_VFORK|SIGCHLD
    for flag in (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000):
        assert bpf_run(prog, c, audit, (fork_flags | flag, 0, 0, 0, 0, 0)) == EPERM, hex(flag)
    assert bpf_run(prog, table["clone3"], audit) == ENOSYS
    # personality: query and PER_LINUX only.
    p = table["personality"]
    assert bpf_run(prog, p, audit, (0xFFFFFFFF, 0, 0, 0, 0, 0)) == ALLOW
    assert bpf_run(prog, p, audit, (0, 0, 0, 0, 0, 0)) == ALLOW
    assert bpf_run(prog, p, audit, (0x0040000, 0, 0, 0, 0, 0)) == EPERM
    # ioctl: SIOCSIFFLAGS only.
    io = table["ioctl"]
    assert bpf_run(prog, io, audit, (3, 0x5401, 0, 0, 0, 0)) == ALLOW  # TCGETS
    assert bpf_run(prog, io, audit, (3, 0x8914, 0, 0, 0, 0)) == EPERM
    assert bpf_run(prog, io, audit, (3, 0x8913, 0, 0, 0, 0)) == ALLOW  # SIOCGIFFLAGS


def test_unsupported_reason_or_prepared():
    if SUPPORTED:
        seccomp.prepare()
        seccomp.prepare()  # idempotent
        built = seccomp.build(seccomp.ARCH)
        assert seccomp._prog is not None and seccomp._prog.len == len(built)
        assert [(f.code, f.jt, f.jf, f.k) for f in seccomp._filter] == built
    else:
        assert WHY
        with pytest.raises(OSError):
            seccomp.prepare()


# ----------------------------------------------------------------------------------------------------------------
# Live: denied calls.
# ----------------------------------------------------------------------------------------------------------------

IPC_CASES = {"shmget": shm, "msgget": msg, "semget": sem, "mq_open": mqueue}


@live
@pytest.mark.parametrize("name", list(IPC_CASES))
def test_ipc_denied(name):
    assert_eperm(run_child(IPC_CASES[name]))


@live
@pytest.mark.parametrize("name", list(IPC_CASES))
def test_ipc_control(name):
    out = run_child(IPC_CASES[name], filtered=False)
    assert "ok" in out, out


SOCKET_DENIED = {
    "unix_stream": make_socket(socket.AF_UNIX),
    "unix_dgram": make_socket(socket.AF_UNIX, socket.SOCK_DGRAM),
    "abstract_bind": abstract_bind,
    "netlink": make_socket(getattr(socket, "AF_NETLINK", 16), socket.SOCK_RAW, 0),
    "packet": make_socket(getattr(socket, "AF_PACKET", 17), socket.SOCK_RAW, 0),
}


@live
@pytest.mark.parametrize("name", list(SOCKET_DENIED))
def test_socket_families_denied(name):
    out = run_child(SOCKET_DENIED[name])
    assert_eperm(out)
    assert "PermissionError" in out["error"]


@live
@pytest.mark.parametrize("name", list(SOCKET_DENIED))
def test_socket_families_control(name):
    if name == "packet" and not IS_ROOT:
        pytest.skip("AF_PACKET needs CAP_NET_RAW")
    out = run_child(SOCKET_DENIED[name], filtered=False)
    assert out == {"ok": True}, out


def inet_and_pairs():
    a = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    a.bind(("0.0.0.0", 0))
    a.close()
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
    try:
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
    except OSError as exc:
        if exc.errno == errno.EPERM:
            raise
    x, y = socket.socketpair()
    x.sendall(b"ping")
    got = y.recv(4)
    x.close()
    y.close()
    r, w = os.pipe()
    os.write(w, b"pong")
    got += os.read(r, 4)
    os.close(r)
    os.close(w)
    return got.decode()


@live
def test_inet_socketpair_pipe_allowed():
    assert run_child(inet_and_pairs) == {"ok": "pingpong"}


def siocsifflags():
    import fcntl
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        fcntl.ioctl(s, 0x8914, struct.pack("16sH22x", b"cgnosuchif0", 1))
    finally:
        s.close()
    return True


def other_ioctls():
    import fcntl
    r, w = os.pipe()
    os.write(w, b"abc")
    n = struct.unpack("i", fcntl.ioctl(r, 0x541B, b"\0\0\0\0"))[0]  # FIONREAD
    return [n, os.isatty(r)]


@live
def test_ioctl_siocsifflags_denied():
    assert_eperm(run_child(siocsifflags))
    assert run_child(other_ioctls) == {"ok": [3, False]}


@live
def test_ioctl_siocsifflags_control():
    if not IS_ROOT:
        pytest.skip("needs CAP_NET_ADMIN to get past the capability check")
    out = run_child(siocsifflags, filtered=False)
    assert out.get("errno") == errno.ENODEV, out


MNT_CASES = {
    "unshare0": lambda: call("unshare", 0),
    "unshare_user": lambda: call("unshare", 0x10000000),
    "mount": lambda: call("mount", b"none", b"/nonexistent-codegym-seccomp", b"tmpfs", 0, None),
    "chroot": lambda: call("chroot", b"/nonexistent-codegym-seccomp"),
    "setns": lambda: call("setns", -1, 0),
    "ptrace": lambda: sys_call("ptrace", 16, 0x7FFFFFFF, 0, 0),  # PTRACE_ATTACH to no such pid
    "process_vm_readv": lambda: sys_call("process_vm_readv", 0x7FFFFFFF, 0, 0, 0, 0, 0),
}


@live
@pytest.mark.parametrize("name", list(MNT_CASES))
def test_namespace_mount_ptrace_denied(name):
    assert_eperm(run_child(MNT_CASES[name]))


@live
@pytest.mark.parametrize("name", [n for n in MNT_CASES if n != "unshare_user"])
def test_namespace_mount_ptrace_control(name):
    # Harmless arguments: without the filter these succeed (unshare(0)) or fail on the path/pid/fd lookup.
    assert_not_eperm(run_child(MNT_CASES[name], filtered=False))


def clone_ns():
    pid = sys_call("clone", 0x04000000 | signal.SIGCHLD, 0, 0, 0, 0)  # CLONE_NEWUTS
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return "cloned"


@live
def test_clone_namespace_flags_denied():
    assert_eperm(run_child(clone_ns))


@live
def test_clone_namespace_flags_control():
    if not IS_ROOT:
        pytest.skip("CLONE_NEWUTS needs CAP_SYS_ADMIN")
    assert run_child(clone_ns, filtered=False) == {"ok": "cloned"}


@live
def test_clone3_enosys():
    out = run_child(lambda: sys_call("clone3", 0, 0))
    assert out.get("errno") == errno.ENOSYS, out
    control = run_child(lambda: sys_call("clone3", 0, 0), filtered=False)
    assert control.get("errno") in (errno.EINVAL, errno.EFAULT, errno.ENOSYS), control


def personality_set():
    cur = sys_call("personality", 0xFFFFFFFF)
    sys_call("personality", 0x0040000)  # ADDR_NO_RANDOMIZE
    return cur


@live
def test_personality():
    assert_eperm(run_child(personality_set))
    assert "ok" in run_child(personality_set, filtered=False)
    assert "ok" in run_child(lambda: sys_call("personality", 0xFFFFFFFF))


@live
def test_x32_abi_denied():
    if seccomp.ARCH != "x86_64":
        pytest.skip("x32 exists on x86_64 only")
    assert_eperm(run_child(lambda: raw_syscall(0x40000000 | 39)))  # x32 getpid


# Raw calls with arguments that are harmless even if the filter let them through (invalid fds, NULL pointers,
# lengths past the limit). reboot, kexec, acct, swapoff, vhangup are only checked by the interpreter above.
SAFE_ARGS = {
    "shmat": (-1, 0, 0), "shmdt": (0,), "shmctl": (-1, 0, 0), "semop": (-1, 0, 0), "semtimedop": (-1, 0, 0, 0),
    "semctl": (-1, 0, 0, 0), "msgsnd": (-1, 0, 0, 0), "msgrcv": (-1, 0, 0, 0, 0), "msgctl": (-1, 0, 0),
    "mq_unlink": (0,), "mq_timedsend": (-1, 0, 0, 0, 0), "mq_timedreceive": (-1, 0, 0, 0, 0),
    "mq_notify": (-1, 0), "mq_getsetattr": (-1, 0, 0),
    "sethostname": (0, 100000), "setdomainname": (0, 100000),
    "add_key": (0, 0, 0, 0, 0), "request_key": (0, 0, 0, 0), "keyctl": (0xFFFF, 0, 0, 0, 0),
    "umount2": (0, 0), "pivot_root": (0, 0), "open_tree": (-1, 0, 0), "move_mount": (-1, 0, -1, 0, 0),
    "fsopen": (0, 0), "fsconfig": (-1, 0, 0, 0, 0), "fsmount": (-1, 0, 0), "fspick": (-1, 0, 0),
    "mount_setattr": (-1, 0, 0, 0, 0), "process_vm_writev": (0x7FFFFFFF, 0, 0, 0, 0, 0),
    "process_madvise": (-1, 0, 0, 0, 0), "pidfd_getfd": (-1, -1, 0), "kcmp": (0x7FFFFFFF, 0x7FFFFFFF, 0, 0, 0),
    "bpf": (0xFFFF, 0, 0), "perf_event_open": (0, 0, -1, -1, 0), "userfaultfd": (0xFFFFFFF,),
    "io_uring_setup": (0, 0), "io_uring_enter": (-1, 0, 0, 0, 0, 0), "io_uring_register": (-1, 0, 0, 0),
    "init_module": (0, 0, 0), "finit_module": (-1, 0, 0), "delete_module": (0, 0),
    "open_by_handle_at": (-1, 0, 0), "name_to_handle_at": (-1, 0, 0, 0, 0), "swapon": (0, 0),
    "quotactl": (0, 0, 0, 0), "quotactl_fd": (-1, 0, 0, 0), "fanotify_init": (0xFFFFFFFF, 0),
    "syslog": (10, 0, 0), "lookup_dcookie": (0, 0, 0), "nfsservctl": (0, 0, 0),
    "iopl": (0xFFFF,), "uselib": (0,), "ustat": (0, 0), "sysfs": (0xFF,), "_sysctl": (0,),
    "create_module": (0, 0), "get_kernel_syms": (0,), "query_module": (0, 0, 0, 0, 0),
}
# Calls that may fail with EPERM without the filter too (sysctls, lockdown, missing capabilities).
MAYBE_EPERM = {"bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "init_module", "finit_module",
               "delete_module", "open_by_handle_at", "fanotify_init", "syslog", "swapon", "quotactl",
               "sethostname", "setdomainname", "iopl", "pivot_root", "fsopen", "fspick", "open_tree",
               "mount_setattr", "umount2", "move_mount", "fsmount", "fsconfig", "quotactl_fd", "name_to_handle_at"}


def _raw_sweep():
    res = {}
    for name, args in SAFE_ARGS.items():
        if name not in seccomp.NUMBERS:
            continue
        try:
            sys_call(name, *args)
            res[name] = 0
        except OSError as exc:
            res[name] = exc.errno
    return res


@live
def test_denied_calls_raw_sweep():
    out = run_child(_raw_sweep)["ok"]
    assert out and all(v == errno.EPERM for v in out.values()), {k: v for k, v in out.items() if v != errno.EPERM}
    assert set(SAFE_ARGS) <= set(seccomp.DENIED)


@live
def test_denied_calls_raw_sweep_control():
    if not IS_ROOT:
        pytest.skip("without privileges most of these fail with EPERM anyway")
    out = run_child(_raw_sweep, filtered=False)["ok"]
    natural = {k for k, v in out.items() if v == errno.EPERM}
    assert natural <= MAYBE_EPERM, natural - MAYBE_EPERM


# ----------------------------------------------------------------------------------------------------------------
# Live: what programs do still works.
# ----------------------------------------------------------------------------------------------------------------

def fork_and_wait():
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def threads():
    import threading
    out = []
    ts = [threading.Thread(target=out.append, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return sorted(out)


def subprocess_true():
    import subprocess
    return subprocess.run(["/bin/true"]).returncode


def filter_survives_exec():
    import subprocess
    code = ("import socket\ntry:\n    socket.socket(socket.AF_UNIX)\n    print('open')\n"
            "except OSError as e:\n    print(e.errno)\n")
    return subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True).stdout.strip()


def posix_spawn_true():
    pid = os.posix_spawn("/bin/true", ["/bin/true"], dict(os.environ))  # glibc: clone3, then clone
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def pool_map():
    import multiprocessing
    with multiprocessing.get_context("fork").Pool(2) as pool:
        return pool.map(abs, [-1, -2, -3, 4])


def asyncio_run():
    import asyncio

    async def main():
        await asyncio.sleep(0)
        return 42
    return asyncio.run(main())


def thread_pool():
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as ex:
        return list(ex.map(lambda x: x * x, range(5)))


@live
@pytest.mark.parametrize("fn,expected", [
    (fork_and_wait, 7),
    (threads, [0, 1, 2, 3]),
    (subprocess_true, 0),
    (posix_spawn_true, 0),
    (filter_survives_exec, str(errno.EPERM)),
    (pool_map, [1, 2, 3, 4]),
    (asyncio_run, 42),
    (thread_pool, [0, 1, 4, 9, 16]),
])
def test_processes_and_threads_work(fn, expected):
    assert run_child(fn) == {"ok": expected}


def workload_in(tmp: str):
    def f():
        import collections
        import json as j
        import re as r
        data = [(i * 7919) % 1009 for i in range(5000)]
        counts = collections.Counter(x % 10 for x in data)
        words = r.findall(r"\w+", "the quick brown fox " * 100)
        path = os.path.join(tmp, "out.json")
        with open(path, "w") as fh:
            j.dump({"sorted": sorted(data)[:5], "counts": counts.most_common(1), "words": len(words)}, fh)
        with open(path) as fh:
            back = j.load(fh)
        os.unlink(path)
        try:
            import numpy as np
            back["numpy"] = float(np.arange(100.0).reshape(10, 10).dot(np.ones(10)).sum())
        except ImportError:
            back["numpy"] = None
        socket.getaddrinfo("127.0.0.1", 80)
        return back
    return f


@live
def test_plain_workload(tmp_path):
    os.chmod(tmp_path, 0o777)
    out = run_child(workload_in(str(tmp_path)))
    assert "ok" in out, out
    assert out["ok"]["sorted"] == [0, 0, 0, 0, 0] and out["ok"]["words"] == 400
    assert out["ok"]["numpy"] in (None, 4950.0)


@live
def test_install_twice_and_status():
    def f():
        seccomp.install()  # a second, identical filter stacks
        with open("/proc/self/status") as fh:
            status = fh.read()
        return re.search(r"Seccomp:\s*(\d+)", status).group(1)
    assert run_child(f) == {"ok": "2"}


@live
def test_install_without_no_new_privs_fails_unprivileged():
    if IS_ROOT:
        pytest.skip("root (CAP_SYS_ADMIN) may install without no_new_privs")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            seccomp.install()
            os.write(w, b"0")
        except OSError as exc:
            os.write(w, str(exc.errno).encode())
        finally:
            os._exit(0)
    os.close(w)
    got = os.read(r, 16)
    os.close(r)
    os.waitpid(pid, 0)
    assert got == str(errno.EACCES).encode()


def _shared_file_probe(probe: str):
    def f():
        import fcntl

        fd = os.open(sys.executable, os.O_RDONLY)
        if probe == "flock":
            fcntl.flock(fd, fcntl.LOCK_SH)
        elif probe == "fcntl_lock":
            fcntl.lockf(fd, fcntl.LOCK_SH)
        elif probe == "inotify":
            call("inotify_init1", 0)
        elif probe == "statfs":
            os.statvfs("/")
        else:  # an ordinary fcntl stays allowed
            fcntl.fcntl(fd, fcntl.F_GETFL)
        return "done"
    return f


@pytest.mark.parametrize("probe", ["flock", "fcntl_lock", "inotify", "statfs"])
def test_shared_file_channels_are_closed(probe):
    """Two concurrent units can open the same read-only files: locks, change notifications and file-system usage
    on them would be channels between runs."""
    assert_eperm(run_child(_shared_file_probe(probe)))
    assert run_child(_shared_file_probe(probe), filtered=False) == {"ok": "done"}


def test_ordinary_fcntl_is_allowed():
    assert run_child(_shared_file_probe("getfl")) == {"ok": "done"}
