"""Trusted verdicts: turn a unit's raw observations into an :class:`ExecutionResult`.

Everything here runs in the parent process, on values decoded from JSON. Expected outputs live only here; the
untrusted process never sees them, and no method of an object it created is ever called.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from codegym.runtime.codec import decode as decode_value
from codegym.runtime.codec import encode as encode_value
from codegym.runtime.codec import short_repr
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Limits, TestOutcome
from codegym.tasks.model import AssertTest, CallTest, StdioTest, Test

#: Tolerance for non-integer numbers: absolute or relative difference up to 1e-6, the usual checker tolerance of
#: competitive programming judges (CodeContests, Codeforces' default checker for real numbers).
FLOAT_TOL = 1e-6
#: Strict mode lets two floats differ by this much (relative, or absolute below 1): rounding noise only.
STRICT_FLOAT_TOL = 1e-9

#: Overall status precedence when tests fail in different ways (first match wins).
STATUS_PRECEDENCE = ("sandbox_error", "syntax_error", "memory_limit", "output_limit", "timeout", "runtime_error",
                     "failed")


# ------------------------------------------------------------------------------------------------------------------
# Comparisons
# ------------------------------------------------------------------------------------------------------------------

def values_equal(expected: Any, actual: Any, mode: str = "strict") -> bool:
    """Compare a call test's expected value with the decoded returned value.

    ``strict`` (default): Python's own ``expected == actual`` (so ``1 == 1.0`` and ``True == 1`` hold, as in the
    benchmarks' harnesses, and an int is never "close enough" to a float that differs); where ``==`` says no, a
    list and a tuple with equal items still match, recursively, because task files are JSON, which cannot tell them
    apart (APPS and LiveCodeBench likewise compare returned tuples as lists), and two floats match within
    ``STRICT_FLOAT_TOL`` (rounding noise of another order of operations; an int expected gets no tolerance).
    ``float``: numbers within ``FLOAT_TOL`` (relative or absolute), recursively through sequences and dicts. ``exact``: identical types throughout and ``==``.
    A comparison that raises (a numpy array's ambiguous truth value, nesting past the recursion limit) is False.
    """
    try:
        if mode == "exact":
            return type(expected) is type(actual) and _exact(expected, actual)
        if mode == "float":
            return _close(expected, actual, FLOAT_TOL)
        if bool(expected == actual):
            return True
        return _sequences_equal(expected, actual)
    except Exception:  # noqa: BLE001 - RecursionError, ValueError, TypeError: not equal
        return False


def _exact(e: Any, a: Any) -> bool:
    if type(e) is not type(a):
        return False
    if isinstance(e, (list, tuple)):
        return len(e) == len(a) and all(_exact(x, y) for x, y in zip(e, a))
    if isinstance(e, dict):
        return e.keys() == a.keys() and all(_exact(e[k], a[k]) for k in e)
    if isinstance(e, float) and math.isnan(e):
        return math.isnan(a)
    return bool(e == a)


def _sequences_equal(e: Any, a: Any) -> bool:
    if type(e) is float and type(a) is float:
        if math.isnan(e) or math.isnan(a) or math.isinf(e) or math.isinf(a):
            return False
        return abs(e - a) <= STRICT_FLOAT_TOL * max(1.0, abs(e))
    if isinstance(e, (list, tuple)) and isinstance(a, (list, tuple)) and type(e) in (list, tuple) \
            and type(a) in (list, tuple):
        return len(e) == len(a) and all(bool(x == y) or _sequences_equal(x, y) for x, y in zip(e, a))
    if type(e) is dict and type(a) is dict:
        return e.keys() == a.keys() and all(bool(e[k] == a[k]) or _sequences_equal(e[k], a[k]) for k in e)
    return False


def _close(e: Any, a: Any, tol: float) -> bool:
    te, ta = type(e), type(a)
    if te in (int, float) and ta in (int, float) and bool not in (te, ta):
        if te is int and ta is int:
            return e == a
        if math.isnan(e) or math.isnan(a):
            return math.isnan(e) and math.isnan(a)
        if math.isinf(e) or math.isinf(a):
            return e == a
        return abs(e - a) <= tol * max(1.0, abs(e))
    if te in (list, tuple) and ta in (list, tuple):
        return len(e) == len(a) and all(_close(x, y, tol) for x, y in zip(e, a))
    if te is dict and ta is dict:
        return e.keys() == a.keys() and all(_close(e[k], a[k], tol) for k in e)
    return bool(e == a)


def _is_fractional_number(token: str) -> Decimal | None:
    """The token as a Decimal when it is a non-integer number (has a point or an exponent), else None."""
    if not any(c in token for c in ".eE") or token.lower() in ("inf", "-inf", "nan", "infinity", "-infinity"):
        return None
    try:
        value = Decimal(token)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def stdout_matches(expected: str, actual: str, mode: str = "strict") -> tuple[bool, str | None]:
    """Compare program output with the expected output; returns (ok, reason).

    ``strict`` (default): the same number of lines (trailing blank lines ignored), trailing whitespace ignored, the
    same whitespace-separated tokens in each line; a token that is a non-integer number in the expected output
    matches a number within 1e-6 (absolute or relative), compared as Decimal as LiveCodeBench does. No case folding,
    no reordering. ``exact``: identical text after trailing-whitespace normalisation. ``float``: like strict.
    ``whitespace_insensitive``: the same token sequence regardless of line breaks. ``unordered_lines``: the same
    multiset of lines (for tasks whose answer lines may come in any order).
    """
    exp_lines, act_lines = _lines(expected), _lines(actual)
    if mode == "exact":
        return (exp_lines == act_lines, None if exp_lines == act_lines else "output differs")
    if mode == "unordered_lines":
        ok = sorted(" ".join(x.split()) for x in exp_lines) == sorted(" ".join(x.split()) for x in act_lines)
        return ok, None if ok else "the multiset of output lines differs"
    if mode == "whitespace_insensitive":
        exp_lines, act_lines = [" ".join(expected.split())], [" ".join(actual.split())]
    if len(exp_lines) != len(act_lines):
        return False, f"expected {len(exp_lines)} line(s), got {len(act_lines)}"
    for number, (el, al) in enumerate(zip(exp_lines, act_lines), 1):
        et, at = el.split(), al.split()
        if len(et) != len(at):
            return False, f"line {number}: expected {len(et)} token(s), got {len(at)}"
        for e, a in zip(et, at):
            if e == a:
                continue
            ev = _is_fractional_number(e)
            if ev is not None:
                try:
                    av = Decimal(a)
                except InvalidOperation:
                    return False, f"line {number}: expected number {e}, got {a!r}"
                if av.is_finite() and abs(av - ev) <= Decimal(str(FLOAT_TOL)) * max(Decimal(1), abs(ev)):
                    continue
            return False, f"line {number}: expected {e!r}, got {a!r}"
    return True, None


# ------------------------------------------------------------------------------------------------------------------
# Wire format of a request
# ------------------------------------------------------------------------------------------------------------------

def wire_tests(tests: list[Test]) -> list[dict[str, Any]]:
    """Tests as the supervisor reads them: call inputs (never expected values), assert test code (which only the
    harness process receives), stdin."""
    out: list[dict[str, Any]] = []
    for i, t in enumerate(tests):
        item: dict[str, Any] = {"index": i, "kind": t.kind}
        if t.timeout_s:
            item["timeout_s"] = float(t.timeout_s)
        if isinstance(t, AssertTest):
            item.update(code=t.code, entry=t.entry_point)
        elif isinstance(t, CallTest):
            item.update(entry=t.entry_point, args=encode_value(list(t.args)), kwargs=encode_value(dict(t.kwargs)))
        elif isinstance(t, StdioTest):
            item.update(stdin=t.stdin)
        else:
            raise TypeError(f"unknown test type {type(t).__name__}")
        out.append(item)
    return out


def wire_limits(lim: Limits, tests: list[Test]) -> dict[str, Any]:
    """The limits as the sandbox side reads them."""
    return {
        "timeout_s": lim.timeout_s, "cpu_s": lim.effective_cpu_s, "memory_mb": lim.memory_mb,
        "max_processes": lim.max_processes, "max_output_bytes": lim.max_output_bytes,
        "max_file_mb": lim.max_file_mb, "max_open_files": lim.max_open_files, "scratch_mb": lim.scratch_mb,
        "max_result_bytes": lim.max_result_bytes, "total_s": lim.total_for(tests),
    }


def wire_request(request: ExecutionRequest) -> dict[str, Any]:
    """The request as the supervisor reads it (``codegym.runtime.supervisor``)."""
    return {
        "program": request.program,
        "setup": request.setup_code or "",
        "harness_code": request.harness_code or "",
        "tests": wire_tests(list(request.tests)),
        "style": "stdio" if request.tests and all(t.kind == "stdio" for t in request.tests) else "function",
        "limits": wire_limits(request.limits, list(request.tests)),
    }


# ------------------------------------------------------------------------------------------------------------------
# Building the result
# ------------------------------------------------------------------------------------------------------------------

def _excerpt(text: str | None, limit: int = 2000) -> str | None:
    if not text:
        return None
    return text if len(text) <= limit else text[: limit // 2] + "\n...\n" + text[-limit // 2:]


def _error_status(etype: str | None) -> str:
    if etype == "MemoryError":
        return "memory_limit"
    return "runtime_error"


def _call_text(test: CallTest) -> str:
    args = [short_repr(a, 80) for a in test.args] + [f"{k}={short_repr(v, 80)}" for k, v in test.kwargs.items()]
    return f"{test.entry_point}({', '.join(args)})"


def normalize_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """Raw observations keyed by int test index (a JSON round trip, as from a container, turns keys into str)."""
    tests = raw.get("tests")
    if isinstance(tests, dict):
        raw["tests"] = {int(k): v for k, v in tests.items() if str(k).lstrip("-").isdigit()}
    else:
        raw["tests"] = {}
    return raw


def build_result(request: ExecutionRequest, raw: dict[str, Any], isolation: str, backend: str) -> ExecutionResult:
    tests = list(request.tests)
    outcomes: list[TestOutcome] = []
    syntax = raw.get("syntax_error")
    setup = raw.get("setup_error")
    load = raw.get("load_error")
    sandbox = raw.get("sandbox_error")
    memory_limit_kb = request.limits.memory_mb * 1024
    for i, test in enumerate(tests):
        o = TestOutcome(index=i, kind=test.kind, passed=False, status="failed", name=test.name)
        rec = raw["tests"].get(i)
        if isinstance(test, CallTest):
            o.call = _call_text(test)
        if isinstance(test, StdioTest):
            o.stdin = _excerpt(test.stdin, 500)
        if sandbox:
            o.status, o.message = "sandbox_error", str(sandbox)
        elif syntax:
            o.status, o.error_type, o.line = "syntax_error", syntax.get("etype"), syntax.get("line")
            o.message = f"{syntax.get('etype')}: {syntax.get('emsg')}"
        elif setup:
            o.status, o.error_type = "runtime_error", setup.get("etype")
            o.message = f"the task's setup code failed: {setup.get('etype')}: {setup.get('emsg')}"
        elif load and not isinstance(test, StdioTest):
            killed = load.get("killed")
            o.status = {"timeout": "timeout", "output_limit": "output_limit"}.get(killed or "",
                                                                                 _error_status(load.get("etype")))
            o.error_type, o.line = load.get("etype"), load.get("line")
            o.message = f"the program raised {load.get('etype')} while loading: {load.get('emsg')}"
        elif rec is None:
            o.status, o.message = "runtime_error", "the program stopped before reporting this test"
        else:
            _judge(test, rec, o, memory_limit_kb)
        outcomes.append(o)
    status = "passed"
    if sandbox:
        status = "sandbox_error"
    elif not outcomes:
        status = "syntax_error" if syntax else ("runtime_error" if (setup or load) else "passed")
    elif not all(o.passed for o in outcomes):
        present = {o.status for o in outcomes if not o.passed}
        status = next(s for s in STATUS_PRECEDENCE if s in present) if present & set(STATUS_PRECEDENCE) else "failed"
    error = None
    if sandbox:
        error = str(sandbox)
    elif syntax:
        error = f"{syntax.get('etype')} on line {syntax.get('line')}: {syntax.get('emsg')}"
    elif load:
        error = f"{load.get('etype')} while loading the program: {load.get('emsg')}"
    elif setup:
        error = f"setup code failed: {setup.get('etype')}: {setup.get('emsg')}"
    return ExecutionResult(
        status=status, tests=outcomes, stdout=_excerpt(raw.get("stdout"), 4000) or "",
        stderr=_excerpt(raw.get("stderr"), 4000) or "", cpu_time_s=round(float(raw.get("cpu", 0.0)), 4),
        peak_memory_mb=round(int(raw.get("maxrss_kb", 0)) / 1024.0, 2), isolation=isolation, backend=backend,
        error=error, request_id=request.request_id,
    )


def _judge(test: Test, rec: dict[str, Any], o: TestOutcome, memory_limit_kb: int) -> None:
    """One test's verdict from the supervisor's record; any failure to decode or compare fails the test."""
    try:
        _judge_record(test, rec, o, memory_limit_kb)
    except Exception as exc:  # noqa: BLE001 - one bad record fails its own test, never the request
        o.passed, o.status, o.error_type = False, "failed", "UncomparableValue"
        o.message = f"the judge could not compare this test's result: {type(exc).__name__}: {str(exc)[:300]}"


def _judge_record(test: Test, rec: dict[str, Any], o: TestOutcome, memory_limit_kb: int) -> None:
    status = rec.get("status")
    o.wall_time_s = round(float(rec.get("wall") or 0.0), 4)
    o.stderr = _excerpt(str(rec.get("stderr") or ""), 1000)
    if status in ("timeout", "output_limit"):
        o.status = status
        o.message = {"timeout": "time limit exceeded", "output_limit": "output limit exceeded"}[status]
        if rec.get("why") and "loading" in str(rec.get("why")):
            o.message += " while loading the program"
        if isinstance(test, StdioTest):
            o.stdout = _excerpt(str(rec.get("stdout") or ""), 1000)
        return
    if status == "crashed":
        rss = int(rec.get("maxrss_kb") or 0)
        o.status = "memory_limit" if rss and rss >= 0.9 * memory_limit_kb else "runtime_error"
        o.message = f"the program crashed ({rec.get('why')})"
        return
    if status == "protocol":
        o.status, o.error_type = "failed", "ProtocolViolation"
        o.message = str(rec.get("why") or "the program wrote to the judge's channel out of turn")
        return
    if status == "harness_error":
        o.status, o.message = "runtime_error", str(rec.get("why") or "the test harness failed")
        return
    if status == "raised":
        etype = str(rec.get("etype"))
        o.error_type, o.line = etype, rec.get("line") if type(rec.get("line")) is int else None
        if isinstance(test, AssertTest) and etype == "AssertionError":
            o.status = "failed"
            assertion = rec.get("assertion")
            o.message = f"failed: {assertion}" if assertion else f"AssertionError: {rec.get('emsg') or ''}".strip()
            if rec.get("actual") is not None:
                o.actual = str(rec["actual"])[:300]
        else:
            o.status = _error_status(etype)
            o.message = f"{etype}: {rec.get('emsg')}"
        if isinstance(test, StdioTest):
            o.stdout = _excerpt(str(rec.get("stdout") or ""), 1000)
        return
    if status == "unencodable":
        o.status, o.error_type = "failed", "UnencodableValue"
        o.message = f"returned a value that cannot be compared: {rec.get('emsg')}"
        return
    if status != "ok":
        o.status, o.message = "runtime_error", f"unexpected report from the sandbox: {str(status)[:100]}"
        return
    if isinstance(test, CallTest):
        o.value = rec.get("value")
        try:
            actual = decode_value(o.value)
        except ValueError as exc:  # DecodeError: the program sent something the judge will not build
            o.status, o.error_type = "failed", "UncomparableValue"
            o.message = f"returned a value that cannot be compared: {str(exc)[:300]}"
            return
        o.expected, o.actual = short_repr(test.expected), short_repr(actual)
        if values_equal(test.expected, actual, test.compare):
            o.passed, o.status = True, "passed"
        else:
            o.status, o.message = "failed", f"{o.call} returned {o.actual}, expected {o.expected}"
    elif isinstance(test, StdioTest):
        out = str(rec.get("stdout") or "")
        ok, reason = stdout_matches(test.expected_stdout, out, test.compare)
        o.stdout = _excerpt(out, 1000)
        o.expected, o.actual = _excerpt(test.expected_stdout, 500), _excerpt(out, 500)
        if ok:
            o.passed, o.status = True, "passed"
        else:
            o.status, o.message = "failed", f"wrong output: {reason}"
    elif rec.get("by") in ("harness", "lifted"):
        # An assert test passes only on the verdict of the harness process or of the lifted checks made here: the
        # supervisor marks which; nothing the program sends can.
        o.passed, o.status = True, "passed"
    else:
        o.status, o.message = "failed", "no trusted verdict for this assert test"
