"""Judging in the parent, shared by every backend that runs the sandbox runtime (local fork server, containers).

A backend implements :meth:`JudgingExecutor._run_raw` (run a wire request somewhere, return the supervisor's raw
observations); this class turns them into verdicts, so verdicts are identical whichever backend ran:

* **call tests** and **lifted assert tests** (``codegym.sandbox.lifting``): the candidate returned encoded values,
  decoded here with bounds (``codegym.runtime.codec``) into values of the parent's own types and compared
  with Python's ``==``;
* other **assert tests** were decided by the harness process, which ran the test code against the program through
  remote proxies (``codegym.runtime.harness``);
* **stdio tests**: the captured standard output, compared here.

There is no reference cross-check and no refusal of objects with custom comparison methods any more: both
existed because test code used to run inside the program's process, and both refused correct programs (other valid
answers, objects with other attribute names, classes with ``__len__``). With the test code in its own process, a
program's object never decides a comparison (docs/sandbox.md, "Threat model").

Nothing here raises because of what a program did: an error while decoding or comparing fails that one test, and
an unexpected error anywhere in judging gives the request a ``sandbox_error`` result instead of an exception.
"""

from __future__ import annotations

import functools
import time
from abc import abstractmethod
from typing import Any

from codegym.errors import SandboxError
from codegym.runtime.codec import decode as decode_value
from codegym.runtime.codec import encode as encode_value
from codegym.runtime.codec import short_repr
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits, TestOutcome
from codegym.sandbox.lifting import LiftedCheck, contains_object, lift
from codegym.sandbox.verdict import build_result, normalize_raw, wire_request
from codegym.tasks.model import AssertTest


class JudgingExecutor(Executor):
    """An executor whose backend runs the sandbox runtime and whose verdicts are decided here.

    Args:
        workers: parallel runs in :meth:`run_many`.
        limits: default limits (applied to requests that keep the default ``Limits()``).
    """

    def __init__(self, workers: int | None = None, limits: Limits | None = None) -> None:
        super().__init__(workers, limits)
        #: Evaluate simple assert tests here rather than in the harness process (``codegym.sandbox.lifting``).
        self.lift_asserts = True
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
        try:
            wire = wire_request(request)
            lifted = lift_into_wire(request, wire) if self.lift_asserts else {}
            raw, level = self._run_raw(wire)
            raw = normalize_raw(raw)
            if lifted:
                unlifted = fold_lifted(raw, lifted)
                if unlifted:
                    self._run_in_harness(request, raw, unlifted)
            result = build_result(request, raw, level, self.backend)
        except SandboxError:
            raise
        except Exception as exc:  # noqa: BLE001 - a judge failure must not cost the caller its batch
            result = judge_failure(request, f"the judge failed on this request: {type(exc).__name__}: {exc}",
                                   self.backend)
        result.wall_time_s = round(time.monotonic() - start, 4)
        return result


    def _run_in_harness(self, request: ExecutionRequest, raw: dict[str, Any], indices: set[int]) -> None:
        """Run lifted tests again as assert tests in the harness: a returned object of the program's own classes
        takes part in the test through its methods (``len``, iteration, attributes), which only the harness can
        ask the program for."""
        wire = wire_request(request)
        wire["tests"] = [t for t in wire["tests"] if t["index"] in indices]
        again = normalize_raw(self._run_raw(wire)[0])
        for index in indices:
            raw["tests"][index] = again["tests"].get(index) or {
                "status": "harness_error", "why": again.get("sandbox_error") or "the test did not report"}


def judge_failure(request: ExecutionRequest, message: str, backend: str) -> ExecutionResult:
    """A ``sandbox_error`` verdict for every test of ``request`` (the executor's own failure, never the program's)."""
    tests = [TestOutcome(index=i, kind=t.kind, passed=False, status="sandbox_error", name=t.name,
                         message=message[:2000]) for i, t in enumerate(request.tests)]
    return ExecutionResult(status="sandbox_error", tests=tests, backend=backend, error=message[:2000],
                           request_id=request.request_id)


# ------------------------------------------------------------------------------------------------------------------
# Lifted assert tests (codegym.sandbox.lifting)
# ------------------------------------------------------------------------------------------------------------------

#: Per lifted test index: each assertion with its call as sent on the wire (encoded arguments).
Lifted = dict[int, list[tuple[LiftedCheck, dict[str, Any]]]]


def lift_into_wire(request: ExecutionRequest, wire: dict[str, Any]) -> Lifted:
    """Replace each liftable assert test of ``wire`` by its calls (in place: same index, same timeout).

    The candidate makes the calls in order and sends back their values; returns the checks to make on them, by
    test index. Which tests are lifted is known here alone.
    """
    tests = list(request.tests)
    lifted: Lifted = {}
    for item in wire["tests"]:
        test = tests[item["index"]]
        form = _lifted_wire(test.code, test.entry_point) if isinstance(test, AssertTest) else None
        if form is None:
            continue
        checks, entry, calls = form
        item.pop("code", None)
        item.update(kind="calls", entry=entry, calls=calls)
        lifted[item["index"]] = list(zip(checks, calls))
    return lifted


@functools.lru_cache(maxsize=4096)
def _lifted_wire(code: str, entry_point: str | None) -> tuple[tuple[LiftedCheck, ...], str, list] | None:
    """A liftable test's checks, entry point and encoded calls, computed once per test (RL judges the many samples
    of one task against the same tests). The encoded calls are shared, read-only, by every request."""
    form = lift(AssertTest(code, entry_point=entry_point))
    if form is None:
        return None
    calls = [{"args": encode_value(list(c.args)), "kwargs": encode_value(dict(c.kwargs))} for c in form.checks]
    return form.checks, form.entry, calls


def fold_lifted(raw: dict[str, Any], lifted: Lifted) -> set[int]:
    """Judge each lifted test's values against its assertions, in order, as ``check`` would have: the first
    assertion that fails decides; then an exception, time-out or crash that cut the calls short. The report is
    rewritten into an assert test's report (``by: lifted`` when every assertion held).

    Returns the tests whose values hold objects of the program's own classes: those are not judged here (their
    behaviour under ``len``, ``bool`` or iteration lives in the program) and must run in the harness instead.
    """
    unlifted: set[int] = set()
    for index, checks in lifted.items():
        rec = raw["tests"].get(index)
        if not isinstance(rec, dict):
            continue
        values = rec.get("values") if isinstance(rec.get("values"), list) else []
        failed: dict[str, Any] | None = None
        for (check, _call), data in zip(checks, values):
            try:
                value = decode_value(data)
            except ValueError as exc:  # DecodeError
                failed = {"status": "unencodable", "emsg": f"returned a value that cannot be compared: {exc}"}
                break
            if contains_object(value):
                unlifted.add(index)
                break
            if not check.holds(value):
                failed = {"status": "raised", "etype": "AssertionError", "emsg": "", "line": None,
                          "assertion": check.source or "assertion", "actual": short_repr(value)}
                break
        if failed is not None:
            folded = failed
        elif rec.get("status") == "ok" and len(values) == len(checks):
            folded = {"status": "ok", "by": "lifted"}
        elif rec.get("status") == "ok":
            folded = {"status": "unencodable", "emsg": "fewer values than calls came back"}
        else:
            folded = {k: v for k, v in rec.items() if k not in ("values", "by")}
        folded["wall"] = rec.get("wall", 0.0)
        if index not in unlifted:
            raw["tests"][index] = folded
    return unlifted
