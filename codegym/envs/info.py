"""The ``info`` dicts of codegym's envs: the keys every step carries and their shapes.

Every step's info has the same keys and value types, so gymnasium's vector envs can batch it (their batching cannot
mix ``None`` with floats or dicts): missing rates are NaN, ``failing_test`` has fixed fields of fixed types (``{}``
when nothing failed), and nothing whose type the program chooses (the values it returned) is in it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.base import RewardOutput
    from codegym.tasks.model import Task

#: ``info`` key, in every ``reset`` and ``step`` info of ``CodeGen-v0`` and ``CodeRefine-v0``: True when the task
#: has no hidden tests, so its reward is computed on the visible tests (which the agent sees).
NO_HIDDEN_TESTS_KEY = "no_hidden_tests"

#: ``info`` key set on every step of every env (the coder's info in ``CoderTester-v0``): True when the episode
#: solved its task. This is the one definition of success that agents, benchmarks and rollouts read.
SUCCESS_KEY = "success"


def solved(evaluation: ProgramEvaluation | None) -> bool:
    """Whether a program solved its task: every test its reward is computed on passed -- the hidden tests when
    the task has any, else all its tests (:attr:`ProgramEvaluation.hidden_all_passed`). ``None`` (nothing ran,
    e.g. a format error) is not a success. The agent's view suffices: hidden outcomes keep their verdict."""
    return evaluation is not None and bool(evaluation.hidden_all_passed)


#: ``info`` keys of a step that never ran (a format error), so every step's info has the same keys.
EMPTY_SUMMARY: dict[str, Any] = {
    "status": "format_error", "passed": False, "tests_passed": 0, "tests_total": 0, "visible_passed": 0,
    "visible_total": 0, "hidden_passed": 0, "hidden_total": 0, "visible_pass_rate": None,
    "hidden_pass_rate": None, "visible_hidden_gap": None, "error": None, "failing_test": None,
}


#: Summary keys whose value is a rate that may be missing; ``info`` carries NaN instead of None for them.
_RATE_KEYS = ("visible_pass_rate", "hidden_pass_rate", "visible_hidden_gap")


#: The fields of ``info["failing_test"]``, each always of one type (text fields are ``""`` when the outcome has no
#: such text, ``line`` is -1 when unknown). The returned value itself is left out: its type is the program's to
#: choose, and one step's value of another type than another env's would break the vector env's batching.
FAILING_TEST_FIELDS: dict[str, type] = {
    "index": int, "kind": str, "passed": bool, "status": str, "name": str, "message": str, "error_type": str,
    "line": int, "expected": str, "actual": str, "stdin": str, "call": str, "stdout": str, "stderr": str,
    "wall_time_s": float,
}


def failing_test_info(outcome: dict[str, Any] | None) -> dict[str, Any]:
    """``info["failing_test"]``: the failing test's outcome with :data:`FAILING_TEST_FIELDS`, each of its one type;
    ``{}`` when nothing failed."""
    if not outcome:
        return {}
    out: dict[str, Any] = {}
    for key, kind in FAILING_TEST_FIELDS.items():
        value = outcome.get(key)
        if kind is str:
            out[key] = "" if value is None else str(value)
        elif kind is int:  # int64 in a vector env's batch: an index or a line, else unknown
            out[key] = value if type(value) is int and 0 <= value < 1 << 31 else -1
        elif kind is float:
            out[key] = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
        else:
            out[key] = bool(value)
    return out


def step_info(summary: dict[str, Any]) -> dict[str, Any]:
    """An evaluation summary shaped for ``info``: missing rates are NaN (not None) and ``failing_test`` has fixed
    fields of fixed types (``{}`` when nothing failed), so every step's info has the same value types and
    gymnasium's vector envs can batch it (their info batching cannot mix None with floats, or a str into a float
    array)."""
    info = dict(summary)
    for key in _RATE_KEYS:
        if key in info and info[key] is None:
            info[key] = float("nan")
    info["failing_test"] = failing_test_info(info.get("failing_test"))
    return info


def summary_json(evaluation: ProgramEvaluation) -> str:
    """The evaluation summary as compact JSON (for ``ansi`` rendering)."""
    return json.dumps({k: v for k, v in evaluation.summary().items() if k != "failing_test"})


#: ``info["hacking"]`` keys whose value is a number that may be missing; ``info`` carries NaN instead of None.
_HACKING_RATE_KEYS = ("visible_hidden_gap", "process_score", "disagreement")


def process_signal(out: RewardOutput | None) -> list[float] | None:
    """The per-line process signal of a reward's output, for the process/outcome disagreement
    (:attr:`RewardOutput.process_signal <codegym.rewards.base.RewardOutput.process_signal>`: a shaped reward's
    unweighted ``process_line_rewards``, else the line rewards). ``None`` when there is no output or signal."""
    return out.process_signal if out is not None else None


def hacking_info(evaluation: ProgramEvaluation | None, task: Task | None, program: str | None,
                 line_rewards: Sequence[float | None] | None = None) -> dict[str, Any]:
    """:func:`codegym.rewards.hacking.hacking_report` shaped for ``info["hacking"]``.

    Every step gets the same keys and value types so gymnasium's vector envs can batch them: missing numbers
    (no visible or no hidden tests, no process signal) are NaN, ``disagrees`` is False without a process signal
    (``disagreement`` is NaN then, which is how :func:`~codegym.rewards.hacking.hacking_summary` tells the two
    apart), and ``n_test_literals`` counts the ``test_literals`` entries.
    """
    from codegym.rewards.hacking import hacking_report

    report = hacking_report(evaluation, task, program, line_rewards)
    for key in _HACKING_RATE_KEYS:
        if report.get(key) is None:
            report[key] = float("nan")
    report["disagrees"] = bool(report.get("disagrees"))
    report["n_test_literals"] = len(report["test_literals"])
    return report
