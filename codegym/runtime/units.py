"""Units as the supervisor sees them: a host's handle on a started unit, and the supervisor's state for it.

A host (the fork server's client in the local backend, a container's run server) starts a unit and returns a
:class:`UnitHandle`: its pid and the parent's ends of its pipes. The supervisor wraps each in a :class:`Unit` that
holds what it read from the pipes (frames, bounded output) and why the unit ended.
"""

import os
import signal

from .framing import FrameReader


class UnitHandle:
    """A running unit: its pid and the parent's ends of its pipes.

    ``link_sock``: the parent's end of a Unix socket pair whose other end the unit holds, used once, to hand a
    candidate and its harness the two ends of their direct channel (``SCM_RIGHTS``); ``None`` when the host has none
    (then assert tests that need a harness cannot run).
    """

    def __init__(self, pid, input_w, result_r, stdout_r, stderr_r, wait_exit, link_sock=None):
        self._pid = pid  # an int, or a callable returning it (the host learns it asynchronously)
        self.input_w = input_w
        self.result_r = result_r
        self.stdout_r = stdout_r
        self.stderr_r = stderr_r
        self.wait_exit = wait_exit  # callable(timeout) -> (status, rusage dict) or None
        self.link_sock = link_sock

    def spawn_error(self):
        """Why the unit could not be started, or None (overridden by hosts that spawn asynchronously)."""
        return None

    #: Whether the host reaps the unit and gives back what it held by itself, so the supervisor need not wait.
    can_detach = False

    def memory_exceeded(self):
        """Whether the host saw the run's memory limit stop the unit (its cgroup's OOM killer); False if unknown."""
        return False

    def detach(self):
        """The supervisor will not wait for this unit's exit (only when ``can_detach``)."""

    @property
    def pid(self):
        if callable(self._pid):
            self._pid = self._pid()
        return self._pid


class Unit:
    """The supervisor's view of one unit: its pipes, buffers, the frames it sent, and why it ended."""

    def __init__(self, handle, role, limits, keep_output):
        self.handle = handle
        self.role = role
        self.reader = FrameReader(int(limits["max_result_bytes"]))
        self.frames = []
        self.out = {handle.stdout_r: bytearray(), handle.stderr_r: bytearray()}
        self.max_output = int(limits["max_output_bytes"]) if keep_output else 1 << 16
        self.kill_on_output = False
        self.pending = bytearray()
        self.open = {handle.result_r, handle.stdout_r, handle.stderr_r}
        self.ended = None  # why it was killed: timeout, output_limit, result_limit, protocol
        self.exit = None
        self.rusage = {}
        self.reported_rusage = None  # the candidate's own last account (informational), when its exit is not awaited
        self.finished = False
        os.set_blocking(handle.input_w, False)

    @property
    def result_open(self):
        return self.handle.result_r in self.open

    def kill(self, reason=None):
        """SIGKILL the unit (its PID namespace dies with it); ``reason`` records why, when it is the first."""
        if reason is not None and self.ended is None:
            self.ended = reason
        pid = self.handle.pid
        if pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def stdout(self):
        return bytes(self.out[self.handle.stdout_r]).decode("utf-8", "replace")

    def stderr(self):
        return bytes(self.out[self.handle.stderr_r]).decode("utf-8", "replace")


def exited_cleanly(status):
    return status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0


def exit_text(status):
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


__all__ = ["Unit", "UnitHandle", "exit_text", "exited_cleanly"]
