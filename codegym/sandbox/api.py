"""Backend-neutral executor API: requests, limits, results, and the :class:`Executor` base class.

Every backend (``local``, ``docker``, ``ray``) takes an :class:`ExecutionRequest` and returns an
:class:`ExecutionResult` with the same schema, so envs, rewards and trainers never depend on where code ran.
"""

from __future__ import annotations

import asyncio
import json
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

from codegym.errors import SandboxConfigError
from codegym.tasks.model import Test

Status = Literal["passed", "failed", "syntax_error", "runtime_error", "timeout", "memory_limit",
                 "output_limit", "sandbox_error"]
STATUSES: tuple[str, ...] = ("passed", "failed", "syntax_error", "runtime_error", "timeout", "memory_limit",
                             "output_limit", "sandbox_error")

#: Isolation levels, strongest first. ``full``: namespaces (pid, mount, net, ipc, uts), a private read-only root
#: with only a per-run tmpfs writable, an unprivileged uid, rlimits. ``userns``: the same inside an unprivileged
#: user namespace (no uid switch). ``process``: rlimits and process-group kill only. ``container``: docker.
ISOLATION_LEVELS = ("full", "userns", "container", "process")


@dataclass(frozen=True)
class Limits:
    """Resource limits for one execution. Defaults suit competitive-programming tasks on a laptop.

    Attributes:
        timeout_s: wall-clock limit per test (per program for assert tests), enforced from outside the process.
        cpu_s: CPU-time limit per test process (RLIMIT_CPU backs the wall clock); defaults to ``timeout_s + 1``.
        total_timeout_s: wall-clock limit for the whole request; defaults to ``timeout_s * n_tests + 5``.
        memory_mb: address-space limit (RLIMIT_AS) of the program.
        max_processes: processes and threads the program may have at once (RLIMIT_NPROC of its own uid).
        max_output_bytes: stdout+stderr captured per test before the run is stopped with ``output_limit``.
        max_file_mb: largest file the program may write (RLIMIT_FSIZE).
        max_open_files: RLIMIT_NOFILE.
        scratch_mb: size of the per-run writable tmpfs (the working directory and /tmp).
        max_result_bytes: cap on the JSON the program's harness may send back per test.
    """

    timeout_s: float = 6.0
    cpu_s: float | None = None
    total_timeout_s: float | None = None
    memory_mb: int = 1024
    max_processes: int = 32
    max_output_bytes: int = 1 << 20
    max_file_mb: int = 16
    max_open_files: int = 64
    scratch_mb: int = 32
    max_result_bytes: int = 4 << 20

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise SandboxConfigError("Limits.timeout_s must be > 0")
        if self.memory_mb < 32:
            raise SandboxConfigError("Limits.memory_mb must be at least 32 (the interpreter itself needs it)")
        if self.max_processes < 1 or self.max_open_files < 8:
            raise SandboxConfigError("Limits.max_processes must be >= 1 and max_open_files >= 8")

    @property
    def effective_cpu_s(self) -> float:
        return self.cpu_s if self.cpu_s is not None else self.timeout_s + 1.0

    def total_for(self, tests: Sequence[Test]) -> float:
        if self.total_timeout_s is not None:
            return self.total_timeout_s
        per = sum((t.timeout_s or self.timeout_s) for t in tests) if tests else self.timeout_s
        return per + 5.0

    def merged(self, **overrides: Any) -> Limits:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ExecutionRequest:
    """One program and the tests to run it against.

    Attributes:
        program: the complete submitted program (setup code is prepended by the executor, not here).
        tests: what to run; each is an assert, call or stdio test (``codegym.tasks.model``).
        limits: resource limits.
        setup_code: trusted code run before the program in the same namespace (imports, LeetCode preamble).
            Line numbers reported in results refer to ``program``, never to the setup code.
        reference: a reference solution, for callers that need one (rewards, expected-output computation). The
            verdict never depends on it: test code runs in its own harness process (docs/sandbox.md).
        harness_code: trusted code run only in the test harness, before each assert test: the task's prompt
            helpers (HumanEval/32's ``poly``), which the test then calls in their original form, whatever the program
            defines under the same names.
        request_id: free-form tag carried into the result.
    """

    program: str
    tests: Sequence[Test] = ()
    limits: Limits = field(default_factory=Limits)
    setup_code: str = ""
    reference: str | None = None
    harness_code: str = ""
    request_id: str | None = None


@dataclass
class TestOutcome:
    """What happened in one test."""

    index: int
    kind: str
    passed: bool
    status: str
    name: str | None = None
    message: str | None = None  # the failing assertion, "expected X got Y", or the error message
    error_type: str | None = None  # e.g. "AssertionError", "ZeroDivisionError"
    line: int | None = None  # line in the submitted program where it failed (1-based)
    expected: str | None = None  # excerpt, for feedback
    actual: str | None = None  # excerpt, for feedback
    stdin: str | None = None  # excerpt of the input (stdio tests)
    call: str | None = None  # the call that failed, e.g. "add(1, 2)" (call tests)
    stdout: str | None = None  # excerpt
    stderr: str | None = None  # excerpt
    wall_time_s: float = 0.0
    #: call tests: the returned value in codegym's tagged JSON (``codegym.runtime.codec.decode`` reads it);
    #: lets trusted callers compute expected outputs from a reference solution
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TestOutcome:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class ExecutionResult:
    """The verdict on one request. ``passed`` is True only when every test passed."""

    status: str
    tests: list[TestOutcome] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    wall_time_s: float = 0.0
    cpu_time_s: float = 0.0
    peak_memory_mb: float = 0.0
    isolation: str = "none"
    backend: str = "local"
    error: str | None = None  # sandbox-level error text, or the program-level error (syntax error message)
    request_id: str | None = None

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def tests_passed(self) -> int:
        return sum(1 for t in self.tests if t.passed)

    @property
    def tests_total(self) -> int:
        return len(self.tests)

    @property
    def pass_rate(self) -> float:
        return self.tests_passed / self.tests_total if self.tests else 0.0

    @property
    def first_failure(self) -> TestOutcome | None:
        return next((t for t in self.tests if not t.passed), None)

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in asdict(self).items() if k != "tests"}
        d["passed"] = self.passed
        d["tests_passed"] = self.tests_passed
        d["tests_total"] = self.tests_total
        d["tests"] = [t.to_dict() for t in self.tests]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExecutionResult:
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in d.items() if k in names and k != "tests"}
        return cls(tests=[TestOutcome.from_dict(t) for t in d.get("tests", [])], **kwargs)

    @classmethod
    def from_json(cls, text: str) -> ExecutionResult:
        return cls.from_dict(json.loads(text))


def default_workers() -> int:
    """Worker count sized to the machine: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS
        return max(1, os.cpu_count() or 1)


ProgressCallback = Callable[[int, ExecutionResult], None]


class Executor(ABC):
    """Runs programs against tests. Subclasses implement :meth:`run`; batching and asyncio come for free.

    Executors are context managers; :meth:`close` releases workers, containers or cluster handles.
    """

    backend: str = "abstract"

    def __init__(self, workers: int | None = None, limits: Limits | None = None) -> None:
        self.workers = workers or default_workers()
        self.default_limits = limits or Limits()
        self._pool: ThreadPoolExecutor | None = None

    @abstractmethod
    def run(self, request: ExecutionRequest) -> ExecutionResult:
        """Execute one request synchronously."""

    @property
    def isolation(self) -> str:
        """The isolation level this executor applies (reported in every result too)."""
        return "process"

    def run_many(self, requests: Iterable[ExecutionRequest],
                 progress: ProgressCallback | None = None) -> list[ExecutionResult]:
        """Execute requests in parallel over the worker pool; results come back in request order."""
        requests = list(requests)
        if not requests:
            return []
        if len(requests) == 1 or self.workers == 1:
            out = []
            for i, r in enumerate(requests):
                out.append(self.run(r))
                if progress:
                    progress(i, out[-1])
            return out
        pool = self._get_pool()
        futures = [pool.submit(self.run, r) for r in requests]
        results: list[ExecutionResult] = []
        for i, fut in enumerate(futures):
            results.append(fut.result())
            if progress:
                progress(i, results[-1])
        return results

    async def arun(self, request: ExecutionRequest) -> ExecutionResult:
        """``await executor.arun(request)``: runs on the worker pool without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._get_pool(), self.run, request)

    async def arun_many(self, requests: Iterable[ExecutionRequest]) -> list[ExecutionResult]:
        return list(await asyncio.gather(*(self.arun(r) for r in requests)))

    def submit(self, request: ExecutionRequest):  # -> concurrent.futures.Future[ExecutionResult]
        """Start one request on the pool and return a ``concurrent.futures.Future``."""
        return self._get_pool().submit(self.run, request)

    def _get_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=f"codegym-{self.backend}")
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
