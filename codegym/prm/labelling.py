"""Automatic line labels for process reward models, the two published ways.

1. **Mutation / refactoring verification** (PRLCoder, Ye et al. 2025): change one line of a reference solution
   (AST operators from :mod:`codegym.prm.mutations`, or edits proposed by a teacher callable), run the task's
   tests, and label that line positive when the tests still pass and negative when they fail. The lines before
   it are the reference's own lines, from which a passing completion exists (the reference), so they are
   positive; lines after it are left unlabelled.
2. **Binary-search prefix labelling** (PSGPO): for a failing program and a completion policy
   (``prefix -> list of completions``), find by binary search the longest prefix of code lines from which some
   completion still passes. Code lines inside that prefix are +1, the first line after it and every later code
   line -1. It assumes "completable" is monotone in the prefix length (a prefix of a completable prefix is
   completable), as PSGPO does; ``O(log n)`` policy calls per program.

Labels are per line (index i is line i+1): ``+1``, ``-1`` or ``None`` (unlabelled: comments, blank lines,
docstrings, lines past the mutated one). Records round-trip through JSONL (:func:`save_labels`,
:func:`load_labels`).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codegym.errors import SandboxError
from codegym.evaluation import evaluate_many, evaluate_program
from codegym.prm.mutations import OPERATORS, Teacher, program_mutants
from codegym.rewards._util import line_kinds
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.placement import source_lines

if TYPE_CHECKING:
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

#: ``prefix -> completions``: each completion is text appended to the prefix to make a whole program
CompletionPolicy = Callable[[str], Sequence[str]]


@dataclass
class LabelledProgram:
    """One program with per-line labels and where they came from."""

    task_id: str
    program: str
    labels: list[int | None]
    source: str  # "mutation", "reference" or "prefix_search"
    prompt: str = ""
    line: int | None = None  # the mutated line / the first wrong line
    operator: str | None = None
    description: str | None = None
    passed: bool | None = None  # the verdict of the program's own run
    status: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelledProgram:
        try:
            record = cls(**data)
        except TypeError as exc:
            raise RewardConfigError(f"not a labelled-program record ({exc}); expected the fields of "
                                    "codegym.prm.labelling.LabelledProgram") from None
        if len(record.labels) != len(source_lines(record.program)):
            raise RewardConfigError(f"record for {record.task_id!r} has {len(record.labels)} labels for "
                                    f"{len(source_lines(record.program))} lines")
        return record

    @property
    def labelled_lines(self) -> list[tuple[int, int]]:
        """(1-based line, label) for every labelled line."""
        return [(i + 1, lab) for i, lab in enumerate(self.labels) if lab is not None]


def save_labels(records: Iterable[LabelledProgram], path: str | Path) -> int:
    """Write records as JSONL; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8", errors="backslashreplace") as fh:  # lone surrogates as JSON escapes
        for rec in records:
            fh.write(json.dumps(rec.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n


def load_labels(path: str | Path) -> list[LabelledProgram]:
    """Read a JSONL file written by :func:`save_labels`."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                out.append(LabelledProgram.from_dict(json.loads(line)))
            except json.JSONDecodeError as exc:
                raise RewardConfigError(f"{path}: line {number} is not JSON ({exc.msg})") from None
    return out


def label_counts(records: Iterable[LabelledProgram]) -> dict[str, int]:
    """How many +1 / -1 line labels and programs the records hold."""
    counts = {"programs": 0, "positive": 0, "negative": 0}
    for rec in records:
        counts["programs"] += 1
        for lab in rec.labels:
            if lab == 1:
                counts["positive"] += 1
            elif lab == -1:
                counts["negative"] += 1
    return counts


def _prefix_labels(kinds: Sequence[str], last_good_line: int, upto: int | None) -> list[int | None]:
    """+1 on code lines before ``last_good_line`` (exclusive), unlabelled from ``upto`` on."""
    labels: list[int | None] = []
    for i, kind in enumerate(kinds):
        line = i + 1
        if kind != "code" or (upto is not None and line > upto):
            labels.append(None)
        else:
            labels.append(1 if line < last_good_line else None)
    return labels


def mutation_labels(tasks: Sequence[Task], executor: Executor | None = None,
                    operators: Sequence[str] = OPERATORS, teacher: Teacher | None = None,
                    max_mutants_per_task: int | None = None, include_reference: bool = True,
                    limits: Limits | None = None, seed: int = 0,
                    progress: bool = False) -> tuple[list[LabelledProgram], dict[str, Any]]:
    """PRLCoder-style labels for every task with a reference solution.

    The reference is run first; tasks without one, or whose reference fails its own tests, are skipped
    (listed in the returned stats). Every mutant is run against all the task's tests in one parallel batch;
    a mutant whose run ended in a sandbox error gets no label (counted in ``stats["sandbox_errors"]``).
    ``max_mutants_per_task`` keeps a seeded random sample of each task's mutants.

    Returns ``(records, stats)``; ``stats`` has counts of tasks, skipped tasks, mutants and labels.
    """
    rng = random.Random(seed)
    usable = [t for t in tasks if t.reference]
    skipped = {t.task_id: "no reference solution" for t in tasks if not t.reference}
    ref_evals = evaluate_many([(t, t.reference) for t in usable], executor=executor,  # type: ignore[misc]
                              limits=limits)
    jobs: list[tuple[Task, Any]] = []
    records: list[LabelledProgram] = []
    for task, ev in zip(usable, ref_evals):
        if not ev.passed:
            skipped[task.task_id] = f"reference fails its tests ({ev.status})"
            continue
        reference = task.reference or ""
        kinds = line_kinds(reference)
        if include_reference:
            labels = [1 if k == "code" else None for k in kinds]
            records.append(LabelledProgram(task.task_id, reference, labels, "reference", task.prompt,
                                           passed=True, status=ev.status))
        mutants = program_mutants(reference, operators, teacher,
                                  lines=[i + 1 for i, k in enumerate(kinds) if k == "code"])
        if max_mutants_per_task is not None and len(mutants) > max_mutants_per_task:
            mutants = sorted(rng.sample(mutants, max_mutants_per_task), key=lambda m: (m.line, m.operator))
        jobs.extend((task, m) for m in mutants)

    bar = _progress(len(jobs), "mutants") if progress else None
    evaluations = evaluate_many([(t, m.program) for t, m in jobs], executor=executor, limits=limits,
                                progress=(lambda i, e: bar.update(1)) if bar else None)
    if bar:
        bar.close()
    sandbox_errors = 0
    for (task, mutant), ev in zip(jobs, evaluations):
        if ev.status == "sandbox_error":  # the sandbox failed, not the mutant: no label either way
            sandbox_errors += 1
            continue
        kinds = line_kinds(mutant.program)
        labels = _prefix_labels(kinds, mutant.line, mutant.line)
        passed = ev.passed
        labels[mutant.line - 1] = 1 if passed else -1
        records.append(LabelledProgram(task.task_id, mutant.program, labels, "mutation", task.prompt,
                                       line=mutant.line, operator=mutant.operator,
                                       description=mutant.description, passed=passed, status=ev.status))
    stats = {"tasks": len(tasks), "labelled_tasks": len(usable) - sum(1 for t in usable if t.task_id in skipped),
             "skipped": skipped, "mutants": len(jobs), "sandbox_errors": sandbox_errors, **label_counts(records)}
    return records, stats


def prefix_search_labels(task: Task, program: str, policy: CompletionPolicy, executor: Executor | None = None,
                         limits: Limits | None = None) -> LabelledProgram | None:
    """PSGPO's binary-search labels for one program (``None`` when the policy cannot solve the task even from
    an empty prefix, so the search has nothing to anchor on).

    A passing program gets +1 on every code line. For a failing one, with ``c_1 < ... < c_m`` its code lines
    and ``P(k)`` the text up to and including ``c_k`` (``P(0)`` the text before ``c_1``), ``k*`` is the largest
    ``k`` such that some completion of ``P(k)`` passes; code lines ``c_1..c_k*`` get +1 and ``c_{k*+1}..c_m``
    -1. ``meta["policy_calls"]`` counts the prefixes tried.
    """
    kinds = line_kinds(program)
    code = [i + 1 for i, k in enumerate(kinds) if k == "code"]
    own = evaluate_program(task, program, executor, limits=limits)
    if own.status == "sandbox_error":
        raise SandboxError(f"the sandbox failed on the program for {task.task_id}: {own.result.error}")
    if own.passed:
        labels = [1 if k == "code" else None for k in kinds]
        return LabelledProgram(task.task_id, program, labels, "prefix_search", task.prompt, passed=True,
                               status=own.status, meta={"policy_calls": 0})
    lines = source_lines(program, keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    cache: dict[int, bool] = {}

    def prefix(k: int) -> str:
        end = code[k - 1] if k > 0 else (code[0] - 1 if code else len(lines))
        return "".join(lines[:end])

    def completable(k: int) -> bool:
        if k not in cache:
            text = prefix(k)
            candidates = [text + c for c in policy(text)]
            evals = evaluate_many([(task, c) for c in candidates], executor=executor, limits=limits)
            cache[k] = any(e.passed for e in evals)
            if not cache[k] and any(e.status == "sandbox_error" for e in evals):
                raise SandboxError(f"the sandbox failed while checking completions of a {k}-line prefix of "
                                   f"{task.task_id}; labels would be wrong, so none are made")
        return cache[k]

    if not code or not completable(0):
        return None
    lo, hi = 0, len(code)  # completable(lo) is True; P(m) is the failing program itself
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if completable(mid):
            lo = mid
        else:
            hi = mid
    good = set(code[:lo])
    labels = [None if k != "code" else (1 if i + 1 in good else -1) for i, k in enumerate(kinds)]
    first_bad = code[lo] if lo < len(code) else None
    return LabelledProgram(task.task_id, program, labels, "prefix_search", task.prompt, line=first_bad,
                           passed=False, status=own.status, meta={"policy_calls": len(cache)})


def reference_tail_policy(task: Task) -> CompletionPolicy:
    """A completion policy that finishes a prefix with the reference solution's remaining lines, aligned by line
    count. It passes exactly when the prefix agrees with the reference (up to harmless edits), which makes it
    an oracle for tests and a baseline for ``codegym prm label --method prefix --policy reference``."""
    reference = task.reference or ""
    ref_lines = source_lines(reference, keepends=True)

    def complete(prefix: str) -> list[str]:
        n = len(source_lines(prefix))
        return ["".join(ref_lines[n:])]

    return complete


def _progress(total: int, unit: str):
    try:
        from tqdm.auto import tqdm
    except ModuleNotFoundError:  # pragma: no cover - tqdm ships with the cli extra
        return None
    return tqdm(total=total, unit=unit, desc="labelling", leave=False)
