"""Build ``codegym/tasks/data/builtin.jsonl``, the embedded default task suite, from the task folders in
``tools/builtin_suite/tasks/``.

Every task is written for codegym (no benchmark problem is copied). Its folder holds ``task.json`` (kind,
difficulty, tags, entry point and signature, the bug of the wrong solution), ``statement.md`` (the specification),
``reference.py``, ``wrong.py`` (one plausible wrong solution) and ``inputs.py`` (the prompt example and the
*inputs* of the visible and hidden tests); ``tools/builtin_suite/order.txt`` gives the order of the tasks in the
JSONL. Expected values are never typed by hand: this script runs the reference on every input (call and assert
tests in-process, stdin/stdout tests in a subprocess) and writes what it returns or prints. Prompt examples are
produced the same way, so they can never disagree with the tests.

Before writing, the script checks every task: the reference must pass all tests, the wrong solution must pass
every visible test and fail at least one hidden test, and the counts required by ``docs/builtin_suite.md`` must
hold. Any violation stops the build with the task id and the reason.

Usage::

    python tools/build_builtin_suite.py            # rebuild and check
    python tools/build_builtin_suite.py --check    # only verify that the committed JSONL is up to date
    python tools/build_builtin_suite.py --table    # print the task table of docs/builtin_suite.md
    python tools/build_builtin_suite.py --task tools/builtin_suite/tasks/edit-distance   # check one folder

The output is deterministic (seeded random inputs, stable key order), so rebuilding without changes gives a
byte-identical file.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script, only tools/ is on the path
    sys.path.insert(0, str(ROOT))

from tools.builtin_suite.cases import Case, reset_shared_rngs  # noqa: E402 -- needs ROOT on sys.path first

OUTPUT = ROOT / "codegym" / "tasks" / "data" / "builtin.jsonl"
SUITE_DIR = ROOT / "tools" / "builtin_suite"
TASKS_DIR = SUITE_DIR / "tasks"
ORDER_FILE = SUITE_DIR / "order.txt"

DIFFICULTIES = ("easy", "medium", "hard")
KINDS = ("call", "assert", "stdio")
SUBPROCESS_TIMEOUT_S = 20.0
#: Largest JSON size of one test's input or expected output: room for the few inputs that separate an
#: O(n log n) algorithm from an O(n^2) one (about 20000 numbers) while the packaged suite stays near 1.5 MB.
#: Assert tests can build larger inputs from a short expression instead (see ``cases.generated``).
MAX_TEST_PAYLOAD_CHARS = 250_000

#: The files of a task folder, and the keys of its ``task.json`` (required, then optional).
TASK_FILES = ("task.json", "statement.md", "reference.py", "wrong.py", "inputs.py")
REQUIRED_KEYS = ("kind", "difficulty", "tags", "bug")
OPTIONAL_KEYS = ("entry_point", "signature", "compare")


class BuildError(RuntimeError):
    """A task folder is inconsistent (the message names the task and what to fix)."""


@dataclass
class TaskDef:
    """One built-in task before its expected outputs are computed, as read from its folder.

    For function tasks (``kind`` ``call`` or ``assert``) ``signature`` is the ``def`` line and ``doc`` the
    docstring body; ``example`` is an argument tuple whose result is rendered as a doctest line. For stdio tasks
    ``doc`` is the whole statement (input and output format) and ``example`` a stdin string.
    """

    slug: str
    kind: str
    difficulty: str
    tags: list[str]
    doc: str
    reference: str
    wrong: str
    bug: str
    visible: list[Case]
    hidden: list[Case]
    example: Any
    signature: str = ""
    entry_point: str | None = None
    compare: str = "strict"

    @property
    def task_id(self) -> str:
        return f"builtin/{self.slug}"


# -- reading the task folders ---------------------------------------------------------------------------------
def read_order(path: Path = ORDER_FILE) -> list[str]:
    """The folder names listed in ``order.txt`` (one a line; ``#`` starts a comment)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def _text(path: Path) -> str:
    """A program or statement as the prompt and the JSONL carry it: no leading or trailing blank lines."""
    return path.read_text(encoding="utf-8").strip("\n") + "\n"


def load_task(folder: Path) -> TaskDef:
    """Read one task folder (its ``inputs.py`` is executed: trusted code of this repository)."""
    task_id = f"builtin/{folder.name}"
    missing = [name for name in TASK_FILES if not (folder / name).is_file()]
    if missing:
        raise BuildError(f"{task_id}: {folder} has no {', '.join(missing)}")
    meta = json.loads((folder / "task.json").read_text(encoding="utf-8"))
    absent = [key for key in REQUIRED_KEYS if key not in meta]
    unknown = sorted(set(meta) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if absent or unknown:
        raise BuildError(f"{task_id}: task.json lacks {absent} / has unknown keys {unknown}; "
                         f"use {list(REQUIRED_KEYS)} and optionally {list(OPTIONAL_KEYS)}")
    spec = importlib.util.spec_from_file_location(f"builtin_suite_inputs_{folder.name}", folder / "inputs.py")
    assert spec is not None and spec.loader is not None
    inputs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(inputs)
    names = [name for name in ("EXAMPLE", "VISIBLE", "HIDDEN") if not hasattr(inputs, name)]
    if names:
        raise BuildError(f"{task_id}: inputs.py does not define {', '.join(names)}")
    return TaskDef(slug=folder.name, kind=meta["kind"], difficulty=meta["difficulty"], tags=list(meta["tags"]),
                   doc=_text(folder / "statement.md"), reference=_text(folder / "reference.py"),
                   wrong=_text(folder / "wrong.py"), bug=meta["bug"], visible=list(inputs.VISIBLE),
                   hidden=list(inputs.HIDDEN), example=inputs.EXAMPLE, signature=meta.get("signature", ""),
                   entry_point=meta.get("entry_point"), compare=meta.get("compare", "strict"))


def load_tasks(tasks_dir: Path = TASKS_DIR, order_file: Path = ORDER_FILE) -> list[TaskDef]:
    """Every task folder, in the order of ``order_file``. Loading in that order from fresh shared random
    streams is what makes the inputs of the tasks that use ``shared_rng`` the same on every build."""
    order = read_order(order_file)
    folders = {p.name for p in tasks_dir.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))}
    repeated = sorted({slug for slug in order if order.count(slug) > 1})
    unlisted = sorted(folders - set(order))
    absent = [slug for slug in order if slug not in folders]
    if repeated or unlisted or absent:
        raise BuildError(f"{order_file} and {tasks_dir} disagree: listed twice {repeated}, folders not listed "
                         f"{unlisted}, listed without a folder {absent}")
    reset_shared_rngs()
    return [load_task(tasks_dir / slug) for slug in order]


# -- building: expected outputs, prompts, checks, JSONL --------------------------------------------------------
def _load_function(program: str, entry_point: str) -> Callable[..., Any]:
    namespace: dict[str, Any] = {"__name__": "__builtin_suite__"}
    exec(compile(program, "<solution>", "exec"), namespace)  # noqa: S102 -- trusted code of the task folders
    return eval(entry_point, namespace)  # fresh object for "Solution().method" entry points


def _call(program: str, entry_point: str, args: tuple[Any, ...]) -> Any:
    return _load_function(program, entry_point)(*copy.deepcopy(args))


def _run_stdio(program: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", program], input=stdin, capture_output=True, text=True,
                          timeout=SUBPROCESS_TIMEOUT_S)


def _args_text(args: tuple[Any, ...]) -> str:
    return ", ".join(repr(a) for a in args)


def _assert_code(entry_point: str, case: Case, expected: list[Any]) -> str:
    """A ``check(candidate)`` test program for one assert case (expected values computed from the reference)."""
    lines = ["def check(candidate):"]
    for args, value in zip(case.calls, expected):
        if case.arg_exprs is not None:
            lines.append(f"    assert candidate({', '.join(case.arg_exprs)}) == {value!r}")
        elif case.check_unmodified:
            lines.append(f"    args = [{_args_text(args)}]")
            lines.append(f"    assert candidate(*args) == {value!r}")
            lines.append(f"    assert args == [{_args_text(args)}], 'the arguments must not be modified'")
        else:
            lines.append(f"    assert candidate({_args_text(args)}) == {value!r}")
    lines.append(f"check({entry_point})")
    return "\n".join(lines) + "\n"


def _function_prompt(d: TaskDef) -> str:
    assert d.entry_point is not None
    try:
        result = _call(d.reference, d.entry_point, d.example)
    except Exception as exc:  # noqa: BLE001 -- the reference's own error, named with the case it met
        raise BuildError(f"{d.task_id}: EXAMPLE: the reference raised {type(exc).__name__}: {exc}") from exc
    is_method = d.entry_point.startswith("Solution().")
    indent = " " * (8 if is_method else 4)
    body = textwrap.indent(d.doc.rstrip("\n"), indent)
    example = f"{indent}>>> {d.entry_point}({_args_text(d.example)})\n{indent}{result!r}\n"
    head = f"class Solution:\n    {d.signature}\n" if is_method else f"{d.signature}\n"
    return f'{head}{indent}"""{body.lstrip()}\n\n{example}{indent}"""\n'


def _stdio_prompt(d: TaskDef) -> str:
    run = _run_stdio(d.reference, d.example)
    if run.returncode != 0:
        raise BuildError(f"{d.task_id}: the reference fails on the prompt example:\n{run.stderr}")
    return (f"{d.doc.rstrip()}\n\nExample input:\n```\n{d.example.rstrip()}\n```\n"
            f"Example output:\n```\n{run.stdout.rstrip()}\n```\n")


def _stdio_ok(expected: str, actual: subprocess.CompletedProcess[str]) -> bool:
    from codegym.sandbox.verdict import stdout_matches

    return actual.returncode == 0 and stdout_matches(expected, actual.stdout)[0]


#: The case helpers of ``cases.py`` that make a test of each kind, for the error that names a misplaced case.
CASE_HELPERS = {"call": "call(*args)", "assert": "call(...), calls(...) or generated(...)", "stdio": "io(stdin)"}


def build_tests(d: TaskDef, cases: list[Case], visible: bool) -> list[Any]:
    """The tests of one split, with expected outputs computed from the reference solution."""
    from codegym.tasks.model import AssertTest, CallTest, StdioTest

    tests: list[Any] = []
    for i, case in enumerate(cases):
        where = f"{d.task_id}: {'VISIBLE' if visible else 'HIDDEN'}[{i}]"
        if (not isinstance(case, Case) or (d.kind == "stdio") != (case.stdin is not None)
                or (d.kind != "stdio" and not case.calls) or (d.kind == "call" and len(case.calls) != 1)):
            raise BuildError(f"{where} is not a test of a {d.kind} task; make it with {CASE_HELPERS[d.kind]}")
        name = case.name if visible else None
        try:
            if case.stdin is not None:
                run = _run_stdio(d.reference, case.stdin)
                if run.returncode != 0 or run.stderr:
                    raise BuildError(f"reference failed with {run.returncode}: {run.stderr[-2000:]}")
                tests.append(StdioTest(stdin=case.stdin, expected_stdout=run.stdout, name=name))
            elif d.kind == "call":
                assert d.entry_point is not None
                args = case.calls[0]
                tests.append(CallTest(entry_point=d.entry_point, args=args,
                                      expected=_call(d.reference, d.entry_point, args), compare=d.compare, name=name))
            else:
                assert d.entry_point is not None
                expected = [_call(d.reference, d.entry_point, args) for args in case.calls]
                tests.append(AssertTest(code=_assert_code(d.entry_point, case, expected), entry_point=d.entry_point,
                                        name=name))
        except BuildError as exc:
            raise BuildError(f"{where}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 -- the reference's own error, named with the case it met
            raise BuildError(f"{where}: the reference raised {type(exc).__name__}: {exc}") from exc
    return tests


def passes(d: TaskDef, program: str, test: Any) -> bool:
    """Whether ``program`` passes one built test, judged locally (trusted code only: references and the
    deliberately wrong solutions of the task folders)."""
    from codegym.sandbox.verdict import values_equal

    try:
        if test.kind == "stdio":
            return _stdio_ok(test.expected_stdout, _run_stdio(program, test.stdin))
        if test.kind == "call":
            return values_equal(test.expected, _call(program, test.entry_point, test.args), test.compare)
        namespace: dict[str, Any] = {"__name__": "__builtin_suite__"}
        exec(compile(program, "<solution>", "exec"), namespace)  # noqa: S102 -- trusted code
        exec(compile(test.code, "<test>", "exec"), namespace)  # noqa: S102 -- generated from our own inputs
        return True
    except subprocess.TimeoutExpired:
        return False
    except Exception:  # noqa: BLE001 -- any exception from the program under test is a failed test
        return False


def build_task(d: TaskDef) -> Any:
    from codegym.tasks.model import Task

    visible = build_tests(d, d.visible, visible=True)
    hidden = build_tests(d, d.hidden, visible=False)
    prompt = _stdio_prompt(d) if d.kind == "stdio" else _function_prompt(d)
    metadata = {"difficulty": d.difficulty, "source": "builtin", "tags": list(d.tags), "test_kind": d.kind,
                "wrong_solutions": [d.wrong], "wrong_solution_bugs": [d.bug]}
    return Task(task_id=d.task_id, prompt=prompt, visible_tests=visible, hidden_tests=hidden,
                entry_point=d.entry_point, reference_solutions=[d.reference], metadata=metadata)


def check_task(d: TaskDef, built: Any) -> list[str]:
    """Everything wrong with one built task (empty when it is consistent)."""
    problems = []
    if d.kind not in KINDS or d.difficulty not in DIFFICULTIES:
        problems.append(f"kind {d.kind!r} / difficulty {d.difficulty!r} not recognised")
    if not 2 <= len(built.visible_tests) <= 4:
        problems.append(f"has {len(built.visible_tests)} visible tests; use 2 to 4")
    if len(built.hidden_tests) < 8 or len(built.hidden_tests) <= len(built.visible_tests):
        problems.append(f"has {len(built.hidden_tests)} hidden tests; use at least 8 and more than the visible ones")
    if (d.kind == "stdio") != (d.entry_point is None):
        problems.append("stdio tasks have no entry point, function tasks need one")
    for i, t in enumerate(built.all_tests):
        payload = t.to_dict()
        for key in ("stdin", "expected_stdout", "args", "expected", "code"):
            size = len(json.dumps(payload.get(key, ""), ensure_ascii=False))
            if size > MAX_TEST_PAYLOAD_CHARS:
                problems.append(f"test {i}: its {key} is {size} characters; keep it under {MAX_TEST_PAYLOAD_CHARS}")
        if not passes(d, d.reference, t):
            problems.append(f"the reference fails test {i}")
    failed_visible = [i for i, t in enumerate(built.visible_tests) if not passes(d, d.wrong, t)]
    if failed_visible:
        problems.append(f"the wrong solution fails visible test(s) {failed_visible}; it must pass every visible test")
    if all(passes(d, d.wrong, t) for t in built.hidden_tests):
        problems.append("the wrong solution passes every hidden test; add a hidden test that exposes its bug")
    return problems


def check_suite(defs: list[TaskDef]) -> list[str]:
    problems = []
    slugs = [d.slug for d in defs]
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        problems.append(f"duplicate slugs: {duplicates}")
    if len(defs) < 60:
        problems.append(f"only {len(defs)} tasks; the suite needs at least 60")
    for kind in KINDS:
        count = sum(d.kind == kind for d in defs)
        if count < 12:
            problems.append(f"only {count} {kind} tasks; the suite needs at least 12 of each kind")
    for difficulty in DIFFICULTIES:
        if not any(d.difficulty == difficulty for d in defs):
            problems.append(f"no {difficulty} tasks")
    return problems


def render(defs: list[TaskDef], verify: bool = True) -> str:
    """The JSONL text of the suite (one task per line, in definition order)."""
    try:
        from tqdm import tqdm
    except ImportError:  # progress bars are optional
        def tqdm(it: Any, **_: Any) -> Any:
            return it

    problems = check_suite(defs)
    lines = []
    for d in tqdm(defs, desc="building tasks", unit="task"):
        built = build_task(d)
        if verify:
            problems += [f"{d.task_id}: {p}" for p in check_task(d, built)]
        lines.append(json.dumps(built.to_dict(), ensure_ascii=False, sort_keys=True))
    if problems:
        raise BuildError("the built-in suite is inconsistent:\n  " + "\n  ".join(problems))
    return "\n".join(lines) + "\n"


def markdown_table(defs: list[TaskDef]) -> str:
    """The task table of ``docs/builtin_suite.md``: one row per difficulty, one column per test kind."""
    rows = ["| difficulty | " + " | ".join(f"{kind} tests" for kind in KINDS) + " | total |",
            "|---|" + "---|" * (len(KINDS) + 1)]
    for level in DIFFICULTIES:
        cells = []
        for kind in KINDS:
            slugs = [d.slug for d in defs if d.difficulty == level and d.kind == kind]
            cells.append(f"**{len(slugs)}**: " + ", ".join(f"`{s}`" for s in slugs))
        rows.append(f"| {level} | " + " | ".join(cells) + f" | {sum(d.difficulty == level for d in defs)} |")
    totals = [str(sum(d.kind == kind for d in defs)) for kind in KINDS]
    rows.append("| **total** | " + " | ".join(totals) + f" | {len(defs)} |")
    return "\n".join(rows) + "\n"


def check_one(folder: Path) -> int:
    """Build and check one task folder, print its prompt and what its tests catch (for authors of a task).

    A folder of the suite is loaded with the whole suite, so that its shared random streams (see
    ``cases.shared_rng``) are where a full build has them; any other folder is loaded alone."""
    folder = folder.resolve()
    in_suite = folder.parent == TASKS_DIR.resolve() and folder.name in read_order()
    d = next(t for t in load_tasks() if t.slug == folder.name) if in_suite else load_task(folder)
    built = build_task(d)
    problems = check_task(d, built)
    print(built.prompt)
    if problems:
        print(f"{d.task_id}:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    caught = [i for i, t in enumerate(built.hidden_tests) if not passes(d, d.wrong, t)]
    print(f"{d.task_id}: {len(built.visible_tests)} visible and {len(built.hidden_tests)} hidden tests; the "
          f"reference passes all, the wrong solution fails hidden test(s) {caught}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed JSONL differs from a rebuild")
    parser.add_argument("--no-verify", action="store_true", help="skip running the wrong solutions (faster)")
    parser.add_argument("--output", type=Path, default=OUTPUT, help=f"where to write (default {OUTPUT})")
    parser.add_argument("--table", action="store_true", help="print the markdown task table of the docs and exit")
    parser.add_argument("--task", type=Path, metavar="FOLDER",
                        help="build and check only this task folder, print its prompt, and write nothing")
    args = parser.parse_args(argv)
    try:
        if args.task is not None:
            return check_one(args.task)
        tasks = load_tasks()
        if args.table:
            print(markdown_table(tasks), end="")
            return 0
        text = render(tasks, verify=not args.no_verify)
    except BuildError as exc:
        print(exc, file=sys.stderr)
        return 1
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date; run python tools/build_builtin_suite.py", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(tasks)} tasks)")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    counts = {k: sum(d.kind == k for d in tasks) for k in KINDS}
    levels = {k: sum(d.difficulty == k for d in tasks) for k in DIFFICULTIES}
    print(f"wrote {len(tasks)} tasks to {args.output} ({len(text) / 1e6:.2f} MB); kinds {counts}; difficulties {levels}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
