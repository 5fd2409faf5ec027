"""The coder-vs-tester game behind ``CoderTester-v0``: parsing actions, the execution matrix, CURE rewards.

CURE (Wang et al., 2025, "Co-Evolving LLM Coder and Unit Tester via Reinforcement Learning", arXiv:2506.03136;
github.com/Gen-Verse/CURE, ``optimization/reward.py``) scores n generated codes and m generated unit tests on one
task from a binary execution matrix:

* coder reward of code j: its pass rate on the ground-truth tests;
* C = the codes that pass every ground-truth test, W = the others; generated test k gets
  ``sign_k * scale_k`` with ``sign_k = +1`` when every code in C passes k (vacuously when C is empty) and -1
  otherwise; ``scale_k`` = the share of W that k rejects when the sign is +1, the share of W that passes k when it is
  -1 (``normalize=False`` uses counts instead of shares, as CURE's own implementation does). With W empty the test
  cannot tell codes apart and gets 0.

This module is pure logic plus one batched executor call; :mod:`codegym.envs.coder_tester.coder_tester` wraps it
in the PettingZoo API (built as ``codegym.envs.coder_tester_v0.env()``). Each code runs in two requests: the ground-truth tests in one, the tester's tests in another, so a
generated test never shares a process with a ground-truth test.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from codegym.envs.extraction import ActionFormat, extract_code, find_code_blocks

if TYPE_CHECKING:
    from codegym.sandbox.api import ExecutionResult, Executor, Limits
    from codegym.tasks.model import Task, Test


@dataclass
class CureRewards:
    """Rewards of one round. ``correct[j]``: code j passes every ground-truth test."""

    code_rewards: list[float]
    test_rewards: list[float]
    correct: list[bool]


def cure_rewards(gt_pass: np.ndarray, gen_pass: np.ndarray, normalize: bool = True) -> CureRewards:
    """CURE rewards from the execution matrix (see the module docstring).

    Args:
        gt_pass: bool array ``(n_codes, n_ground_truth_tests)``; ``gt_pass[j, l]`` is True when code j passes
            ground-truth test l.
        gen_pass: bool array ``(n_codes, n_generated_tests)``.
        normalize: shares of W (in [-1, 1]) instead of counts.
    """
    gt_pass = np.asarray(gt_pass, dtype=bool).reshape(len(gt_pass), -1)
    gen_pass = np.asarray(gen_pass, dtype=bool).reshape(len(gen_pass), -1)
    if gt_pass.shape[0] != gen_pass.shape[0]:
        raise ValueError(f"gt_pass has {gt_pass.shape[0]} code rows but gen_pass has {gen_pass.shape[0]}")
    n_codes, n_gt = gt_pass.shape
    code_rewards = gt_pass.mean(axis=1) if n_gt else np.zeros(n_codes)
    correct = gt_pass.all(axis=1) if n_gt else np.zeros(n_codes, dtype=bool)
    wrong = ~correct
    n_wrong = int(wrong.sum())
    test_rewards = []
    for k in range(gen_pass.shape[1]):
        column = gen_pass[:, k]
        if n_wrong == 0:
            test_rewards.append(0.0)
            continue
        if bool(column[correct].all()):  # every correct code passes k (vacuous when there is none)
            value = float((~column[wrong]).sum())
        else:
            value = 0.0 - float(column[wrong].sum())  # 0.0 - x avoids a -0.0 reward
        test_rewards.append(value / n_wrong if normalize else value)
    return CureRewards([float(r) for r in code_rewards], test_rewards, [bool(c) for c in correct])


# -- parsing actions -----------------------------------------------------------------------------------------

@dataclass
class ParsedCodes:
    """The coder's programs; ``None`` marks a response with no extractable code (a format error)."""

    programs: list[str | None]
    note: str | None = None


def parse_codes(text: str, n_codes: int, action_format: ActionFormat = "auto") -> ParsedCodes:
    """The coder's action: a JSON list of up to ``n_codes`` responses/programs, or one response.

    Each element is read with :func:`codegym.envs.extraction.extract_code` under ``action_format``. Extra elements
    beyond ``n_codes`` are dropped (and noted).
    """
    items: list[Any] | None = None
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError:
            decoded = None
        if isinstance(decoded, list):
            items = decoded
    if items is None:
        items = [text]
    note = None
    if len(items) > n_codes:
        note = f"{len(items)} codes submitted; only the first {n_codes} are used"
        items = items[:n_codes]
    programs = [extract_code(item, action_format) if isinstance(item, str) else None for item in items]
    return ParsedCodes(programs, note)


@dataclass
class ParsedTests:
    """The tester's tests; ``None`` entries are elements that could not be turned into a test."""

    tests: list[Test | None]
    errors: list[str] = field(default_factory=list)


def parse_tests(text: str, task: Task, n_tests: int) -> ParsedTests:
    """The tester's action, as up to ``n_tests`` tests for ``task``.

    Accepted formats (a fenced block is unwrapped first; the last one wins):

    * a JSON list of objects ``{"input": ..., "output": ...}`` (one object alone is also accepted):
      for a function task ``input`` is the list of positional arguments (a non-list value is the single argument;
      ``{"args": [...], "kwargs": {...}}`` is also accepted) and ``output`` the expected return value; for a
      stdin/stdout task both are strings (stdin text and expected stdout);
    * lines of Python ``assert`` statements (function tasks), one test per line, e.g.
      ``assert add(1, 2) == 3``.
    """
    from codegym.tasks.model import AssertTest

    body = text
    blocks = find_code_blocks(text)
    if blocks:
        body = blocks[-1].code
    stripped = body.strip()
    parsed = ParsedTests([])
    decoded: Any = None
    if stripped[:1] in ("[", "{"):
        try:
            decoded = json.loads(stripped)
        except json.JSONDecodeError as exc:
            parsed.errors.append(f"tests look like JSON but do not parse: {exc.msg} at line {exc.lineno}")
            decoded = None
    if isinstance(decoded, dict):
        decoded = [decoded]
    if isinstance(decoded, list):
        for i, item in enumerate(decoded):
            test, error = _test_from_json(item, task, i)
            parsed.tests.append(test)
            if error:
                parsed.errors.append(error)
    elif not parsed.errors:
        asserts = [line.strip() for line in stripped.splitlines() if line.strip().startswith("assert")]
        if asserts and task.style == "stdio":
            parsed.errors.append("assert tests do not apply to a stdin/stdout task; send JSON "
                                 '[{"input": "<stdin>", "output": "<stdout>"}]')
            parsed.tests.extend([None] * len(asserts))
        elif asserts:
            parsed.tests.extend(AssertTest(code=line, name=f"generated_{i}") for i, line in enumerate(asserts))
        else:
            parsed.errors.append("no tests found: send a JSON list of {\"input\": ..., \"output\": ...} objects "
                                 "or assert lines")
    if len(parsed.tests) > n_tests:
        parsed.errors.append(f"{len(parsed.tests)} tests submitted; only the first {n_tests} are used")
        parsed.tests = parsed.tests[:n_tests]
    return parsed


def _test_from_json(item: Any, task: Task, index: int) -> tuple[Test | None, str | None]:
    from codegym.tasks.model import CallTest, StdioTest

    name = f"generated_{index}"
    if not isinstance(item, dict):
        return None, f"test {index}: expected an object with 'input' and 'output', got {type(item).__name__}"
    if task.style == "stdio" or task.entry_point is None:
        stdin = item.get("input", item.get("stdin"))
        stdout = item.get("output", item.get("stdout", item.get("expected_stdout")))
        if isinstance(stdin, list):
            stdin = "\n".join(str(x) for x in stdin)
        if not isinstance(stdin, str) or not isinstance(stdout, (str, int, float)):
            return None, f"test {index}: a stdin/stdout test needs string 'input' and 'output'"
        if not stdin.endswith("\n"):
            stdin += "\n"
        return StdioTest(stdin=stdin, expected_stdout=str(stdout), name=name), None
    if "output" not in item and "expected" not in item:
        return None, f"test {index}: missing 'output' (the expected return value)"
    expected = item.get("output", item.get("expected"))
    raw = item.get("input", item.get("args", []))
    kwargs: dict[str, Any] = {}
    if isinstance(raw, dict) and ("args" in raw or "kwargs" in raw):
        args, kwargs = raw.get("args", []), raw.get("kwargs", {})
    elif "kwargs" in item:
        args, kwargs = raw, item["kwargs"]
    else:
        args = raw
    if not isinstance(args, list):
        args = [args]
    if not isinstance(kwargs, dict):
        return None, f"test {index}: 'kwargs' must be an object"
    try:
        return CallTest(entry_point=task.entry_point, args=tuple(args), kwargs=kwargs, expected=expected,
                        name=name), None
    except Exception as exc:  # a value the task model rejects
        return None, f"test {index}: {exc}"


# -- one round -----------------------------------------------------------------------------------------------

@dataclass
class RoundResult:
    """What one round produced: the execution matrix and both agents' rewards.

    ``results[j]`` is code j's run on the ground-truth tests, ``tester_results[j]`` its separate run on the
    tester's valid tests (None where nothing ran).
    """

    programs: list[str | None]
    tests: list[Test | None]
    gt_pass: np.ndarray  # (n_codes, n_gt)
    gen_pass: np.ndarray  # (n_codes, n_valid_generated)
    rewards: CureRewards
    test_rewards_all: list[float]  # one per submitted test, invalid ones get invalid_test_reward
    code_rewards_all: list[float]  # one per submitted code, format errors get 0
    results: list[ExecutionResult | None]
    tester_results: list[ExecutionResult | None] = field(default_factory=list)


def tester_task(task: Task, tests: Sequence[Test]) -> Task:
    """``task`` with the tester's tests as its only tests and no reference solution: what a code is run against
    for the generated-test columns, in a request of its own (never with the ground-truth tests)."""
    import dataclasses

    return dataclasses.replace(task, visible_tests=[], hidden_tests=list(tests), reference_solutions=[])


def play_round(task: Task, programs: Sequence[str | None], tests: Sequence[Test | None], executor: Executor,
               limits: Limits | None = None, normalize: bool = True,
               invalid_test_reward: float = -1.0) -> RoundResult:
    """Run every code against the ground-truth tests and, separately, against the valid generated tests.

    Each code gets two requests, all run in parallel: one with the task's own tests (visible and hidden) and one
    with the tester's tests only. A tester's test therefore never runs in a process that holds a ground-truth test,
    so it cannot read or execute one (no oracle), and nothing of the ground-truth runs reaches the tester except
    the pass/fail matrix its reward is defined by.
    """
    from codegym.evaluation import build_request

    valid_tests = [t for t in tests if t is not None]
    n_gt = len(task.all_tests)
    generated = tester_task(task, valid_tests)
    gt_requests, gen_requests, rows = [], [], []
    for j, program in enumerate(programs):
        if program is None:
            continue
        request, _ = build_request(task, program, "all", limits, executor)
        request.request_id = f"{task.task_id}#code{j}"
        gt_requests.append(request)
        if valid_tests:
            gen_request, _ = build_request(generated, program, "hidden", limits, executor)
            gen_request.request_id = f"{task.task_id}#code{j}#tester"
            gen_requests.append(gen_request)
        rows.append(j)
    results_run = executor.run_many([*gt_requests, *gen_requests]) if gt_requests else []
    gt_results, gen_results = results_run[:len(gt_requests)], results_run[len(gt_requests):]
    results: list[ExecutionResult | None] = [None] * len(programs)
    tester_results: list[ExecutionResult | None] = [None] * len(programs)
    gt_pass = np.zeros((len(programs), n_gt), dtype=bool)
    gen_pass = np.zeros((len(programs), len(valid_tests)), dtype=bool)
    for position, (j, result) in enumerate(zip(rows, gt_results)):
        results[j] = result
        for k, outcome in enumerate(result.tests[:n_gt]):  # outcomes come in request order
            gt_pass[j, k] = bool(outcome.passed)
        if gen_results:
            tester_results[j] = gen_results[position]
            for k, outcome in enumerate(gen_results[position].tests[:len(valid_tests)]):
                gen_pass[j, k] = bool(outcome.passed)
    rewards = cure_rewards(gt_pass, gen_pass, normalize)
    test_rewards_all, it = [], iter(rewards.test_rewards)
    for t in tests:
        test_rewards_all.append(next(it) if t is not None else float(invalid_test_reward))
    code_rewards_all = [rewards.code_rewards[j] if programs[j] is not None else 0.0 for j in range(len(programs))]
    return RoundResult(list(programs), list(tests), gt_pass, gen_pass, rewards, test_rewards_all, code_rewards_all,
                       results, tester_results)


def coder_hacking_reports(task: Task, result: RoundResult) -> list[dict[str, Any]]:
    """The reward-hacking report of every submitted code (:func:`codegym.rewards.hacking.hacking_report`), in order.

    Each code's verdict is taken on the task's own tests only (visible then hidden, as :func:`play_round` ran
    them); the tester's generated tests are not part of the visible-vs-hidden gap. A code without an extractable
    program gets the empty report (no gap, no literals). Missing numbers stay ``None`` here (PettingZoo infos are
    never batched, and None compares equal to itself where NaN would not, which PettingZoo's seed test needs).
    """
    import dataclasses

    from codegym.evaluation import ProgramEvaluation
    from codegym.rewards.hacking import hacking_report

    n_ground_truth = len(task.all_tests)
    reports = []
    for program, executed in zip(result.programs, result.results):
        evaluation = None
        if program is not None and executed is not None:
            own_tests = dataclasses.replace(executed, tests=executed.tests[:n_ground_truth])
            evaluation = ProgramEvaluation(task.task_id, program, own_tests, len(task.visible_tests), "all")
        reports.append(hacking_report(evaluation, task, program))
    return reports
