"""The built-in suite: its shape (counts, ids, splits, schema) and, through the real sandbox executor, that every
reference passes every test and every deliberately wrong solution passes the visible tests but fails a hidden one."""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from codegym.errors import UnknownTaskError
from codegym.tasks.builtin import (
    BUILTIN_DIFFICULTIES,
    BUILTIN_KINDS,
    BUILTIN_SOURCE,
    BuiltinSuiteError,
    builtin_ids,
    get_builtin,
    load_builtin,
    task_kind,
)
from codegym.tasks.model import Task

ROOT = Path(__file__).resolve().parents[1]
PACKAGED = ROOT / "codegym" / "tasks" / "data" / "builtin.jsonl"


@pytest.fixture(scope="module")
def tasks() -> list[Task]:
    return load_builtin()


# -- shape of the suite ----------------------------------------------------------------------------------------
def test_suite_size_and_unique_ids(tasks: list[Task]) -> None:
    assert len(tasks) >= 60
    ids = [t.task_id for t in tasks]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(i.startswith(f"{BUILTIN_SOURCE}/") for i in ids)
    assert builtin_ids() == ids


def test_every_kind_and_difficulty_is_covered(tasks: list[Task]) -> None:
    kinds = Counter(task_kind(t) for t in tasks)
    assert set(kinds) == set(BUILTIN_KINDS), kinds
    assert all(kinds[k] >= 12 for k in BUILTIN_KINDS), kinds
    levels = Counter(t.difficulty for t in tasks)
    assert set(levels) == set(BUILTIN_DIFFICULTIES), levels
    assert all(levels[d] >= 10 for d in BUILTIN_DIFFICULTIES), levels


def test_every_task_is_complete(tasks: list[Task]) -> None:
    for t in tasks:
        meta = t.metadata
        assert meta["source"] == BUILTIN_SOURCE, t.task_id
        assert meta["difficulty"] in BUILTIN_DIFFICULTIES, t.task_id
        assert meta["tags"] and all(isinstance(tag, str) for tag in meta["tags"]), t.task_id
        assert meta["test_kind"] == task_kind(t), t.task_id
        assert len(meta["wrong_solutions"]) == len(meta["wrong_solution_bugs"]) >= 1, t.task_id
        assert t.reference and t.reference not in meta["wrong_solutions"], t.task_id
        assert 2 <= len(t.visible_tests) <= 4, t.task_id
        assert len(t.hidden_tests) >= 8 and len(t.hidden_tests) > len(t.visible_tests), t.task_id
        assert all(test.name for test in t.visible_tests), f"{t.task_id}: visible tests name the feature they check"
        if task_kind(t) == "stdio":
            assert t.entry_point is None and t.style == "stdio" and "Example input" in t.prompt, t.task_id
        else:
            assert t.entry_point, t.task_id
            assert t.entry_point.split(".")[-1].split("(")[0] in t.prompt, t.task_id
            assert ">>> " in t.prompt, f"{t.task_id}: function prompts carry a doctest example"


def test_hidden_tests_differ_from_visible_tests(tasks: list[Task]) -> None:
    for t in tasks:
        visible = {json.dumps(x.to_dict(), sort_keys=True) for x in t.visible_tests}
        for h in t.hidden_tests:
            d = h.to_dict()
            d.pop("name", None)
            for v in t.visible_tests:
                vd = v.to_dict()
                vd.pop("name", None)
                assert d != vd, f"{t.task_id}: hidden test repeats a visible one"
        assert len(visible) == len(t.visible_tests), t.task_id


def test_schema_round_trip(tasks: list[Task]) -> None:
    for t in tasks:
        again = Task.from_dict(json.loads(t.to_json()))
        assert again.to_dict() == t.to_dict(), t.task_id


def test_packaged_file_is_sorted_json_lines() -> None:
    text = resources.files("codegym.tasks").joinpath("data").joinpath("builtin.jsonl").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) == len(builtin_ids())
    for line in lines:
        assert line == json.dumps(json.loads(line), ensure_ascii=False, sort_keys=True)


# -- the loader API --------------------------------------------------------------------------------------------
def test_filters(tasks: list[Task]) -> None:
    hard = load_builtin("hard")
    assert hard and all(t.difficulty == "hard" for t in hard)
    stdio = load_builtin(kinds="stdio")
    assert stdio and all(task_kind(t) == "stdio" for t in stdio)
    mixed = load_builtin(["easy", "medium"], kinds=["call", "assert"])
    expected = [t.task_id for t in tasks if t.difficulty in ("easy", "medium") and task_kind(t) in ("call", "assert")]
    assert [t.task_id for t in mixed] == expected
    assert sum(len(load_builtin(d)) for d in BUILTIN_DIFFICULTIES) == len(tasks)


@pytest.mark.parametrize("kwargs", [{"difficulty": "extreme"}, {"kinds": ["stdio", "unit"]}, {"kinds": []}])
def test_bad_filters_raise_typed_errors(kwargs: dict) -> None:
    with pytest.raises(BuiltinSuiteError, match="use one or more of"):
        load_builtin(**kwargs)


def test_loaded_tasks_are_independent_copies() -> None:
    first = load_builtin("easy")
    first[0].metadata["difficulty"] = "changed"
    first[0].hidden_tests.clear()
    again = load_builtin("easy")
    assert again[0].metadata["difficulty"] == "easy" and again[0].hidden_tests


def test_get_builtin() -> None:
    first_id = builtin_ids()[0]
    assert get_builtin(first_id).task_id == first_id
    assert get_builtin(first_id.split("/", 1)[1]).task_id == first_id
    with pytest.raises(UnknownTaskError, match="no built-in task"):
        get_builtin("builtin/does-not-exist")


def test_task_spec_resolves_to_the_suite() -> None:
    from codegym.tasks.sources import load_tasks

    assert [t.task_id for t in load_tasks("builtin")] == builtin_ids()


# -- the task folders and the build (tools/) ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def builder():
    """``tools/build_builtin_suite.py`` as a module (absent from an sdist, where these tests skip)."""
    import importlib.util

    path = ROOT / "tools" / "build_builtin_suite.py"
    spec = importlib.util.spec_from_file_location("build_builtin_suite", path)
    if not path.exists() or spec is None or spec.loader is None:
        pytest.skip("tools/build_builtin_suite.py is not present in this checkout")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve string annotations through sys.modules
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return module


def test_committed_file_is_a_fresh_build(builder) -> None:
    """The JSONL is generated: a hand edit, or a task folder changed without a rebuild, is caught here. Every byte
    the build writes is compared (the checks that run the wrong solutions are skipped: the executor tests below
    run them on this same file)."""
    fresh = builder.render(builder.load_tasks(), verify=False)
    committed = PACKAGED.read_text(encoding="utf-8")
    if fresh != committed:
        old = {json.loads(line)["task_id"]: line for line in committed.splitlines()}
        new = {json.loads(line)["task_id"]: line for line in fresh.splitlines()}
        differ = sorted(i for i in old.keys() | new.keys() if old.get(i) != new.get(i)) or "the order of the lines"
        pytest.fail(f"{PACKAGED} is not what tools/builtin_suite/ builds (differs in {differ}); "
                    "run python tools/build_builtin_suite.py and commit the result")


def test_every_folder_is_listed_once_in_the_order(builder, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    shutil.copytree(builder.TASKS_DIR / "signed-digit-sum", tasks / "signed-digit-sum")
    shutil.copytree(builder.TASKS_DIR / "clamp-values", tasks / "clamp-values")
    order = tmp_path / "order.txt"
    order.write_text("# -- easy / call\nsigned-digit-sum  # first\nclamp-values\n", encoding="utf-8")
    assert [d.slug for d in builder.load_tasks(tasks, order)] == ["signed-digit-sum", "clamp-values"]
    order.write_text("signed-digit-sum\nchunk-list\nsigned-digit-sum\n", encoding="utf-8")
    with pytest.raises(builder.BuildError, match=r"listed twice \['signed-digit-sum'\], folders not listed "
                                                  r"\['clamp-values'\], listed without a folder \['chunk-list'\]"):
        builder.load_tasks(tasks, order)


def test_a_malformed_folder_is_refused_by_name(builder, tmp_path: Path) -> None:
    folder = tmp_path / "signed-digit-sum"
    shutil.copytree(builder.TASKS_DIR / folder.name, folder)
    meta = json.loads((folder / "task.json").read_text(encoding="utf-8"))
    (folder / "task.json").write_text(json.dumps({**meta, "difficulty_level": "easy"}), encoding="utf-8")
    with pytest.raises(builder.BuildError, match=r"builtin/signed-digit-sum: task.json .* unknown keys "
                                                  r"\['difficulty_level'\]"):
        builder.load_task(folder)
    (folder / "task.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "wrong.py").unlink()
    with pytest.raises(builder.BuildError, match="has no wrong.py"):
        builder.load_task(folder)


def test_the_build_names_what_is_wrong_with_a_task(builder, tmp_path: Path) -> None:
    folder = tmp_path / "signed-digit-sum"
    shutil.copytree(builder.TASKS_DIR / folder.name, folder)
    good = builder.load_task(folder)
    assert builder.check_task(good, builder.build_task(good)) == []
    # "fixing" the wrong solution leaves the task without a negative control
    shutil.copy(folder / "reference.py", folder / "wrong.py")
    fixed = builder.load_task(folder)
    assert builder.check_task(fixed, builder.build_task(fixed)) == [
        "the wrong solution passes every hidden test; add a hidden test that exposes its bug"]
    # an input the reference crashes on cannot become a test, nor can a case of another kind of task
    inputs = (folder / "inputs.py").read_text(encoding="utf-8")
    (folder / "inputs.py").write_text(inputs.replace("call(5)", "call('5')"), encoding="utf-8")
    with pytest.raises(builder.BuildError, match=r"builtin/signed-digit-sum: HIDDEN\[6\]: the reference raised "
                                                  "TypeError: bad operand type for abs"):
        builder.build_task(builder.load_task(folder))
    stdio_case = inputs.replace("import call", "import call, io").replace("call(5)", "io('5')")
    (folder / "inputs.py").write_text(stdio_case, encoding="utf-8")
    with pytest.raises(builder.BuildError, match=r"HIDDEN\[6\] is not a test of a call task; make it with call"):
        builder.build_task(builder.load_task(folder))


def test_the_wheel_ships_the_jsonl_and_not_the_task_folders(tmp_path: Path) -> None:
    """The package reads only the built file; the sources in tools/ stay out of the wheel."""
    pytest.importorskip("setuptools.build_meta")
    import zipfile

    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("codegym", "agents", "tools"):  # tools/ too, so that a packaging rule that took it would show
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    code = "import sys; from setuptools import build_meta; print(build_meta.build_wheel(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "dist")], cwd=source, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (built,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(built) as wheel:
        names = wheel.namelist()
        assert wheel.read("codegym/tasks/data/builtin.jsonl") == PACKAGED.read_bytes()
    assert not [n for n in names if n.startswith("tools/") or "builtin_suite" in n], names


def test_docs_blocks_run(tmp_path: Path) -> None:
    """docs/builtin_suite.md: the loader example, and a new task folder written and checked with --task."""
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/builtin_suite.md", tmp_path) == 2


# -- a program that memorises the visible tests must fail the hidden ones --------------------------------------
def _visible_answers(task: Task) -> list[tuple[object, object]]:
    """(input, expected) of every visible check: call args, stdin, or the literal calls of an assert test."""
    pairs: list[tuple[object, object]] = []
    for test in task.visible_tests:
        if test.kind == "call":
            pairs.append((list(test.args), test.expected))
        elif test.kind == "stdio":
            pairs.append((test.stdin, test.expected_stdout))
        else:  # "assert candidate(<args>) == <expected>", or "args = [...]" then "assert candidate(*args) == ..."
            named_args: list = []
            for node in ast.walk(ast.parse(test.code)):
                if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["args"]:
                    named_args = ast.literal_eval(node.value)
                if (isinstance(node, ast.Assert) and isinstance(node.test, ast.Compare)
                        and isinstance(node.test.left, ast.Call) and isinstance(node.test.left.func, ast.Name)
                        and node.test.left.func.id == "candidate"):
                    call = node.test.left
                    starred = len(call.args) == 1 and isinstance(call.args[0], ast.Starred)
                    args = list(named_args) if starred else [ast.literal_eval(a) for a in call.args]
                    pairs.append((args, ast.literal_eval(node.test.comparators[0])))
    return pairs


def memorising_program(task: Task) -> str:
    """A test-gaming program: it answers the visible tests from a lookup table and otherwise returns the most
    common visible answer. The hidden tests exist to catch exactly this."""
    pairs = _visible_answers(task)
    answers = [repr(expected) for _, expected in pairs]
    default = max(answers, key=answers.count)  # first of the most common, so the program is deterministic
    if task_kind(task) == "stdio":
        return (f"import sys\nANSWERS = {dict(pairs)!r}\n"
                f"sys.stdout.write(ANSWERS.get(sys.stdin.read(), {default}))\n")
    assert task.entry_point is not None
    body = (f"    for known, expected in ANSWERS:\n        if list(args) == known:\n            return expected\n"
            f"    return {default}\n")
    if task.entry_point.startswith("Solution()."):
        method = task.entry_point.split(".", 1)[1]
        return (f"ANSWERS = {pairs!r}\n\nclass Solution:\n    def {method}(self, *args):\n"
                + body.replace("\n    ", "\n        ").replace("    for", "        for", 1))
    return f"ANSWERS = {pairs!r}\n\ndef {task.entry_point}(*args):\n{body}"


def test_memorising_programs_are_well_formed(tasks: list[Task]) -> None:
    for t in tasks:
        assert len(_visible_answers(t)) >= len(t.visible_tests), t.task_id
        compile(memorising_program(t), t.task_id, "exec")


# -- through the real executor ---------------------------------------------------------------------------------
def _describe(evaluation) -> str:
    fail = evaluation.failing_test
    if fail is None:
        return evaluation.status
    return f"{evaluation.status}: test {fail.index} ({fail.status}) {fail.message or ''} {fail.stderr or ''}"[:600]


@pytest.mark.slow
def test_references_pass_and_wrong_and_memorising_programs_are_caught_only_by_hidden_tests(
        tasks: list[Task], local_executor) -> None:
    from codegym.evaluation import evaluate_many

    pairs = [(t, t.reference) for t in tasks] + [(t, w) for t in tasks for w in t.metadata["wrong_solutions"]]
    memorisers = {id(t): memorising_program(t) for t in tasks}
    pairs += [(t, memorisers[id(t)]) for t in tasks]
    evaluations = evaluate_many(pairs, executor=local_executor)
    problems = []
    for (task, program), ev in zip(pairs, evaluations):
        if program == task.reference:
            if not ev.passed:
                problems.append(f"{task.task_id}: the reference does not pass every test -- {_describe(ev)}")
            continue
        if program == memorisers[id(task)]:
            if ev.visible_passed != ev.visible_total:
                problems.append(f"{task.task_id}: the memorising program fails a visible test -- {_describe(ev)}")
            if ev.hidden_all_passed:
                problems.append(f"{task.task_id}: a program that memorises the visible tests passes every hidden one")
            continue
        if ev.visible_passed != ev.visible_total:
            problems.append(f"{task.task_id}: the wrong solution fails a visible test -- {_describe(ev)}")
        if ev.hidden_all_passed:
            problems.append(f"{task.task_id}: the wrong solution passes every hidden test")
    assert not problems, "\n".join(problems)


def test_a_sample_of_tasks_through_the_executor(local_executor) -> None:
    """A fast subset of the slow test above (one task per kind and difficulty), so the default run covers it."""
    from codegym.evaluation import evaluate_many

    sample: dict[tuple[str, str | None], Task] = {}
    for t in load_builtin():
        sample.setdefault((task_kind(t), t.difficulty), t)
    chosen = list(sample.values())
    pairs = [(t, t.reference) for t in chosen] + [(t, t.metadata["wrong_solutions"][0]) for t in chosen]
    evaluations = evaluate_many(pairs, executor=local_executor)
    n = len(chosen)
    for t, ref, wrong in zip(chosen, evaluations[:n], evaluations[n:]):
        assert ref.passed, f"{t.task_id}: reference -- {_describe(ref)}"
        assert wrong.visible_passed == wrong.visible_total, f"{t.task_id}: wrong solution -- {_describe(wrong)}"
        assert not wrong.hidden_all_passed, f"{t.task_id}: the wrong solution passes every hidden test"


def test_docs_table_lists_every_task() -> None:
    docs = ROOT / "docs" / "builtin_suite.md"
    if not docs.exists():
        pytest.skip("docs/builtin_suite.md is not present in this checkout")
    text = docs.read_text(encoding="utf-8")
    missing = [i for i in builtin_ids() if f"`{i.split('/', 1)[1]}`" not in text]
    assert not missing, f"docs/builtin_suite.md does not list {missing}; regenerate its table with --table"
