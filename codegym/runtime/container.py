"""The Docker backend's in-container run server: one per container, started as root by ``exec`` and kept attached.

The host sends this runtime package once (as the artefact from :func:`codegym.runtime.artefact`, loaded by
the bootstrap in ``codegym.sandbox.docker``), then one framed request per run on stdin. For each run the server forks
a fresh supervisor child (:func:`run_once`), which forks the units (candidate, harness, stdio runs) under
unprivileged uids and drives them exactly as the local backend does (``supervisor``); the server then kills every
process left in the container, wipes the scratch, counts leftover IPC objects and OOM kills, and writes two frames
to stdout: the raw observations and a trailer describing the clean-up. Units close every inherited descriptor, so
they reach neither stream.
"""

import gc
import importlib
import os
import shutil
import signal
import socket
import struct
import sys
import time

from . import seccomp
from .framing import dump_json, frame_raw, load_json, read_exact, write_all
from .isolation import PRELOAD_MODULES
from .linux import PR_SET_CHILD_SUBREAPER, prctl
from .supervisor import run_request
from .unit import SETUP_FAILED, become_unit
from .units import UnitHandle

#: Harness units run under the run's uid plus this offset: never the candidate's uid, never another container's.
HARNESS_UID_OFFSET = 1_000_000
_MAX_REQUEST = 1 << 30


def _oom_count():
    for path, key in (("/sys/fs/cgroup/memory.events", "oom_kill"),
                      ("/sys/fs/cgroup/memory/memory.oom_control", "oom_kill")):
        try:
            with open(path) as f:
                for line in f:
                    k, _, v = line.partition(" ")
                    if k == key:
                        return int(v)
        except (OSError, ValueError):
            pass
    return None


def _unit(spec, fds, use_seccomp):
    """A forked unit inside the container: its own session, workdir and uid, then ``unit.become_unit``."""
    try:
        os.setsid()
        stdin_fd = os.open("/dev/null", os.O_RDONLY)
    except BaseException:
        os._exit(SETUP_FAILED)
    become_unit(fds, workdir=spec["workdir"], uid=int(spec["uid"]) if os.geteuid() == 0 else None,
                use_seccomp=use_seccomp, stdin_fd=stdin_fd, fallback_limits=spec["limits"], fallback_tests=1,
                nproc=True)


def run_once(request):
    """Run one wire request with units forked from this process; returns the raw observations."""
    try:
        prctl(PR_SET_CHILD_SUBREAPER, 1)
    except OSError:
        pass
    use_seccomp = seccomp.supported()[0]
    if use_seccomp:
        seccomp.prepare()
    workroot = request.get("workdir") or "/tmp"
    counter = [0]
    spawned = []

    def spawn(spec):
        counter[0] += 1
        uid = int(request.get("uid", 65534)) + (HARNESS_UID_OFFSET if spec.get("role") == "harness" else 0)
        workdir = os.path.join(workroot, f"unit{counter[0]}")
        os.makedirs(workdir, mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(workdir, uid, uid)
        spec = dict(spec, workdir=workdir, uid=uid)
        in_r, in_w = os.pipe()
        res_r, res_w = os.pipe()
        so_r, so_w = os.pipe()
        se_r, se_w = os.pipe()
        link_parent, link_child = (s.detach() for s in socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM))
        pid = os.fork()
        if pid == 0:
            for f in (in_w, res_r, so_r, se_r, link_parent):
                os.close(f)
            _unit(spec, (in_r, res_w, so_w, se_w, link_child), use_seccomp)
        for f in (in_r, res_w, so_w, se_w, link_child):
            os.close(f)
        spawned.append(pid)

        def wait_exit(timeout):
            end = time.monotonic() + timeout
            while True:
                p, status, ru = os.wait4(pid, os.WNOHANG)
                if p == pid:
                    try:  # the unit's session: anything it left behind dies with it
                        os.killpg(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
                    return status, {"utime": ru.ru_utime, "stime": ru.ru_stime, "maxrss": ru.ru_maxrss}
                if time.monotonic() > end:
                    return None
                time.sleep(0.002)

        return UnitHandle(pid, in_w, res_r, so_r, se_r, wait_exit, link_sock=link_parent)

    raw = run_request(request, spawn)
    raw["isolation"] = "container"
    try:
        while os.wait4(-1, os.WNOHANG)[0] > 0:
            pass
    except ChildProcessError:
        pass
    return raw


def _clean(me, trailer):
    """Kill every process but PID 1 and this server, empty the scratch, count what IPC objects are left."""
    for _ in range(5):
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
        if not pids:
            break
        trailer["leftover"] = max(trailer["leftover"], len(pids))
        for p in pids:
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.02)
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            pass
    for d in ("/tmp", "/dev/mqueue"):
        try:
            names = os.listdir(d)
        except OSError:
            continue
        for n in names:
            p = os.path.join(d, n)
            try:
                if os.path.isdir(p) and not os.path.islink(p):
                    shutil.rmtree(p)
                else:
                    os.unlink(p)
            except OSError as exc:
                trailer["error"] = trailer["error"] or f"clean-up: {exc}"
    try:
        trailer["ipc"] += len(os.listdir("/dev/mqueue"))
    except OSError:
        pass
    for kind in ("shm", "msg", "sem"):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                trailer["ipc"] += max(0, len(f.read().splitlines()) - 1)
        except OSError:
            pass


def serve():
    """The run server's loop (stdin: framed requests; stdout: framed replies and trailers)."""
    for name in PRELOAD_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module the image lacks
            pass
    gc.collect()
    gc.freeze()
    write_all(1, frame_raw(dump_json({"ready": 1, "python": sys.version.split()[0]})))
    me = os.getpid()
    while True:
        try:
            (n,) = struct.unpack(">I", read_exact(0, 4))
            request_bytes = read_exact(0, n)
        except EOFError:
            os._exit(0)
        oom0 = _oom_count()
        trailer = {"trailer": 1, "error": None, "leftover": 0, "ipc": 0}
        rep_r, rep_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(rep_r)
                os.dup2(2, 1)  # nothing a unit prints can reach the server's stdout
                raw = run_once(load_json(request_bytes))
                write_all(rep_w, dump_json(raw))
            except BaseException as exc:
                try:
                    os.write(2, f"supervisor failed: {type(exc).__name__}: {exc}\n".encode())
                except OSError:
                    pass
                os._exit(70)
            os._exit(0)
        os.close(rep_w)
        chunks = []
        while True:
            c = os.read(rep_r, 1 << 16)
            if not c:
                break
            chunks.append(c)
        os.close(rep_r)
        _, status = os.waitpid(pid, 0)
        if status != 0:
            trailer["error"] = f"supervisor exit status {status}"
        _clean(me, trailer)
        oom1 = _oom_count()
        trailer["oom_kills"] = (oom1 - oom0) if (oom0 is not None and oom1 is not None) else None
        write_all(1, frame_raw(b"".join(chunks)))
        write_all(1, frame_raw(dump_json(trailer)))


__all__ = ["serve", "run_once"]
