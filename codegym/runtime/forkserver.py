"""The fork server (zygote) and the unit set-up it forks: the local backend's process that never imports codegym.

Started as ``python -I -c "<bootstrap>" --server FD HIDE [--no-namespaces]`` (see ``codegym.sandbox.local``): it
imports this runtime package and the modules programs commonly use, enters its namespaces and minimal root
(``isolation``), and forks one unit per ``spawn`` message. A unit (``unit_child``) drops to its run's uid, closes
every inherited descriptor, sets no_new_privs, reads its payload, applies the run's limits and the system-call
filter (``seccomp``), and only then becomes a candidate (the program) or a harness (the test code).
"""

import _signal  # the C module: signal.signal's enum conversions would touch (and copy) many pages in a unit
import json
import os
import select
import signal
import socket
import struct
import sys

from . import seccomp
from .isolation import (
    PRELOAD_MODULES,
    SCRATCH,
    ScratchDirs,
    set_run_environment,
    setup_isolation,
)
from .linux import (
    CLONE_NEWPID,
    PR_SET_CHILD_SUBREAPER,
    PR_SET_PDEATHSIG,
    name_buffer,
    prctl,
    prepare_raw_fork,
    raw_fork,
    set_process_name,
    setns,
    unshare,
)
from .unit import SETUP_FAILED, become_unit

UNIT_NAME = name_buffer("codegym-unit")
_SIGCHLD = int(signal.SIGCHLD)
_SIG_DFL = int(signal.SIG_DFL)
_devnull_fd = None  # opened once by the fork server; a unit makes it its stdin


def _prepare_seccomp(iso):
    """Build the unit filter once; a host that cannot load it runs without (and says so)."""
    ok, why = seccomp.supported()
    if ok:
        try:
            seccomp.prepare()
            return True
        except OSError as exc:
            why = str(exc)
    iso.warnings.append(f"no system-call filter ({why}): concurrent runs share the IPC and network namespaces")
    return False


def unit_child(spec, fds, iso):
    """Runs in the forked unit: undo what the zygote changed, then ``unit.become_unit``. Never returns."""
    try:
        set_process_name(UNIT_NAME)
        # Everything else keeps Python's usual dispositions (SIGPIPE and SIGXFSZ ignored, so a closed pipe or
        # RLIMIT_FSIZE raises an OSError instead of killing the program). The wakeup fd must go: its number is about
        # to be closed and could be reused by a file the program opens.
        _signal.set_wakeup_fd(-1)
        _signal.signal(_SIGCHLD, _SIG_DFL)
        if iso.mountns:
            # The zygote mounted this run's scratch before forking us. /proc stays an empty directory: mounting one
            # per run costs time, and a program has no business there.
            workdir = f"{SCRATCH}/{int(spec['uid'])}/w"  # (ScratchDirs.path)
        else:
            workdir = spec.get("workdir") or "/tmp"
            os.setsid()
        stdin_fd = _devnull_fd if _devnull_fd is not None else os.open("/dev/null", os.O_RDONLY)
        if len(fds) > 5:  # the run's memory cgroup: join it before anything of the run exists (see cgroups.py)
            os.write(fds[5], b"0")
            os.close(fds[5])
    except BaseException:
        os._exit(SETUP_FAILED)
    become_unit(fds[:5], workdir=workdir, uid=int(spec["uid"]) if iso.switch_uid else None, use_seccomp=iso.seccomp,
                stdin_fd=stdin_fd, fallback_limits=spec["limits"], fallback_tests=spec.get("n_tests"),
                nproc=iso.switch_uid)


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
    iso.seccomp = _prepare_seccomp(iso)
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


def main(argv):
    if len(argv) >= 3 and argv[1] == "--server":
        hide = [h for h in (argv[3].split(os.pathsep) if len(argv) > 3 else []) if h]
        serve(int(argv[2]), hide, namespaces="--no-namespaces" not in argv[4:])
        return 0
    print("usage: forkserver --server FD [HIDE_PATHS] [--no-namespaces]", file=sys.stderr)
    return 2
