"""The trusted supervisor: drives a request's units, enforces every limit from outside, links harness and candidate.

It runs in the host executor (local backend) or in a container's server (Docker backend), never in a unit. For one
request it starts:

* a **candidate** unit (the program) for the call, lifted and assert tests, restarted after a test that killed it;
* a **harness** unit (the test code) when there are assert tests that were not lifted;
* one candidate unit per stdio test.

Every request to a unit carries a fresh random nonce; a reply counts only when it is the one well-formed frame that
answers the outstanding request. A missing, extra, malformed or unsolicited frame fails that test (and the unit is
replaced). Which tests are lifted, which calls were made and which statuses are possible are known here alone: the
candidate's frames carry values and exception reports, nothing that chooses a path. Raw observations come back to the
judge (``codegym.sandbox.judge``), which decodes values with bounds and compares them.

One module on purpose: it is one state machine (a request's function tests, the harness's tests, stdio tests) whose
checks depend on each other, and it reads top to bottom; the units' own bookkeeping is in ``units``.
"""

import os
import select
import signal
import time

from .framing import dump_json, frame_raw, load_json, send_fds
from .units import Unit, exit_text, exited_cleanly

_POLL_IN = select.POLLIN | select.POLLHUP | select.POLLERR


def new_nonce():
    return int.from_bytes(os.urandom(8), "big") >> 1


class Supervisor:
    """Runs one wire request (``codegym.sandbox.verdict.wire_request``) through units from ``spawn(spec)``."""

    def __init__(self, request, spawn, clock=time.monotonic):
        self.request = request
        self.spawn = spawn
        self.clock = clock
        self.limits = request["limits"]
        self.units = []
        self.poller = select.poll()
        self.fd_unit = {}
        self.start = clock()
        self.total_deadline = self.start + float(self.limits["total_s"])
        self.raw = {"tests": {}, "units": 0, "syntax_error": None, "load_error": None, "setup_error": None,
                    "sandbox_error": None, "stdout": "", "stderr": "", "cpu": 0.0, "maxrss_kb": 0}

    # -- the request -----------------------------------------------------------------------------------------------
    def run(self):
        try:
            tests = self.request["tests"]
            function_tests = [t for t in tests if t["kind"] != "stdio"]
            if function_tests:
                self.run_function_tests(function_tests)
            for test in tests:
                if test["kind"] == "stdio" and not self.raw["sandbox_error"]:
                    self.run_stdio_test(test)
        except _SpawnFailed as exc:
            self.raw["sandbox_error"] = f"could not start a unit: {exc}"
        finally:
            for unit in self.units:
                self.finish(unit, "supervisor done")
        return self.raw

    def timeout_of(self, test):
        return float(test.get("timeout_s") or self.limits["timeout_s"])

    def deadline(self, seconds):
        return min(self.clock() + seconds, self.total_deadline)

    # -- units -----------------------------------------------------------------------------------------------------
    def start_unit(self, role, payload, n_tests, keep_output=True):
        remaining = self.total_deadline - self.clock()
        limits = dict(self.limits, total_s=max(0.1, remaining))
        spec = {"limits": limits, "n_tests": n_tests, "workdir": self.request.get("workdir"), "role": role}
        try:
            handle = self.spawn(spec)
        except Exception as exc:  # noqa: BLE001 - reported as sandbox_error
            raise _SpawnFailed(str(exc)) from None
        unit = Unit(handle, role, limits, keep_output)
        self.units.append(unit)
        self.raw["units"] += 1
        for fd in unit.open:
            self.poller.register(fd, _POLL_IN)
            self.fd_unit[fd] = unit
        self.send(unit, dict(payload, role=role, limits=limits, n_tests=n_tests))
        error = handle.spawn_error()
        if error:
            raise _SpawnFailed(error)
        return unit

    def send(self, unit, obj):
        """Queue a frame for a unit; it is written as the unit reads (never blocking the supervisor)."""
        if not unit.finished and unit.handle.input_w is not None:
            unit.pending += frame_raw(dump_json(obj))
            self.flush(unit)

    def flush(self, unit):
        fd = unit.handle.input_w
        try:
            while unit.pending:
                n = os.write(fd, unit.pending[: 1 << 20])
                del unit.pending[:n]
        except BlockingIOError:
            pass
        except OSError:
            unit.pending = bytearray()
        if unit.pending:
            self.poller.register(fd, select.POLLOUT)
            self.fd_unit[fd] = unit
        elif fd in self.fd_unit:
            self.poller.unregister(fd)
            del self.fd_unit[fd]

    def pump(self, deadline, wait=True):
        """One round of waiting for any unit's pipes, up to ``deadline`` (not at all with ``wait=False``);
        dispatches what arrived."""
        wait_ms = max(0, int((deadline - self.clock()) * 1000) + 1) if wait else 0
        if not self.fd_unit:
            time.sleep(min(wait_ms, 50) / 1000.0)
            return
        try:
            events = self.poller.poll(wait_ms)
        except InterruptedError:
            return
        for fd, ev in events:
            unit = self.fd_unit.get(fd)
            if unit is None:
                continue
            if fd == unit.handle.input_w:
                if ev & (select.POLLERR | select.POLLHUP):
                    unit.pending = bytearray()
                self.flush(unit)
                continue
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                self.close_fd(unit, fd)
                continue
            if fd == unit.handle.result_r:
                unit.frames.extend(unit.reader.feed(data))
                if unit.reader.overflow:
                    unit.kill("result_limit")
            else:
                buf = unit.out[fd]
                room = unit.max_output - sum(len(b) for b in unit.out.values())
                buf += data[: max(0, room)]
                if len(data) > room and unit.kill_on_output:
                    unit.kill("output_limit")

    def close_fd(self, unit, fd):
        if fd in unit.open:
            unit.open.discard(fd)
            try:
                self.poller.unregister(fd)
            except (KeyError, ValueError):
                pass
            self.fd_unit.pop(fd, None)
            os.close(fd)

    def next_frame(self, unit, deadline):
        """The unit's next frame, or None when it ended first (``unit.ended`` or its exit says why)."""
        while not unit.frames:
            if not unit.result_open or unit.finished:
                return None
            if self.clock() >= deadline:
                unit.kill("timeout")
                return None
            self.pump(deadline)
        return unit.frames.pop(0)

    def await_reply(self, unit, nonce, deadline):
        """The reply to the outstanding request ``nonce``, parsed; None when the unit ended, timed out or broke
        protocol (then it is killed and ``unit.ended`` says so)."""
        raw = self.next_frame(unit, deadline)
        if raw is None:
            return None
        try:
            reply = load_json(raw)
        except ValueError:
            reply = None
        if not isinstance(reply, dict) or reply.get("n") != nonce or type(reply.get("n")) is not int:
            unit.kill("protocol")
            return None
        ru = reply.get("ru")
        if isinstance(ru, list) and len(ru) == 3 and all(type(x) in (int, float) and 0 <= x < 1e12 for x in ru):
            unit.reported_rusage = {"utime": float(ru[0]), "stime": float(ru[1]), "maxrss": int(ru[2])}
        return reply

    def finish(self, unit, why, wait=True):
        """Kill a unit (if still running), close our ends and collect its exit; idempotent.

        ``wait=False`` (a unit that answered everything asked of it): kill it and go on without waiting for its
        exit; the host gives its uid back once the exit is in and its scratch wiped (``handle.detach``). Frames it
        wrote before that are still checked (an extra report fails the test)."""
        if unit.finished:
            return
        if not wait and unit.ended is None and unit.handle.can_detach:
            self.pump(self.clock(), wait=False)
            unit.kill()
            self.close_ends(unit)
            unit.handle.detach()
            if unit.role == "candidate" and unit.reported_rusage:
                self.account(unit.reported_rusage)
            return
        if unit.open:
            unit.kill()
        deadline = self.clock() + 2.0
        while unit.open and self.clock() < deadline:
            self.pump(deadline)
        self.close_ends(unit)
        info = (unit.exit, unit.rusage) if unit.exit is not None else unit.handle.wait_exit(0.05)
        if info is None:  # still running with its pipes closed: nothing more can come from it
            unit.kill()
            info = unit.handle.wait_exit(5.0)
        if info is not None:
            unit.exit, unit.rusage = info
        if unit.role == "candidate":
            self.account(unit.rusage or {})

    def account(self, ru):
        self.raw["cpu"] += float(ru.get("utime", 0.0)) + float(ru.get("stime", 0.0))
        self.raw["maxrss_kb"] = max(self.raw["maxrss_kb"], int(ru.get("maxrss", 0)))

    def close_ends(self, unit):
        """Close the supervisor's ends of a unit's pipes; the unit is finished for the supervisor from here on."""
        for fd in list(unit.open):
            self.close_fd(unit, fd)
        fd = unit.handle.input_w
        if fd in self.fd_unit:
            self.poller.unregister(fd)
            del self.fd_unit[fd]
        for end in (fd, unit.handle.link_sock):
            if end is not None:
                try:
                    os.close(end)
                except OSError:
                    pass
        unit.handle.link_sock = None
        unit.finished = True

    def end_status(self, unit):
        """Why a unit stopped answering: timeout, output_limit, protocol, or crashed (with its exit)."""
        self.finish(unit, "ended")
        if unit.ended == "timeout":
            return "timeout", "time limit exceeded"
        if unit.ended in ("output_limit", "result_limit"):
            return "output_limit", "output limit exceeded"
        if unit.ended == "protocol":
            return "protocol", "the program wrote to the judge's channel out of turn (a forged or extra report)"
        if unit.ended == "link":
            return "crashed", "the program closed the channel the test harness calls it through"
        status = unit.exit
        if status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
            return "timeout", "CPU time limit exceeded"
        return "crashed", exit_text(status)

    def death_record(self, unit, wall=0.0):
        status, why = self.end_status(unit)
        maxrss = int((unit.rusage or {}).get("maxrss", 0))
        if status == "crashed" and unit.handle.memory_exceeded():
            why = "the run's processes together exceeded its memory limit"
            maxrss = max(maxrss, int(self.limits["memory_mb"]) * 1024)
        return {"status": status, "why": why, "maxrss_kb": maxrss, "wall": wall}

    # -- function-style tests (call, lifted calls, assert) ---------------------------------------------------------
    def run_function_tests(self, tests):
        pending = list(tests)
        while pending:
            if self.clock() >= self.total_deadline:
                for test in pending:
                    self.raw["tests"][test["index"]] = {"status": "timeout",
                                                        "why": "total time limit of the request reached"}
                return
            candidate, names = self.load_candidate(pending)
            if candidate is None:
                return
            harness = None
            last = None
            while pending:
                test = pending.pop(0)
                last = test["index"]
                if test["kind"] == "assert" and harness is None:
                    harness = self.start_unit("harness", {
                        "setup": self.request.get("setup", ""), "harness_code": self.request.get("harness_code", ""),
                        "names": names, "entries": [t.get("entry") for t in tests if t.get("entry")], "link": True,
                    }, len(tests), keep_output=False)
                    self.link(candidate, harness)
                record = self.run_one(candidate, harness, test)
                self.raw["tests"][test["index"]] = record
                if candidate.ended is not None or not candidate.result_open or \
                        (harness is not None and (harness.ended is not None or not harness.result_open)):
                    break  # a fresh pair for the rest
            self.finish(candidate, "done", wait=False)
            self.collect_output(candidate)
            if candidate.frames and last is not None and candidate.ended is None:
                # Frames nobody asked for, still in the pipe after the last reply: a duplicate or forged report.
                self.raw["tests"][last] = {"status": "protocol", "why": "the program sent a report nobody asked for "
                                           "(a duplicate or forged reply)"}
            if harness is not None:
                self.finish(harness, "done", wait=False)

    def collect_output(self, unit):
        self.raw["stdout"] += unit.stdout()
        self.raw["stderr"] += unit.stderr()

    def load_candidate(self, pending):
        nonce = new_nonce()
        payload = {"program": self.request["program"], "setup": self.request.get("setup", ""), "style": "function",
                   "n": nonce, "names": any(t["kind"] == "assert" for t in pending)}
        unit = self.start_unit("candidate", payload, len(pending))
        reply = self.await_reply(unit, nonce, self.deadline(self.timeout_of(pending[0])))
        if reply is None:
            record = self.death_record(unit)
            record["why"] = f"{record['why']} (while loading the program)"
            for test in pending:
                self.raw["tests"][test["index"]] = dict(record)
            self.collect_output(unit)
            return None, None
        for key in ("syntax_error", "load_error", "setup_error"):
            if isinstance(reply.get(key), dict):
                self.raw[key] = _report(reply[key])
                self.collect_output(unit)
                self.finish(unit, "load failed")
                return None, None
        loaded = reply.get("loaded")
        names = loaded.get("names") if isinstance(loaded, dict) and isinstance(loaded.get("names"), dict) else {}
        return unit, names

    def run_one(self, candidate, harness, test):
        started = self.clock()
        deadline = self.deadline(self.timeout_of(test))
        if test["kind"] in ("call", "calls"):
            record = self.calls(candidate, test, deadline)
            if record is None:
                record = self.death_record(candidate)
            elif test["kind"] == "call":
                values = record.pop("values")
                if record["status"] == "ok":
                    record["value"] = values[0]
        else:
            record = self.relay(candidate, harness, test, deadline)
        record["wall"] = self.clock() - started
        return record

    @staticmethod
    def calls_request(test):
        """The ``calls`` request of a call or lifted test (a fresh nonce)."""
        calls = test["calls"] if test["kind"] == "calls" else [{"args": test.get("args"), "kwargs": test.get("kwargs")}]
        return {"op": "calls", "n": new_nonce(), "fn": {"entry": test["entry"]},
                "calls": [{"args": c.get("args") if c.get("args") is not None else [],
                           "kwargs": c.get("kwargs") if c.get("kwargs") is not None else {}} for c in calls]}

    def calls(self, unit, test, deadline):
        """A test's calls in the candidate, in one request: a record with the values that came back, or None when
        the unit ended (timed out, crashed, broke protocol) first. (A test's inputs reach the program only when its
        own time has started: sent with the program, they would let it compute answers on its loading time.)"""
        request = self.calls_request(test)
        self.send(unit, request)
        nonce = request["n"]
        calls = request["calls"]
        reply = self.await_reply(unit, nonce, deadline)
        if reply is None:
            return None
        values = reply.get("values")
        if not isinstance(values, list) or len(values) > len(calls):
            unit.kill("protocol")
            return None
        if isinstance(reply.get("raised"), dict):
            return dict(_report(reply["raised"]), status="raised", values=values)
        if "unencodable" in reply:
            return {"status": "unencodable", "emsg": str(reply["unencodable"])[:500], "values": values}
        if len(values) != len(calls):
            unit.kill("protocol")
            return None
        return {"status": "ok", "values": values}

    def link(self, candidate, harness):
        """Give the candidate and its harness a direct channel (two pipes), handed to each over its link socket:
        the harness's calls then never pass through here. The supervisor keeps none of the four ends, so the
        channel is the two units' alone and ends with either of them."""
        if candidate.handle.link_sock is None or harness.handle.link_sock is None:
            raise _SpawnFailed("this host cannot give a harness a channel to the candidate (no link socket)")
        h2c_r, h2c_w = os.pipe()
        c2h_r, c2h_w = os.pipe()
        try:
            # A unit that cannot take its ends is the one at fault: the program (it may close or drain its own
            # descriptors) fails its test; a harness that cannot is a harness error. Never a sandbox error.
            for unit, ends, why in ((harness, [c2h_r, h2c_w], None), (candidate, [h2c_r, c2h_w], "link")):
                try:
                    send_fds(unit.handle.link_sock, ends)
                except OSError:
                    unit.kill(why)
        finally:
            for end in (h2c_r, h2c_w, c2h_r, c2h_w, candidate.handle.link_sock, harness.handle.link_sock):
                os.close(end)
            candidate.handle.link_sock = harness.handle.link_sock = None
        self.send(candidate, {"op": "link"})

    def relay(self, candidate, harness, test, deadline):
        """Run one assert test in the harness, which calls the candidate over their direct channel, until it
        reports. Meanwhile the candidate must send this supervisor nothing: any frame of it here fails the test
        (and the pair is replaced for the tests after it)."""
        self.send(harness, {"op": "test", "t": test["index"], "code": test.get("code", ""), "entry": test.get("entry")})
        candidate_down = None
        while True:
            if harness.frames:
                raw = harness.frames.pop(0)
                kind, body = raw[:1], raw[1:]
                try:
                    message = load_json(body) if kind == b"D" else None
                except ValueError:
                    message = None
                if isinstance(message, dict) and isinstance(message.get("done"), dict) and \
                        message.get("t") == test["index"]:
                    outcome = message["done"]
                    self.pump(self.clock(), wait=False)
                    if candidate.frames:  # the candidate wrote to this supervisor while the test ran
                        candidate.kill("protocol")
                        return self.death_record(candidate)
                    if candidate_down is not None or outcome.get("status") == "gone":
                        if candidate.ended is None and candidate.result_open:
                            # The harness gave up on the candidate (a reply it could not decode, a value too large
                            # to send): both are replaced for the tests after this one.
                            over_limit = outcome.get("ended") == "result_limit"
                            candidate.kill("result_limit" if over_limit else "gone")
                            harness.kill("gone")
                            if over_limit:
                                return self.death_record(candidate)
                            return {"status": "raised", "etype": "RuntimeError",
                                    "emsg": str(outcome.get("why") or candidate_down)[:2000], "line": None}
                        return self.death_record(candidate)
                    return dict(_report(outcome), by="harness")
                harness.kill("protocol")
                return {"status": "harness_error", "why": "the test harness broke protocol"}
            if candidate.frames and candidate_down is None:
                candidate.kill("protocol")  # a frame nobody asked for: the program wrote out of turn
                candidate.frames.clear()
            if candidate_down is None and (candidate.ended is not None or not candidate.result_open):
                candidate_down = self.end_status(candidate)[1]
                self.send(harness, {"dead": candidate_down})
                continue
            if not harness.result_open or harness.ended is not None:
                if candidate.ended == "timeout" or harness.ended == "timeout":
                    return self.death_record(candidate)
                if candidate.ended == "protocol":
                    return self.death_record(candidate)
                status, why = self.end_status(harness)
                return {"status": "harness_error", "why": f"the test harness stopped: {why}"}
            if self.clock() >= deadline:
                candidate.kill("timeout")
                harness.kill("timeout")
                return self.death_record(candidate)
            self.pump(deadline)

    # -- stdio tests ------------------------------------------------------------------------------------------------
    def run_stdio_test(self, test):
        index = test["index"]
        if self.clock() >= self.total_deadline:
            self.raw["tests"][index] = {"status": "timeout", "why": "total time limit of the request reached"}
            return
        nonce = new_nonce()
        started = self.clock()
        unit = self.start_unit("candidate", {"program": self.request["program"], "setup": self.request.get("setup", ""),
                                             "style": "stdio", "stdin": test.get("stdin", ""), "n": nonce}, 1)
        unit.kill_on_output = True
        deadline = self.deadline(self.timeout_of(test))
        reports = []
        while unit.open:
            if self.clock() >= deadline:
                unit.kill("timeout")
                break
            if unit.ended:
                break
            self.pump(deadline)
            reports.extend(unit.frames)
            unit.frames.clear()
            if len(reports) > 1:  # a stdio run reports once, at its end: more is the program writing (unbounded)
                unit.kill("protocol")
                break
        # Its pipes are closed; the run is over when the process is (a program may close them and go on running).
        while unit.ended is None and unit.exit is None:
            info = unit.handle.wait_exit(max(0.0, min(0.05, deadline - self.clock())))
            if info is not None:
                unit.exit, unit.rusage = info
            elif self.clock() >= deadline:
                unit.kill("timeout")
        wall = self.clock() - started
        stdout, stderr = unit.stdout(), unit.stderr()
        self.raw["stderr"] += stderr
        status, why = self.end_status(unit)
        record = {"wall": wall, "stdout": stdout, "stderr": stderr[-2000:]}
        parsed = []
        for raw in reports:
            try:
                parsed.append(load_json(raw))
            except ValueError:
                parsed.append(None)
        raised = next((p["raised"] for p in parsed if isinstance(p, dict) and isinstance(p.get("raised"), dict)), None)
        if unit.ended is not None or not exited_cleanly(unit.exit):
            record.update(status=status, why=why, maxrss_kb=int((unit.rusage or {}).get("maxrss", 0)))
        elif raised is not None:
            record.update(_report(raised), status="raised")
        else:
            record["status"] = "ok"
        self.raw["tests"][index] = record


class _SpawnFailed(Exception):
    pass


def _report(data):
    """The fields of an exception report that the judge reads, as plain short values (never trusted for a path)."""
    out = {}
    for key in ("etype", "emsg", "assertion", "tb", "why"):
        if key in data:
            out[key] = str(data[key])[:3000]
    line = data.get("line")
    # the program chooses this number: a line of a program is a small positive int, anything else is unknown
    out["line"] = line if type(line) is int and 0 < line < 1 << 31 else None
    if data.get("status") in ("ok", "raised"):
        out["status"] = data["status"]
    return out


def run_request(request, spawn):
    """Run every test of a wire request through units started with ``spawn(spec) -> UnitHandle``."""
    return Supervisor(request, spawn).run()
