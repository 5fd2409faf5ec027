"""Which lines of a program the tests execute, measured inside the sandbox (StepCoder's FGO needs it).

The executor's results carry verdicts, not coverage, so this module builds a *driver* program: it holds the
submitted program as a string, installs a ``sys.settrace`` line tracer, executes the program and then exercises
it the way each test would (assert tests run their code in the same globals, call tests call the entry point,
stdio tests re-run the program with the test's stdin), and finally prints one line::

    __CODEGYM_COVERAGE__ {"lines": "1-4,7,9-12"}

on its real standard output. The driver runs through the ordinary executor (so it is as isolated as any other
submission) and the reward parses that line back. It is not a verdict -- a program can hide lines from the
tracer (``sys.settrace(None)``) or print a fake marker; both only change shaping, never the pass/fail outcome.
Only the *last* marker line is read, and it is printed after the program's own output is discarded.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from codegym.evaluation import request_limits
from codegym.sandbox import default_executor
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits
from codegym.tasks.model import StdioTest

if TYPE_CHECKING:
    from codegym.tasks.model import Task, Test

MARKER = "__CODEGYM_COVERAGE__"
_MARKER_RE = re.compile(re.escape(MARKER) + r" (\{[^\n]*\})")

_DRIVER = r'''
import sys as _cg_sys, io as _cg_io, json as _cg_json, ast as _cg_ast, threading as _cg_threading
_cg_real_stdout = _cg_sys.stdout
_cg_lines = set()
_cg_src = {src!r}
_cg_tests = _cg_json.loads({tests!r})
_cg_name = "<codegym-program>"

def _cg_trace(frame, event, arg):
    if frame.f_code.co_filename == _cg_name:
        if event == "line":
            _cg_lines.add(frame.f_lineno)
        return _cg_trace
    return None

def _cg_ranges(lines):
    out, run = [], []
    for n in sorted(lines):
        if run and n == run[-1] + 1:
            run.append(n)
        else:
            if run:
                out.append(str(run[0]) if len(run) == 1 else "%d-%d" % (run[0], run[-1]))
            run = [n]
    if run:
        out.append(str(run[0]) if len(run) == 1 else "%d-%d" % (run[0], run[-1]))
    return ",".join(out)

def _cg_run(fn):
    _cg_sys.stdout = _cg_io.StringIO()
    _cg_sys.settrace(_cg_trace)
    _cg_threading.settrace(_cg_trace)
    try:
        fn()
    except BaseException:
        pass
    finally:
        _cg_sys.settrace(None)
        _cg_threading.settrace(None)
        _cg_sys.stdout = _cg_real_stdout

try:
    _cg_code = compile(_cg_src, _cg_name, "exec")
except SyntaxError:
    _cg_code = None
if _cg_code is not None:
    _cg_base = {{k: v for k, v in globals().items() if not k.startswith("_cg")}}
    _cg_base["__name__"] = "__main__"
    _cg_g = dict(_cg_base)
    _cg_stdio = [t for t in _cg_tests if t["kind"] == "stdio"]
    _cg_func = [t for t in _cg_tests if t["kind"] != "stdio"]
    if _cg_func or not _cg_stdio:
        _cg_run(lambda: exec(_cg_code, _cg_g))
    for _cg_t in _cg_func:
        if _cg_t["kind"] == "assert":
            _cg_run(lambda: exec(_cg_t["code"], _cg_g))
        else:
            def _cg_call():
                args = _cg_ast.literal_eval(_cg_t["args"])
                kwargs = _cg_ast.literal_eval(_cg_t["kwargs"])
                eval(_cg_t["entry_point"], _cg_g)(*args, **kwargs)
            _cg_run(_cg_call)
    for _cg_t in _cg_stdio:
        _cg_old_stdin = _cg_sys.stdin
        _cg_sys.stdin = _cg_io.StringIO(_cg_t["stdin"])
        _cg_run(lambda: exec(_cg_code, dict(_cg_base)))
        _cg_sys.stdin = _cg_old_stdin
_cg_real_stdout.write("\n{marker} " + _cg_json.dumps({{"lines": _cg_ranges(_cg_lines)}}) + "\n")
_cg_real_stdout.flush()
'''


def _test_spec(test: Test) -> dict[str, str]:
    if test.kind == "stdio":
        return {"kind": "stdio", "stdin": test.stdin}  # type: ignore[union-attr]
    if test.kind == "call":
        return {"kind": "call", "entry_point": test.entry_point,  # type: ignore[union-attr]
                "args": repr(tuple(test.args)), "kwargs": repr(dict(test.kwargs))}  # type: ignore[union-attr]
    return {"kind": "assert", "code": test.code}  # type: ignore[union-attr]


def coverage_driver(program: str, tests: list[Test]) -> str:
    """The driver program that traces ``program`` under ``tests`` and prints the executed lines."""
    specs = json.dumps([_test_spec(t) for t in tests])
    return _DRIVER.format(src=program, tests=specs, marker=MARKER)


def parse_ranges(text: str, max_line: int | None = None) -> set[int]:
    """``"1-3,7"`` -> ``{1, 2, 3, 7}``; with ``max_line``, only lines ``1..max_line`` (the text comes from the
    program's own process, so a range such as ``"1-1000000000000"`` must cost nothing)."""
    lines: set[int] = set()
    top = max_line if max_line is not None else 1 << 62
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, _, hi = part.partition("-") if "-" in part[1:] else (part, "", part)
        first, last = max(1, int(lo)), min(top, int(hi))
        if first <= last:
            lines.update(range(first, last + 1))
    return lines


#: The most characters of a coverage marker that are read (a program of 10,000 lines reports far fewer).
MAX_MARKER_CHARS = 1 << 16


def parse_coverage(result: ExecutionResult, max_line: int | None = None) -> set[int] | None:
    """The executed lines reported by a driver run (only ``1..max_line`` when given), or ``None`` when no marker
    came back or it is malformed. The driver runs in the program's process, so the program can write a marker of
    its own: that can mislead the shaping (as any self-report), never cost the caller more than the marker's text."""
    texts = [result.stdout, result.stderr]
    for t in result.tests:
        texts += [t.stdout or "", t.actual or "", t.stderr or "", t.message or ""]
    found = None
    for text in texts:
        for match in _MARKER_RE.finditer(text or ""):
            found = match.group(1)
    if found is None or len(found) > MAX_MARKER_CHARS:
        return None
    try:
        return parse_ranges(str(json.loads(found)["lines"]), max_line)
    except (ValueError, KeyError, TypeError):
        return None


def coverage_request(task: Task, program: str, limits: Limits | None = None,
                     executor: Executor | None = None) -> ExecutionRequest:
    """The request that runs the coverage driver of ``program`` on ``task``'s tests (visible and hidden).

    It is one stdio "test" with empty input so the executor runs the driver as a whole program and returns its
    output; its verdict is meaningless and ignored. Limits are those a test run of the task gets on ``executor``
    (:func:`codegym.evaluation.request_limits`), with the timeout multiplied by the number of tests the driver
    runs in one go.
    """
    driver = coverage_driver(program, task.all_tests)
    base = request_limits(task, limits, executor)
    n = max(len(task.all_tests), 1)
    base = base.merged(timeout_s=base.timeout_s * n, max_output_bytes=max(base.max_output_bytes, 1 << 16))
    return ExecutionRequest(program=driver, tests=[StdioTest(stdin="", expected_stdout="", name="coverage")],
                            limits=base, setup_code=task.setup_code, request_id=f"coverage:{task.task_id}")


def executed_lines(task: Task, program: str, executor: Executor | None = None,
                   limits: Limits | None = None) -> set[int] | None:
    """Lines of ``program`` that ran while the task's tests exercised it (``None`` if it could not be measured).

    The driver runs on ``executor`` (the process's default local executor when none is given) under ``limits``
    (the executor's defaults when none are given)."""
    executor = executor or default_executor()
    result = executor.run(coverage_request(task, program, limits, executor))
    return parse_coverage(result, max_line=len(program.splitlines()) + 1)
