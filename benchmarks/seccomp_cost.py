"""What the per-unit seccomp filter costs: installing it, and every system call made under it.

Usage: ``python benchmarks/seccomp_cost.py [--rounds 2000] [--calls 5000] [--repeats 15]``

* fork+exit: a child that sets no_new_privs, optionally installs the filter, reports and exits; the parent times
  fork to reap. Medians over ``--rounds`` children of each kind (interleaved), their ratio, and the time of the
  ``install()`` call itself measured inside the child. A one-instruction filter gives the kernel's floor: what
  installing any filter costs, as against what the size of this one adds.
* allowed calls: ``--calls`` calls of ``os.getpid()``, ``os.stat("/")`` (the kernel's seccomp action cache, Linux
  5.11+, skips the filter for these) and ``os.isatty()`` on a pipe (``ioctl``, whose argument the filter checks,
  so the whole program runs on every call), in a child with and without the filter; median of ``--repeats``.

Linux, x86_64 or aarch64 only. Prints a table; asserts nothing about times.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import platform
import statistics
import struct
import sys
import time

try:
    from codegym.runtime import seccomp
except ImportError:  # run from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "codegym", "sandbox", "runtime"))
    import seccomp  # type: ignore[no-redef]

PR_SET_NO_NEW_PRIVS = 38
_libc = ctypes.CDLL(None, use_errno=True)


# A one-instruction "allow everything" filter: what any filter costs to install (the kernel's floor).
_ONE = (seccomp.SockFilter * 1)(seccomp.SockFilter(0x06, 0, 0, 0x7FFF0000))
_ONE_PROG = seccomp.SockFprog(1, ctypes.cast(_ONE, ctypes.POINTER(seccomp.SockFilter)))
_ONE_REF = ctypes.byref(_ONE_PROG)


def _install_trivial() -> None:
    if seccomp._prctl(seccomp.PR_SET_SECCOMP, seccomp.SECCOMP_MODE_FILTER, _ONE_REF, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_SECCOMP)")


def _child_fork_exit(kind: int, w: int) -> None:
    try:
        _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        t0 = time.perf_counter_ns()
        if kind == 1:
            seccomp.install()
        elif kind == 2:
            _install_trivial()
        dt = time.perf_counter_ns() - t0
        os.write(w, struct.pack("q", dt))
    finally:
        os._exit(0)


def fork_exit(rounds: int) -> dict:
    """kind 0: no filter, 1: this filter, 2: a one-instruction filter; interleaved."""
    times: list[list[int]] = [[], [], []]
    installs: list[list[int]] = [[], [], []]
    r, w = os.pipe()
    try:
        for i in range(3 * rounds):
            kind = i % 3
            t0 = time.perf_counter_ns()
            pid = os.fork()
            if pid == 0:
                _child_fork_exit(kind, w)
            os.waitpid(pid, 0)
            times[kind].append(time.perf_counter_ns() - t0)
            installs[kind].append(struct.unpack("q", os.read(r, 8))[0])
    finally:
        os.close(r)
        os.close(w)
    med = statistics.median
    return {"plain_us": med(times[0]) / 1e3, "filtered_us": med(times[1]) / 1e3, "trivial_us": med(times[2]) / 1e3,
            "install_us": med(installs[1]) / 1e3, "install_p90_us": sorted(installs[1])[int(0.9 * rounds)] / 1e3,
            "trivial_install_us": med(installs[2]) / 1e3}


def _loop(kind: str, calls: int, fd: int) -> int:
    if kind == "getpid":
        f, args = os.getpid, ()
    elif kind == "stat":
        f, args = os.stat, ("/",)
    else:
        f, args = os.isatty, (fd,)
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        f(*args)
    return time.perf_counter_ns() - t0


def syscalls(filtered: bool, calls: int, repeats: int) -> dict:
    """Per-call nanoseconds, measured in one child."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(r)
            _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
            if filtered:
                seccomp.install()
            pr, pw = os.pipe()
            out = []
            for kind in ("getpid", "stat", "isatty"):
                _loop(kind, calls // 10, pr)  # warm up
                out.append(statistics.median(_loop(kind, calls, pr) for _ in range(repeats)) / calls)
            os.write(w, struct.pack("3d", *out))
        finally:
            os._exit(0)
    os.close(w)
    data = os.read(r, 24)
    os.close(r)
    os.waitpid(pid, 0)
    return dict(zip(("getpid", "stat", "isatty"), struct.unpack("3d", data)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    ok, why = seccomp.supported()
    if not ok:
        print(f"seccomp filter unsupported here: {why}")
        return 1
    t0 = time.perf_counter_ns()
    n = len(seccomp.build(seccomp.ARCH))
    build_us = (time.perf_counter_ns() - t0) / 1e3
    seccomp.prepare()
    print(f"kernel {platform.release()} {seccomp.ARCH}; filter of {n} instructions, {len(seccomp.DENIED)} calls "
          f"denied outright (+{len(seccomp.RESTRICTED)} by argument); building it took {build_us:.0f} us "
          f"(once per fork server)")
    fe = fork_exit(args.rounds)
    # Interleave the syscall children too, and keep the median over a few pairs.
    pairs = [(syscalls(False, args.calls, args.repeats), syscalls(True, args.calls, args.repeats)) for _ in range(3)]
    plain = {k: statistics.median(p[0][k] for p in pairs) for k in pairs[0][0]}
    filt = {k: statistics.median(p[1][k] for p in pairs) for k in pairs[0][0]}

    rows = [("fork + exit child (us)", fe["plain_us"], fe["filtered_us"]),
            ("  same, 1-instruction filter (us)", fe["plain_us"], fe["trivial_us"])]
    rows += [(f"os.{k}() per call (ns){' *' if k == 'isatty' else ''}", plain[k], filt[k]) for k in plain]
    print()
    print(f"{'measure':34} {'no filter':>11} {'filter':>11} {'ratio':>7}")
    print("-" * 66)
    for name, a, b in rows:
        print(f"{name:34} {a:11.2f} {b:11.2f} {b / a:7.3f}")
    print("-" * 66)
    print(f"install() inside the child: median {fe['install_us']:.2f} us, p90 {fe['install_p90_us']:.2f} us "
          f"({args.rounds} children of each kind); a 1-instruction filter: {fe['trivial_install_us']:.2f} us")
    print(f"fork+exit difference: {fe['filtered_us'] - fe['plain_us']:.1f} us per unit with this filter, "
          f"{fe['trivial_us'] - fe['plain_us']:.1f} us with a 1-instruction one")
    print("* ioctl: the filter inspects its argument, so the whole BPF program runs on each call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
