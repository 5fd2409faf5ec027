"""What every unit does between its fork and its role, for both hosts (the fork server and a container's server).

A unit makes its pipes its standard streams, closes every other inherited descriptor, drops to its uid, sets
no_new_privs, installs the system-call filter (before the payload: a warm unit has it in place while it waits),
reads its payload, applies the run's limits, and only then becomes a candidate (the program) or a harness (the
test code). Nothing here ever returns to the host's code: a unit that cannot be prepared exits with status 70
before running anything (the supervisor reports the exit; nothing a unit writes can claim a sandbox error).
"""

import os

from . import candidate, harness, seccomp
from .framing import read_frame
from .isolation import set_rlimits, set_run_environment
from .linux import PR_SET_NO_NEW_PRIVS, prctl

#: Exit status of a unit that could not be prepared.
SETUP_FAILED = 70


def close_inherited(keep):
    """Close every descriptor from 3 up except ``keep`` (the host's control socket above all)."""
    low = 3
    for fd in sorted(set(keep)):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)


def become_unit(fds, *, workdir, uid, use_seccomp, stdin_fd, fallback_limits, fallback_tests, nproc):
    """Prepare this freshly forked process and run its role; never returns.

    ``fds``: input_r, result_w, stdout_w, stderr_w, link_sock (the Unix socket through which the supervisor hands
    a candidate and its harness the ends of their direct channel). ``uid``: the uid to drop to, or None (no
    switch). ``stdin_fd``: what stdin becomes until a stdio run gives it its input.
    """
    input_r, result_w, stdout_w, stderr_w, link_sock = fds
    try:
        os.chdir(workdir)
        os.dup2(stdout_w, 1)
        os.dup2(stderr_w, 2)
        os.dup2(stdin_fd, 0)
        close_inherited((input_r, result_w, link_sock))
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        try:
            prctl(PR_SET_NO_NEW_PRIVS, 1)
        except OSError:
            pass
        if use_seccomp:
            seccomp.install()
        set_run_environment(workdir)
        # The unit may have been forked ahead of its run (a warm unit), so the run's own limits come with the
        # payload; the limits it was started with are the fallback. Either way they are in force before any of
        # the program's code runs.
        payload = read_frame(input_r)
        set_rlimits(dict(payload.get("limits") or fallback_limits, nproc=nproc),
                    payload.get("n_tests") or fallback_tests or 1)
        serve = harness.serve if payload.get("role") == "harness" else candidate.serve
    except BaseException:
        os._exit(SETUP_FAILED)
    serve(payload, input_r, result_w, link_sock)
    os._exit(0)
