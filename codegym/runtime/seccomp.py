"""The per-unit system-call filter: a seccomp-BPF program that closes the channels between runs sharing namespaces.

All units of one fork server share one network, one IPC and one mount namespace (each has its own PID namespace
and, when the server runs as root, its own uid). Without a filter two concurrent runs could talk over an abstract
unix socket (network namespace) or System V IPC (IPC namespace), and a run could leave state behind for the next
one. The filter is installed in the unit right before untrusted code runs, after the uid switch and
``PR_SET_NO_NEW_PRIVS``; it is inherited by every thread, child and ``exec`` of the program and cannot be removed.

Stdlib and ``ctypes`` only (the unit is a forked child of a process that may not import much). The BPF program is
built once, at import time or by :func:`prepare` in the fork server, into a buffer kept alive at module level; the
per-unit :func:`install` is a single ``prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)``.

API: :func:`supported` ``-> (ok, why)``, :func:`prepare`, :func:`install` (raises ``OSError``), :data:`DENIED`
(names of the calls denied outright), :data:`RESTRICTED` (calls denied for some arguments), :data:`NUMBERS`
(the running architecture's numbers of those calls).

What is denied, and why
-----------------------
A denied call fails with ``EPERM`` (so Python raises ``PermissionError``) rather than killing the program; only
``clone3`` fails with ``ENOSYS``. Everything else is allowed: this is a deny list of what concerns the shared
namespaces and the kernel's rarely used attack surface, not an allow list of what programs may do (the rlimits,
uid and namespaces do the rest).

* **Architecture.** The filter reads ``seccomp_data.arch`` first. Only the native ABI (``AUDIT_ARCH_X86_64`` or
  ``AUDIT_ARCH_AARCH64``) is allowed; any other (``int 0x80`` i386 calls on x86_64, arm32 compat on aarch64) kills
  the process: its numbers mean different calls, and i386's ``socketcall``/``ipc`` multiplexers hide the
  arguments. On x86_64 the x32 ABI (numbers with bit ``0x40000000``) fails with ``EPERM``. Other architectures
  (i386, arm32, ...) are not supported: :func:`supported` says so and the caller runs without the filter.
* **System V IPC and POSIX message queues** -- shared by the IPC namespace, so a channel between concurrent runs
  and a place to leave state for later ones: ``shmget shmat shmdt shmctl semget semop semtimedop semctl msgget
  msgsnd msgrcv msgctl mq_open mq_unlink mq_timedsend mq_timedreceive mq_notify mq_getsetattr``.
  (POSIX shared memory and named semaphores are files under ``/dev/shm``: the mount namespace's business.)
* **Sockets** (``socket``'s family is an int argument, so BPF sees it): ``socket`` is allowed for ``AF_INET`` and
  ``AF_INET6`` only. ``AF_UNIX`` is denied (abstract names live in the shared network namespace, path names in
  the shared mount namespace, and a unix socket could pass descriptors), as are ``AF_NETLINK`` (configure the
  shared network namespace, read its state), ``AF_PACKET`` and every other family (module autoloading of rarely
  used protocols is a classic kernel attack surface). ``socketpair`` stays allowed for ``AF_UNIX`` only: a pair
  has no nameable endpoint, and ``multiprocessing``/``asyncio`` use it.
* **Interface configuration**: ``ioctl(fd, SIOCSIFFLAGS, ...)`` is denied. A unit that holds ``CAP_NET_ADMIN`` in
  the sandbox's user namespace (the unprivileged ``userns`` mode, where units keep uid 0) could otherwise bring
  up the shared namespace's loopback interface and talk TCP/UDP to the other runs. With netlink gone this ioctl
  is the only way to do that.
* **Host name**: ``sethostname setdomainname`` (the UTS namespace is shared too: a writable shared string).
* **Key rings**: ``add_key request_key keyctl`` (units inherit the fork server's session keyring, which every
  process possessing it may write: a channel; and a historically buggy subsystem).
* **Namespaces and mounts** (the mount namespace is shared; the sandbox's isolation must not be undone):
  ``unshare setns mount umount2 pivot_root chroot`` and the new mount API ``open_tree move_mount fsopen fsconfig
  fsmount fspick mount_setattr``. ``clone`` is allowed unless its flags (an int argument) ask for a new namespace
  (``CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP``; ``CLONE_NEWTIME`` overlaps ``clone``'s exit
  signal byte and is only reachable through ``unshare``/``clone3``). ``clone3`` passes its flags behind a
  pointer that BPF cannot read, so it fails with ``ENOSYS``: glibc (``pthread_create``, ``posix_spawn``) then
  falls back to ``clone``, which the filter can inspect. ``fork``/``vfork`` (x86_64) carry no flags.
* **Other processes' memory and descriptors**: ``ptrace process_vm_readv process_vm_writev process_madvise
  pidfd_getfd kcmp``.
* **Kernel attack surface no program under test needs** (most also need privileges the units lack; denying them
  costs nothing and does not depend on that): ``bpf perf_event_open userfaultfd io_uring_setup io_uring_enter
  io_uring_register kexec_load kexec_file_load init_module finit_module delete_module open_by_handle_at
  name_to_handle_at swapon swapoff reboot acct quotactl quotactl_fd fanotify_init syslog vhangup lookup_dcookie
  nfsservctl``, and on x86_64 the legacy ``iopl ioperm modify_ldt uselib ustat sysfs _sysctl create_module
  get_kernel_syms query_module`` (removed or privileged calls; ``modify_ldt`` is a known source of bugs).
* **personality** may only be queried (``0xffffffff``) or set to ``PER_LINUX`` (0); other values (e.g.
  ``ADDR_NO_RANDOMIZE``, ``READ_IMPLIES_EXEC``) are denied.

Allowed on purpose: ``seccomp``/``prctl(PR_SET_SECCOMP)`` (a further filter only restricts), ``landlock_*``
(likewise), ``socketpair(AF_UNIX)``, ``memfd_create``, ``pipe``, ``fork``/threads/``execve``.

Argument checks read the low 32 bits of the 64-bit argument slot, which is what the kernel uses for these
``int`` parameters (``clone``'s flags go through ``lower_32_bits`` too), so high garbage bits cannot slip past.

Cost: the program (84 instructions on x86_64, 80 on aarch64) is a binary search over the ~65 runs of equal verdict
in the numbering (about 7 comparisons), and since Linux 5.11 the kernel's seccomp action cache skips the filter
entirely for calls whose verdict does not depend on arguments (all but socket, socketpair, ioctl, clone,
personality). Installing costs what any filter costs plus a little: the kernel validates, translates and JIT-compiles
the program at every install, and the floor (a one-instruction filter) is most of the price. Measured on a 2-vCPU
VM (Linux 6.18): about 25-35 us of kernel time for a one-instruction filter, 45-65 us for this one, and the first
``ctypes`` call in a freshly forked child adds ~20 us of copy-on-write faults; the fork+exit of a unit grows by
~90 us (5%). A unit forked ahead of its run (warm) can install right after ``PR_SET_NO_NEW_PRIVS``, before it
blocks for its payload: nothing a unit does before the program runs (``read``, ``setrlimit``, ``chdir``) is denied.
The filter is installed with flags 0, so the kernel's Spectre mitigation policy for seccomp'd tasks applies as the
host configured it (``spec_store_bypass_disable=seccomp`` on kernels before 5.16 would force SSBD on units).
``benchmarks/seccomp_cost.py`` measures the install and per-call costs.
"""

from __future__ import annotations

import ctypes
import errno as _errno
import os
import sys

__all__ = ["supported", "prepare", "install", "DENIED", "RESTRICTED", "NUMBERS", "ARCH"]

# ---------------------------------------------------------------------------------------------------------------
# Kernel constants.
# ---------------------------------------------------------------------------------------------------------------

PR_SET_NO_NEW_PRIVS = 38
PR_GET_SECCOMP = 21
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

SECCOMP_RET_KILL_PROCESS = 0x80000000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_ALLOW = 0x7FFF0000

AUDIT_ARCH_X86_64 = 0xC000003E  # EM_X86_64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
AUDIT_ARCH_AARCH64 = 0xC00000B7  # EM_AARCH64 | __AUDIT_ARCH_64BIT | __AUDIT_ARCH_LE
X32_SYSCALL_BIT = 0x40000000

# Classic BPF opcodes.
BPF_LD_W_ABS = 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JMP_JEQ_K = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JMP_JGE_K = 0x35  # BPF_JMP | BPF_JGE | BPF_K
BPF_JMP_JSET_K = 0x45  # BPF_JMP | BPF_JSET | BPF_K
BPF_RET_K = 0x06  # BPF_RET | BPF_K

# struct seccomp_data { int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6]; } (little-endian only).
OFF_NR = 0
OFF_ARCH = 4


def _arg_lo(i: int) -> int:
    return 16 + 8 * i


AF_UNIX = 1
AF_INET = 2
AF_INET6 = 10
SIOCSIFFLAGS = 0x8914
PER_LINUX = 0
PER_QUERY = 0xFFFFFFFF
CLONE_NEWNS = 0x00020000
CLONE_NEWCGROUP = 0x02000000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
CLONE_NS_FLAGS = (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID
                  | CLONE_NEWNET)

# ---------------------------------------------------------------------------------------------------------------
# System-call numbers: x86_64 from arch/x86/entry/syscalls/syscall_64.tbl (asm/unistd_64.h), aarch64 from
# include/uapi/asm-generic/unistd.h. Only the calls the filter names.
# ---------------------------------------------------------------------------------------------------------------

_X86_64 = {
    # System V IPC, POSIX message queues
    "shmget": 29, "shmat": 30, "shmctl": 31, "shmdt": 67,
    "semget": 64, "semop": 65, "semctl": 66, "semtimedop": 220,
    "msgget": 68, "msgsnd": 69, "msgrcv": 70, "msgctl": 71,
    "mq_open": 240, "mq_unlink": 241, "mq_timedsend": 242, "mq_timedreceive": 243, "mq_notify": 244,
    "mq_getsetattr": 245,
    # host name, key rings
    "sethostname": 170, "setdomainname": 171,
    "add_key": 248, "request_key": 249, "keyctl": 250,
    # namespaces and mounts
    "unshare": 272, "setns": 308, "mount": 165, "umount2": 166, "pivot_root": 155, "chroot": 161,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442,
    # other processes
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "process_madvise": 440,
    "pidfd_getfd": 438, "kcmp": 312,
    # kernel attack surface
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "kexec_load": 246, "kexec_file_load": 320, "init_module": 175, "finit_module": 313, "delete_module": 176,
    "open_by_handle_at": 304, "name_to_handle_at": 303, "swapon": 167, "swapoff": 168, "reboot": 169,
    "acct": 163, "quotactl": 179, "quotactl_fd": 443, "fanotify_init": 300, "syslog": 103, "vhangup": 153,
    "lookup_dcookie": 212, "nfsservctl": 180,
    # x86_64 legacy
    "iopl": 172, "ioperm": 173, "modify_ldt": 154, "uselib": 134, "ustat": 136, "sysfs": 139, "_sysctl": 156,
    "create_module": 174, "get_kernel_syms": 177, "query_module": 178,
    # shared files as channels: locks, change notifications, file-system usage
    "flock": 73, "inotify_init": 253, "inotify_init1": 294, "inotify_add_watch": 254, "fanotify_mark": 301,
    "statfs": 137,
    # argument checks
    "socket": 41, "socketpair": 53, "ioctl": 16, "clone": 56, "clone3": 435, "personality": 135, "fcntl": 72,
}

_AARCH64 = {
    "shmget": 194, "shmctl": 195, "shmat": 196, "shmdt": 197,
    "semget": 190, "semctl": 191, "semtimedop": 192, "semop": 193,
    "msgget": 186, "msgctl": 187, "msgrcv": 188, "msgsnd": 189,
    "mq_open": 180, "mq_unlink": 181, "mq_timedsend": 182, "mq_timedreceive": 183, "mq_notify": 184,
    "mq_getsetattr": 185,
    "sethostname": 161, "setdomainname": 162,
    "add_key": 217, "request_key": 218, "keyctl": 219,
    "unshare": 97, "setns": 268, "mount": 40, "umount2": 39, "pivot_root": 41, "chroot": 51,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442,
    "ptrace": 117, "process_vm_readv": 270, "process_vm_writev": 271, "process_madvise": 440,
    "pidfd_getfd": 438, "kcmp": 272,
    "bpf": 280, "perf_event_open": 241, "userfaultfd": 282,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "kexec_load": 104, "kexec_file_load": 294, "init_module": 105, "finit_module": 273, "delete_module": 106,
    "open_by_handle_at": 265, "name_to_handle_at": 264, "swapon": 224, "swapoff": 225, "reboot": 142,
    "acct": 89, "quotactl": 60, "quotactl_fd": 443, "fanotify_init": 262, "syslog": 116, "vhangup": 58,
    "lookup_dcookie": 18, "nfsservctl": 42,
    "flock": 32, "inotify_init1": 26, "inotify_add_watch": 27, "fanotify_mark": 263, "statfs": 43,
    "socket": 198, "socketpair": 199, "ioctl": 29, "clone": 220, "clone3": 435, "personality": 92, "fcntl": 25,
}

TABLES = {"x86_64": _X86_64, "aarch64": _AARCH64}
AUDIT_ARCHES = {"x86_64": AUDIT_ARCH_X86_64, "aarch64": AUDIT_ARCH_AARCH64}

# Calls with an argument check: name -> what is denied. Everything in a table that is not here is denied outright.
RESTRICTED: dict[str, str] = {
    "socket": "any family but AF_INET/AF_INET6 (EPERM)",
    "socketpair": "any family but AF_UNIX (EPERM)",
    "ioctl": "SIOCSIFFLAGS (EPERM)",
    "clone": "namespace flags CLONE_NEWNS|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET|NEWCGROUP (EPERM)",
    "clone3": "always, with ENOSYS so that glibc falls back to clone",
    "personality": "anything but a query (0xffffffff) or PER_LINUX (EPERM)",
    "fcntl": "record locks, leases and directory notifications: F_GETLK/F_SETLK/F_SETLKW, their OFD forms, "
             "F_SETLEASE/F_GETLEASE, F_NOTIFY (EPERM)",
}


def _denied_for(arch: str) -> tuple[str, ...]:
    return tuple(name for name in TABLES[arch] if name not in RESTRICTED)


def _machine() -> str:
    m = os.uname().machine.lower() if hasattr(os, "uname") else ""
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(m, m)


ARCH = _machine()
# Names of the calls denied outright on this machine (x86_64's list when the machine is not supported, for docs).
DENIED: tuple[str, ...] = _denied_for(ARCH if ARCH in TABLES else "x86_64")
# This machine's numbers of every call the filter names (empty when unsupported).
NUMBERS: dict[str, int] = dict(TABLES.get(ARCH, {}))

# ---------------------------------------------------------------------------------------------------------------
# Assembler.
# ---------------------------------------------------------------------------------------------------------------


#: fcntl commands that share state between processes through a file both can open (read-only suffices): POSIX and
#: open-file-description record locks, leases, directory change notification.
FCNTL_DENIED = (5, 6, 7, 36, 37, 38, 1024, 1025, 1026)


class SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(SockFilter))]


def _ret(action: int, err: int = 0) -> tuple:
    return (BPF_RET_K, 0, 0, action | err)


def segments(arch: str) -> list[tuple[int, str]]:
    """The number line ``0 .. 2**32-1`` cut into runs of equal verdict: ``[(first_nr, label), ...]``, where a label
    is ``"allow"``, ``"eperm"`` or the name of a call with an argument check."""
    table = TABLES[arch]
    verdict = {nr: ("eperm" if name not in RESTRICTED else name) for name, nr in table.items()}
    if len(verdict) != len(table):
        raise AssertionError(f"duplicate system-call numbers in the {arch} table")
    segs: list[tuple[int, str]] = [(0, "allow")]

    def put(nr: int, lab: str) -> None:
        if segs[-1][1] != lab:
            if segs[-1][0] == nr:
                segs[-1] = (nr, lab)
                if len(segs) > 1 and segs[-2][1] == lab:
                    segs.pop()
            else:
                segs.append((nr, lab))

    for nr in sorted(verdict):
        put(nr, verdict[nr])
        put(nr + 1, "allow")
    if arch == "x86_64":  # the x32 ABI: every number with __X32_SYSCALL_BIT, and everything above
        put(X32_SYSCALL_BIT, "eperm")
    return segs


def build(arch: str) -> list[tuple[int, int, int, int]]:
    """The filter for ``arch`` as a list of ``(code, jt, jf, k)`` instructions.

    Layout: check the architecture (else kill), load the number, binary search over :func:`segments` (one
    ``JGE`` per boundary, whose branches go straight to the verdicts: about 7 comparisons), then the argument
    checks and the shared verdicts. Short programs matter: the kernel validates, translates and JIT-compiles the
    program at every install (about 0.1 us per instruction), and only forward jumps of at most 255 exist."""
    segs = segments(arch)
    code: list = []
    labels: dict[str, int] = {}
    counter = [0]

    def label(name: str) -> None:
        labels[name] = len(code)

    code.append((BPF_LD_W_ABS, 0, 0, OFF_ARCH))
    code.append((BPF_JMP_JEQ_K, 1, 0, AUDIT_ARCHES[arch]))
    code.append(_ret(SECCOMP_RET_KILL_PROCESS))
    code.append((BPF_LD_W_ABS, 0, 0, OFF_NR))

    def tree(i: int, j: int) -> str:
        # Segments i..j-1; returns the label to jump to. A single segment is its verdict, with no instruction.
        if j - i == 1:
            return segs[i][1]
        mid = (i + j) // 2
        counter[0] += 1
        here = f"L{counter[0]}"
        label(here)
        at = len(code)
        code.append(None)
        left = tree(i, mid)
        right = tree(mid, j)
        code[at] = (BPF_JMP_JGE_K, right, left, segs[mid][0])
        return here

    tree(0, len(segs))  # at least "allow" below the first denied number and one more segment: a JGE at index 4

    # Argument checks, then the shared verdicts last: classic BPF only jumps forward.
    label("clone3")
    code.append(_ret(SECCOMP_RET_ERRNO, _errno.ENOSYS))
    label("socket")
    code.append((BPF_LD_W_ABS, 0, 0, _arg_lo(0)))
    code.append((BPF_JMP_JEQ_K, "allow", 0, AF_INET))
    code.append((BPF_JMP_JEQ_K, "allow", "eperm", AF_INET6))
    label("socketpair")
    code.append((BPF_LD_W_ABS, 0, 0, _arg_lo(0)))
    code.append((BPF_JMP_JEQ_K, "allow", "eperm", AF_UNIX))
    label("ioctl")
    code.append((BPF_LD_W_ABS, 0, 0, _arg_lo(1)))
    code.append((BPF_JMP_JEQ_K, "eperm", "allow", SIOCSIFFLAGS))
    label("clone")
    code.append((BPF_LD_W_ABS, 0, 0, _arg_lo(0)))
    code.append((BPF_JMP_JSET_K, "eperm", "allow", CLONE_NS_FLAGS))
    label("fcntl")
    code.append((BPF_LD_W_ABS, 0, 0, _arg_lo(1)))
    for number in FCNTL_DENIED[:-1]:
        code.append((BPF_JMP_JEQ_K, "eperm", 0, number))
    code.append((BPF_JMP_JEQ_K, "eperm", "allow", FCNTL_DENIED[-1]))
    label("personality")
    code.append((BPF_LD_W_ABS, 0, 0, _arg_lo(0)))
    code.append((BPF_JMP_JEQ_K, "allow", 0, PER_QUERY))
    code.append((BPF_JMP_JEQ_K, "allow", "eperm", PER_LINUX))
    label("eperm")
    code.append(_ret(SECCOMP_RET_ERRNO, _errno.EPERM))
    label("allow")
    code.append(_ret(SECCOMP_RET_ALLOW))

    out = []
    for pc, (op, jt, jf, k) in enumerate(code):
        if op & 0x07 == 0x05:  # BPF_JMP: resolve labels; conditional offsets are 8-bit
            jt = labels[jt] - pc - 1 if isinstance(jt, str) else jt
            jf = labels[jf] - pc - 1 if isinstance(jf, str) else jf
            if not (0 <= jt <= 255 and 0 <= jf <= 255):
                raise AssertionError(f"jump out of range at {pc}: {jt}/{jf} (program of {len(code)})")
        out.append((op, jt, jf, k))
    if len(out) > 4096:  # BPF_MAXINSNS
        raise AssertionError("filter too long")
    return out


# ---------------------------------------------------------------------------------------------------------------
# Installation.
# ---------------------------------------------------------------------------------------------------------------

_libc = None
_prctl = None
_filter = None  # the SockFilter array: must stay alive as long as _prog points at it
_prog = None
_prog_ref = None  # ctypes.byref(_prog), prebuilt
_why_not: str | None = None


def _load_libc() -> None:
    global _libc, _prctl
    if _prctl is not None:
        return
    _libc = ctypes.CDLL(None, use_errno=True)
    fn = _libc.prctl
    fn.restype = ctypes.c_int
    fn.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    _prctl = fn


def supported() -> tuple[bool, str]:
    """``(True, "")`` when this machine can install the filter, else ``(False, why)``."""
    global _why_not
    if _why_not is not None:
        return (not _why_not, _why_not)
    why = ""
    if not sys.platform.startswith("linux"):
        why = f"seccomp needs Linux, not {sys.platform}"
    elif ARCH not in TABLES:
        why = f"no system-call table for architecture {ARCH!r} (only x86_64 and aarch64)"
    elif ctypes.sizeof(ctypes.c_void_p) != 8 or sys.byteorder != "little":
        why = "the filter is written for a 64-bit little-endian process"
    else:
        try:
            _load_libc()
            ctypes.set_errno(0)
            mode = _prctl(PR_GET_SECCOMP, 0, None, 0, 0)
            if mode < 0:
                e = ctypes.get_errno()
                why = f"prctl(PR_GET_SECCOMP) failed: {os.strerror(e)} (kernel without CONFIG_SECCOMP?)"
            elif mode == 1:
                why = "the process is in seccomp strict mode"
        except (OSError, AttributeError) as exc:
            why = f"cannot reach prctl through ctypes: {exc}"
    _why_not = why
    return (not why, why)


def prepare() -> None:
    """Build the BPF program for this machine once (idempotent). Raises ``OSError`` when unsupported."""
    global _filter, _prog, _prog_ref
    if _prog is not None:
        return
    ok, why = supported()
    if not ok:
        raise OSError(_errno.ENOSYS, f"seccomp filter unavailable: {why}")
    insns = build(ARCH)
    arr = (SockFilter * len(insns))(*[SockFilter(op, jt, jf, k) for op, jt, jf, k in insns])
    prog = SockFprog(len(insns), ctypes.cast(arr, ctypes.POINTER(SockFilter)))
    _filter = arr
    _prog = prog
    _prog_ref = ctypes.byref(prog)


def install() -> None:
    """Install the filter in the calling process (a unit, single-threaded). Needs ``no_new_privs`` (or
    ``CAP_SYS_ADMIN``); raises ``OSError`` on failure. One ``prctl`` on the prebuilt program."""
    if _prog_ref is None:
        prepare()
    if _prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, _prog_ref, 0, 0) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"prctl(PR_SET_SECCOMP): {os.strerror(e)}")


try:  # build at import so that forked units only make the one call
    if supported()[0]:
        prepare()
except Exception:  # noqa: BLE001 - never fail the import; install()/prepare() report the error
    pass
