"""Judging in the parent, shared by every backend that runs raw units (local fork server, Docker containers).

A backend implements :meth:`JudgingExecutor._run_raw` (run a wire request somewhere, return raw observations);
this class turns them into verdicts: comparisons with expected values, the reference cross-check of assert
tests, and the refusal of rigged comparison objects. Verdicts are therefore identical whichever backend ran.
"""

from __future__ import annotations

import collections
import hashlib
import json
import threading
import time
from abc import abstractmethod
from typing import Any

from codegym.errors import SandboxError
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits
from codegym.sandbox.lifting import LiftedCheck, lift
from codegym.sandbox.values import decode_value, encode_value
from codegym.sandbox.verdict import build_result, normalize_raw, values_equal, wire_request
from codegym.tasks.model import AssertTest, CallTest


class JudgingExecutor(Executor):
    """An executor whose backend runs units and whose verdicts are decided here, outside the untrusted process.

    Args:
        cross_check: check values returned during assert tests against the reference solution (when given).
        cache_size: reference profiles kept for cross-checks.
    """

    def __init__(self, workers: int | None = None, limits: Limits | None = None, cross_check: bool = True,
                 cache_size: int = 4096) -> None:
        super().__init__(workers, limits)
        self.cross_check = cross_check
        #: Evaluate simple assert tests here rather than in the sandbox (see ``codegym.sandbox.lifting``).
        self.lift_asserts = True
        self._judge_lock = threading.Lock()
        self._profile_cache: collections.OrderedDict[str, Any] = collections.OrderedDict()
        self._cache_size = cache_size
        self._closed = False

    @abstractmethod
    def _run_raw(self, wire: dict[str, Any]) -> tuple[dict[str, Any], str]:
        """Run a wire request (``verdict.wire_request``); return raw observations and the isolation level."""

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        start = time.monotonic()
        if not isinstance(request, ExecutionRequest):
            raise TypeError(f"run() takes an ExecutionRequest, not {type(request).__name__}")
        if self._closed:
            raise SandboxError("this executor is closed; create a new one")
        # Calls to the entry point are recorded in every assert test that names one: the values feed failure
        # messages, and, given a reference solution, the cross-check below.
        record = any(isinstance(t, AssertTest) and t.entry_point for t in request.tests)
        wire = wire_request(request, record)
        lifted = lift_into_wire(request, wire) if self.lift_asserts else {}
        raw, level = self._run_raw(wire)
        raw = normalize_raw(raw)
        if lifted:
            fold_lifted(raw, lifted)
        result = build_result(request, raw, level, self.backend)
        if record and self.cross_check and request.reference:
            self._cross_check(request, raw, result)
        elif record:
            _refuse_custom_equality(request, raw, result)
        result.wall_time_s = round(time.monotonic() - start, 4)
        return result

    # -- reference cross-check for assert tests ----------------------------------------------------------------------
    def _reference_profile(self, request: ExecutionRequest, index: int, test: AssertTest) -> list[dict] | None:
        key = hashlib.sha256(json.dumps([request.reference, request.setup_code, test.code, test.entry_point])
                             .encode()).hexdigest()
        with self._judge_lock:
            if key in self._profile_cache:
                self._profile_cache.move_to_end(key)
                return self._profile_cache[key]
        ref_req = ExecutionRequest(program=request.reference or "", tests=[test], limits=request.limits,
                                   setup_code=request.setup_code)
        raw = normalize_raw(self._run_raw(wire_request(ref_req, record=True))[0])
        rec = raw["tests"].get(0)
        profile = rec.get("calls") if rec and rec.get("status") == "ok" and not rec.get("truncated") else None
        with self._judge_lock:
            self._profile_cache[key] = profile
            while len(self._profile_cache) > self._cache_size:
                self._profile_cache.popitem(last=False)
        return profile

    def _cross_check(self, request: ExecutionRequest, raw: dict[str, Any], result: ExecutionResult) -> None:
        tests = list(request.tests)
        for outcome in result.tests:
            test = tests[outcome.index]
            if not (outcome.passed and isinstance(test, AssertTest) and test.entry_point):
                continue
            rec = raw["tests"].get(outcome.index) or {}
            if rec.get("lifted"):
                continue  # its assertions were evaluated here, on the returned values: nothing left to cross-check
            calls = rec.get("calls")
            problem = self._compare_calls(request, outcome.index, test, calls, bool(rec.get("truncated")))
            if problem:
                outcome.passed, outcome.status, outcome.message = False, "failed", problem
        if result.status == "passed" and not all(o.passed for o in result.tests):
            result.status = "failed"

    def _compare_calls(self, request: ExecutionRequest, index: int, test: AssertTest, calls: list | None,
                       truncated: bool) -> str | None:
        reference = self._reference_profile(request, index, test)
        if reference is None:
            return None  # the reference itself could not be profiled: nothing trustworthy to compare against
        if not isinstance(calls, list):
            return "the test passed without the entry point's calls being recorded"
        if truncated:
            calls = calls[: len(reference)]
        if len(calls) != len(reference):
            return (f"the test called {test.entry_point} {len(reference)} time(s) with the reference solution but "
                    f"{len(calls)} time(s) with this program")
        same_args = all(isinstance(c, dict) and c.get("args") == r.get("args") and c.get("kwargs") == r.get("kwargs")
                        for c, r in zip(calls, reference))
        if not same_args:
            reference = self._reference_on(request, test, calls)
            if reference is None:
                return None
        for number, (mine, ref) in enumerate(zip(calls, reference), 1):
            if not isinstance(mine, dict) or "value" not in mine:
                return f"call #{number} of {test.entry_point} returned a value that cannot be compared"
            if "value" not in ref:
                continue  # the reference raised or returned something unencodable here: no basis for comparison
            expected, actual = decode_value(ref["value"]), decode_value(mine["value"])
            if not values_equal(expected, actual, "float"):
                args = decode_value(mine.get("args", []))
                return (f"call #{number} {test.entry_point}{tuple(args)!r} returned {actual!r}; the reference "
                        f"solution returns {expected!r} (values are checked outside the program)")
        return None

    def _reference_on(self, request: ExecutionRequest, test: AssertTest, calls: list) -> list[dict] | None:
        """Run the reference on exactly the arguments the submission was called with."""
        entry = test.entry_point or ""
        call_tests = []
        for c in calls:
            if not isinstance(c, dict) or "args" not in c:
                return None
            try:
                call_tests.append(CallTest(entry_point=entry, args=tuple(decode_value(c["args"])),
                                           kwargs=decode_value(c.get("kwargs", {}))))
            except Exception:  # noqa: BLE001 - malformed records cannot be checked
                return None
        ref_req = ExecutionRequest(program=request.reference or "", tests=call_tests, limits=request.limits,
                                   setup_code=request.setup_code)
        raw = normalize_raw(self._run_raw(wire_request(ref_req, record=False))[0])
        out = []
        for i in range(len(call_tests)):
            rec = raw["tests"].get(i) or {}
            out.append({"value": rec["value"]} if rec.get("status") == "ok" else {})
        return out


def _has_custom_equality(data: Any) -> bool:
    if isinstance(data, dict):
        if "__object__" in data and data.get("eq") is True:
            return True
        return any(_has_custom_equality(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_custom_equality(v) for v in data)
    return False


def _refuse_custom_equality(request: ExecutionRequest, raw: dict[str, Any], result: ExecutionResult) -> None:
    """Without a reference, a passed assert test is only as good as ``==``: refuse programs that rigged it."""
    for outcome in result.tests:
        rec = raw["tests"].get(outcome.index) or {}
        if outcome.passed and any(isinstance(c, dict) and _has_custom_equality(c.get("value"))
                                  for c in rec.get("calls") or []):
            outcome.passed, outcome.status = False, "failed"
            outcome.message = ("the entry point returned an object whose class overrides comparison methods; "
                               "such values cannot be trusted in an assert test")
    if result.status == "passed" and not all(o.passed for o in result.tests):
        result.status = "failed"


# ------------------------------------------------------------------------------------------------------------------
# Lifted assert tests (codegym.sandbox.lifting)
# ------------------------------------------------------------------------------------------------------------------

#: Per lifted test index: each assertion with its call as sent on the wire (encoded arguments).
Lifted = dict[int, list[tuple[LiftedCheck, dict[str, Any]]]]


def lift_into_wire(request: ExecutionRequest, wire: dict[str, Any]) -> Lifted:
    """Replace each liftable assert test of ``wire`` by its calls (in place: same index, same timeout).

    The sandbox makes the calls in order and sends back their values; returns the checks to make on them, by test
    index.
    """
    tests = list(request.tests)
    lifted: Lifted = {}
    for item in wire["tests"]:
        test = tests[item["index"]]
        form = lift(test) if isinstance(test, AssertTest) else None
        if form is None:
            continue
        for key in ("code", "record"):
            item.pop(key, None)
        calls = [{"args": encode_value(list(c.args)), "kwargs": encode_value(dict(c.kwargs))} for c in form.checks]
        item.update(kind="calls", entry=form.entry, calls=calls)
        lifted[item["index"]] = list(zip(form.checks, calls))
    return lifted


def fold_lifted(raw: dict[str, Any], lifted: Lifted) -> None:
    """Judge each lifted test's values against its assertions, in order, as ``check`` would have: the first
    assertion that fails decides; then an exception, time-out or crash that cut the calls short. The report is
    rewritten into an assert test's report."""
    for index, checks in lifted.items():
        rec = raw["tests"].get(index)
        if rec is None:
            continue
        values = rec.get("values") if isinstance(rec.get("values"), list) else []
        calls: list[dict[str, Any]] = []
        failed = None
        for (check, call), value in zip(checks, values):
            calls.append(dict(call, value=value))
            if not check.holds(decode_value(value)):
                failed = check
                break
        if failed is not None:
            folded = {"status": "raised", "etype": "AssertionError", "emsg": "", "line": None,
                      "assertion": failed.source or "assertion"}
        elif rec.get("status") == "ok" and len(values) == len(checks):
            folded = {"status": "ok", "lifted": True}
        elif rec.get("status") == "ok":
            folded = {"status": "unencodable", "emsg": "fewer values than calls came back"}
        else:
            folded = {k: v for k, v in rec.items() if k != "values"}
        folded.update(calls=calls, wall=rec.get("wall", 0.0))
        raw["tests"][index] = folded
