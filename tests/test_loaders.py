"""Benchmark loaders, format detection and task-spec resolution (codegym.tasks.loaders / sources)."""

from __future__ import annotations

import base64
import gzip
import json
import os
import pickle
import pickletools
import shutil
import zlib
from functools import partial
from pathlib import Path

import pytest

from codegym.errors import (
    CodegymError,
    TaskConfigError,
    TaskFormatError,
    UnknownTaskError,
    UnsupportedLanguageError,
)
from codegym.evaluation import call_reference
from codegym.tasks.formats.check_split import assert_tests_from_check, parse_check_program
from codegym.tasks.formats.livecodebench import StrOnlyUnpickler, decode_private_tests
from codegym.tasks.formats.mbpp import infer_entry_point
from codegym.tasks.formats.preambles import LEETCODE_PREAMBLE
from codegym.tasks.loaders import LOADERS, detect_format, load_file, load_hf_dataset, load_records
from codegym.tasks.model import AssertTest, CallTest, StdioTest, Task
from codegym.tasks.sources import get_task, load_tasks

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATASETS = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
HUMANEVAL_FILE = DATASETS / "HumanEval.jsonl.gz"
LEETCODE_FILE = DATASETS / "rllm-leetcode-test.json.gz"
PWNED_MARKER = Path("/tmp/codegym-lcb-pickle-pwned")

needs_humaneval = pytest.mark.skipif(not HUMANEVAL_FILE.exists(), reason="HumanEval.jsonl.gz not available")
needs_leetcode = pytest.mark.skipif(not LEETCODE_FILE.exists(), reason="rllm-leetcode-test.json.gz not available")


def fixture(name: str) -> Path:
    return FIXTURES / name


def by_id(tasks: list[Task]) -> dict[str, Task]:
    return {t.task_id: t for t in tasks}


# -- registry and detection ------------------------------------------------------------------------------------

def test_registry_names() -> None:
    assert set(LOADERS) == {"humaneval", "mbpp", "apps", "codecontests", "livecodebench", "deepcoder", "leetcode",
                            "codegym"}


@pytest.mark.parametrize(("name", "expected"), [
    ("humaneval_sample.jsonl", "humaneval"), ("humanevalplus_sample.jsonl", "humaneval"),
    ("mbpp_original_sample.jsonl", "mbpp"), ("mbpp_sanitized_sample.json", "mbpp"), ("apps_sample.jsonl", "apps"),
    ("codecontests_sample.jsonl", "codecontests"), ("livecodebench_sample.jsonl", "livecodebench"),
    ("deepcoder_sample.jsonl", "deepcoder"), ("leetcode_sample.json", "leetcode"), ("codegym_sample.jsonl", "codegym"),
])
def test_detect_format_from_first_record(name: str, expected: str) -> None:
    from codegym.tasks.loaders import read_records

    first = next(iter(read_records(fixture(name)))).data
    assert detect_format(first) == expected


def test_detect_format_rejects_unknown_fields_with_advice() -> None:
    with pytest.raises(TaskFormatError, match="pass format="):
        detect_format({"foo": 1, "bar": 2})


def test_format_override_and_aliases() -> None:
    # The LeetCode records are also valid DeepCoder records; the override picks the converter.
    forced = load_file(fixture("leetcode_sample.json"), format="deepcoder")
    assert forced[0].task_id == "deepcoder/0" and forced[0].metadata["source"] == "deepcoder"
    assert load_file(fixture("apps_sample.jsonl"), format="TACO")[0].task_id == "apps/4000"
    with pytest.raises(TaskFormatError, match="unknown task format 'nope'"):
        load_file(fixture("apps_sample.jsonl"), format="nope")
    # Forcing a wrong format gives a record-level error naming the line.
    with pytest.raises(TaskFormatError, match=r"apps_sample.jsonl: line 1: humaneval record: missing"):
        load_file(fixture("apps_sample.jsonl"), format="humaneval")


# -- HumanEval -------------------------------------------------------------------------------------------------

def test_humaneval_fixture() -> None:
    tasks = by_id(load_file(fixture("humaneval_sample.jsonl")))
    task = tasks["HumanEval/0"]
    assert task.entry_point == "has_close_elements"
    assert task.visible_tests == [] and len(task.hidden_tests) == 1
    test = task.hidden_tests[0]
    assert isinstance(test, AssertTest) and test.entry_point == "has_close_elements"
    assert test.code.rstrip().endswith("check(has_close_elements)")
    assert "def check(candidate):" in test.code
    assert task.completion_prefix == task.prompt
    assert task.reference.startswith(task.prompt) and "return False" in task.reference
    assert task.program_from_completion("    return True\n") == task.prompt + "    return True\n"
    assert task.metadata["source"] == "humaneval"


def test_humaneval_visible_split_of_check_statements() -> None:
    task = by_id(load_file(fixture("humaneval_sample.jsonl"), visible=1))["HumanEval/0"]
    assert len(task.visible_tests) == 1 and len(task.hidden_tests) == 2
    pieces = [t.code for t in task.all_tests]
    assert "0.3) == True" in pieces[0] and "0.05" not in pieces[0]
    assert "0.05) == False" in pieces[1] and "0.3) == True" not in pieces[1]
    for code in pieces:  # every piece is a complete program with the check call and what it needs of the prelude
        compile(code, "<piece>", "exec")
        assert "METADATA" not in code and code.rstrip().endswith("check(has_close_elements)")
    # A check() whose only assertion sits in a loop cannot be split: it stays one hidden test.
    loop = by_id(load_file(fixture("humaneval_sample.jsonl"), visible=2))["HumanEval/32"]
    assert loop.visible_tests == [] and len(loop.hidden_tests) == 1
    # A fraction works too and hidden tests are never emptied.
    task = by_id(load_file(fixture("humaneval_sample.jsonl"), visible=1.0))["HumanEval/0"]
    assert len(task.visible_tests) == 2 and len(task.hidden_tests) == 1


def test_check_splitting_keeps_setup_statements_in_order() -> None:
    program = ("import math\n\ndef check(candidate):\n    \"\"\"doc\"\"\"\n    xs = [1, 2]\n"
               "    assert candidate(xs) == 3\n    ys = [1, 2, 3]\n    for y in ys:\n        assert candidate([y]) == y\n"
               "    assert candidate([4, 2]) == 6; assert True\n\ncheck(f)\n")
    parsed = parse_check_program(program)
    assert parsed is not None and parsed.call_target == "f" and parsed.param == "candidate"
    # Statements joined by ";" are separate; "assert True" reads nothing, so it is setup.
    assert parsed.pieces[2:] == ["assert candidate([4, 2]) == 6"]
    assert len(parsed.pieces) == 3 and parsed.setup == ["xs = [1, 2]", "ys = [1, 2, 3]", "assert True"]
    visible, hidden = assert_tests_from_check(program, "f", 2)
    assert len(visible) == 2 and len(hidden) == 1
    namespace: dict = {}
    for test in [*visible, *hidden]:
        exec(compile("def f(v):\n    return sum(v)\n" + test.code, "<t>", "exec"), namespace)  # noqa: S102
    # The loop piece needs ``ys``, defined by a setup statement after the first assertion; no piece gets another's.
    assert "ys = [1, 2, 3]" in visible[1].code and "xs = [1, 2]" not in visible[1].code
    assert "import math" in visible[1].code
    broken = "def f(v):\n    return 0\n" + visible[1].code
    with pytest.raises(AssertionError):
        exec(compile(broken, "<t>", "exec"), {})  # noqa: S102


@pytest.mark.parametrize("program", [
    # a table of cases every assertion reads: a visible piece would show the hidden pieces' expected values
    "def check(candidate):\n    cases = [(0, 'zero'), (1, 'SECRET1'), (2, 'SECRET2')]\n"
    "    assert candidate(cases[0][0]) == cases[0][1]\n    assert candidate(cases[1][0]) == cases[1][1]\n"
    "    assert candidate(cases[2][0]) == cases[2][1]\n\ncheck(f)\n",
    # an assertion on a variable (it never names the candidate) is an assertion, never setup copied everywhere
    "def check(candidate):\n    assert candidate(0) == 'zero'\n    out = candidate(1)\n    assert out == 'SECRET1'\n"
    "    assert candidate(2) == 'SECRET2'\n\ncheck(f)\n",
    # module-level data the pieces share
    "EXPECTED = {1: 'SECRET1', 2: 'SECRET2'}\n\ndef check(candidate):\n    assert candidate(0) == 'zero'\n"
    "    assert candidate(1) == EXPECTED[1]\n    assert candidate(2) == EXPECTED[2]\n\ncheck(f)\n",
    # names one piece binds (a loop's targets) and another reads: split, they would be unbound (or the program's)
    "def check(candidate):\n    for n, out in [(1, 'SECRET1')]:\n        assert candidate(n) == out\n"
    "    assert candidate(n + 1) == out + 'SECRET2'\n\ncheck(f)\n",
    # one piece's own table holds another piece's expected value
    "def check(candidate):\n    exp = {1: 'one', 5: 'SECRET5'}\n    assert candidate(1) == exp[1]\n"
    "    assert candidate(5) == 'SECRET5'\n\ncheck(f)\n",
    # names read at run time, which no static split can follow
    "def check(candidate):\n    cases = {1: 'SECRET1'}\n    assert candidate(0) == 'zero'\n"
    "    assert candidate(1) == eval('cases')[1]\n\ncheck(f)\n",
])
def test_check_splitting_never_shows_one_pieces_data_with_another(program) -> None:
    """Any piece may become visible, so no visible piece may carry what another asserts: a program whose pieces
    share data is kept whole (hidden); otherwise no visible piece holds a hidden piece's expected value."""
    visible, hidden = assert_tests_from_check(program, "f", 1)
    shown = "\n".join(t.code for t in visible)
    assert "SECRET" not in shown, shown
    assert hidden and any("SECRET" in t.code for t in hidden)


def test_check_splitting_skips_definitions_and_vacuous_asserts() -> None:
    program = ("def check(candidate):\n    def same(a, b):\n        assert a == b\n"
               "    assert True, 'This prints if this assert fails 1 (good for debugging!)'\n"
               "    assert candidate(2) == 2\n    assert candidate(3) == 3\n\ncheck(f)\n")
    parsed = parse_check_program(program)
    assert parsed is not None
    assert parsed.pieces == ["assert candidate(2) == 2", "assert candidate(3) == 3"]
    visible, hidden = assert_tests_from_check(program, "f", 1)
    assert len(visible) == 1 and len(hidden) == 1 and "candidate(3)" not in visible[0].code
    with pytest.raises(AssertionError):
        exec(compile("def f(x):\n    return 0\n" + visible[0].code, "<t>", "exec"), {})  # noqa: S102
    # A statement that calls a helper (whose asserts run inside it) binds nothing and would stand in every piece,
    # with its arguments: such a program is not split.
    helper_call = program.replace("    assert candidate(2) == 2\n", "    same(candidate(1), 1)\n    assert candidate(2) == 2\n")
    assert assert_tests_from_check(helper_call, "f", 1)[0] == []


def test_humaneval_plus_outputs_in_file_become_call_tests() -> None:
    tasks = by_id(load_file(fixture("humanevalplus_sample.jsonl")))
    add = tasks["HumanEval/53"]
    assert add.metadata["source"] == "humaneval+" and add.metadata["plus_tests"] == 5
    calls = [t for t in add.hidden_tests if isinstance(t, CallTest)]
    assert [(c.args, c.expected) for c in calls] == [((0, 1), 1), ((1, 0), 1), ((2, 3), 5), ((-5, 7), 2),
                                                     ((1000, -1000), 0)]
    assert all(c.entry_point == "add" and c.compare == "strict" for c in calls)
    # Inputs without outputs and without compute_expected: the base test only, as documented.
    trunc = tasks["HumanEval/2"]
    assert len(trunc.hidden_tests) == 1 and isinstance(trunc.hidden_tests[0], AssertTest)
    assert "plus_tests" not in trunc.metadata
    # find_zero has many correct answers: no reference-valued call tests for it even when outputs are given.
    record = {"task_id": "HumanEval/32", "prompt": "def find_zero(xs):\n", "entry_point": "find_zero",
              "canonical_solution": "    return 0.0\n", "test": "def check(candidate):\n    assert candidate([0, 1]) == 0\n",
              "base_input": [[[0, 1]]], "base_output": [0.0]}
    (zero,) = load_records([record])
    assert len(zero.hidden_tests) == 1 and "plus_skipped" in zero.metadata


MBPP_PLUS_EVALPLUS_RECORD = {
    "task_id": "Mbpp/17", "entry_point": "square_perimeter",
    "prompt": '"""\nWrite a function that returns the perimeter of a square given its side length as input.\n'
              'assert square_perimeter(10)==40\n"""\n',
    "canonical_solution": "\ndef square_perimeter(a):\n  return 4*a\n",
    "base_input": [[10], [5], [4]], "plus_input": [[3.5], [0]], "atol": 0,
}


def test_evalplus_release_records_without_test_program() -> None:
    with pytest.raises(TaskFormatError, match="compute_expected=codegym.evaluation.call_reference"):
        load_records([MBPP_PLUS_EVALPLUS_RECORD])
    (task,) = load_records([{**MBPP_PLUS_EVALPLUS_RECORD, "assertion": "assert square_perimeter(10)==40"}])
    assert task.metadata["source"] == "evalplus" and task.entry_point == "square_perimeter"
    assert [t.code for t in task.hidden_tests] == ["assert square_perimeter(10)==40\n"]
    compile(task.reference, "<reference>", "exec")


def test_compute_expected_takes_the_callers_runner() -> None:
    """The loader asks the caller's runner for the reference's values; it never runs anything itself."""
    from codegym.tasks.formats.reference_outputs import ReferenceCall

    seen = []

    def runner(program, entry_point, arg_lists, *, setup_code=""):
        seen.append((entry_point, [tuple(a) for a in arg_lists]))
        # the value the reference would return, except on 4, where it "failed"
        return [ReferenceCall(False, error="boom") if a == (4,) else ReferenceCall(True, 4 * a[0]) for a in arg_lists]

    (task,) = load_records([MBPP_PLUS_EVALPLUS_RECORD], compute_expected=runner)
    assert seen == [("square_perimeter", [(10,), (5,), (4,), (3.5,), (0,)])]
    assert [(t.args, t.expected) for t in task.hidden_tests] == [((10,), 40), ((5,), 20), ((3.5,), 14.0), ((0,), 0)]
    assert task.metadata["plus_dropped"] == 1


def test_compute_expected_refuses_what_is_not_a_runner() -> None:
    # The caller's mistake is raised once, typed, never skipped record by record.
    with pytest.raises(TaskConfigError, match="compute_expected takes a function"):
        load_records([MBPP_PLUS_EVALPLUS_RECORD], compute_expected=True, on_error="skip")
    with pytest.raises(TaskConfigError, match=r"unknown loader option\(s\) \['executor'\].*call_reference"):
        load_file(fixture("humanevalplus_sample.jsonl"), executor=object())
    with pytest.raises(TaskConfigError, match="returned 0 results for 5 inputs"):
        load_records([MBPP_PLUS_EVALPLUS_RECORD], compute_expected=lambda *a, **k: [], on_error="skip")


def test_the_task_layer_never_imports_the_sandbox() -> None:
    """Loading every fixture format (tagged values included) imports nothing above the task layer."""
    import subprocess
    import sys

    code = ("import sys, pathlib, codegym; before = set(sys.modules); from codegym.tasks.sources import load_tasks; "
            f"[load_tasks(str(p)) for p in sorted(pathlib.Path({str(FIXTURES)!r}).glob('*_sample.*'))]; "
            "load_tasks('builtin'); load_tasks('micro:5'); "
            "print(sorted(m for m in set(sys.modules) - before if m.startswith('codegym.') and m.split('.')[1] not in "
            "('errors', 'parsing', 'extraction', 'runtime', 'tasks')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1]).stdout.strip()
    assert out == "[]"


@needs_humaneval
def test_real_humaneval_file() -> None:
    tasks = load_file(HUMANEVAL_FILE)
    assert len(tasks) == 164
    assert [t.task_id for t in tasks] == [f"HumanEval/{i}" for i in range(164)]
    assert tasks[0].entry_point == "has_close_elements" and tasks[163].entry_point == "generate_integers"
    for task in tasks:
        (test,) = task.hidden_tests
        assert test.code.rstrip().endswith(f"check({task.entry_point})")
        assert task.completion_prefix == task.prompt
        compile(task.reference, task.task_id, "exec")
    split = load_file(HUMANEVAL_FILE, visible=1)
    assert sum(1 for t in split if t.visible_tests) > 150  # nearly every check() has several assertions
    for task in split:
        for test in task.all_tests:
            compile(test.code, task.task_id, "exec")


# -- MBPP ------------------------------------------------------------------------------------------------------

def test_mbpp_original_and_sanitized() -> None:
    original = by_id(load_file(fixture("mbpp_original_sample.jsonl")))
    task = original["mbpp/2"]
    assert task.entry_point == "similar_elements"
    assert len(task.visible_tests) == 1 and len(task.hidden_tests) == 2
    assert "set(similar_elements((3, 4, 5, 6)" in task.prompt  # the visible test is shown in the prompt
    assert "\r" not in task.reference
    prime = original["mbpp/3"]
    assert prime.entry_point == "is_not_prime"
    assert len(prime.hidden_tests) == 3 and prime.hidden_tests[-1].name == "challenge[0]"
    assert all(t.code.startswith("import math\n") for t in prime.all_tests)  # test_setup_code
    assert prime.setup_code == ""  # test_setup_code is setup for the tests: it runs after the program
    sanitized = by_id(load_file(fixture("mbpp_sanitized_sample.json")))
    assert sanitized["mbpp/4"].entry_point == "heap_queue_largest"
    assert sanitized["mbpp/4"].setup_code == ""  # no test_imports
    perimeter = sanitized["mbpp/17"]
    assert perimeter.entry_point == "square_perimeter"  # not math.isclose
    assert perimeter.all_tests[0].code.startswith("import math\n")  # test_imports
    assert perimeter.setup_code == "import math\n"  # ... which MBPP's harness runs before the program too
    assert perimeter.metadata["variant"] == "sanitized"
    fidelity = by_id(load_file(fixture("mbpp_sanitized_fidelity.json")))  # tests/test_sandbox_fidelity.py's
    assert len(fidelity) == 18 and fidelity["mbpp/17"].setup_code == "import math\n"
    assert fidelity["mbpp/9002"].setup_code == "import re\n" and fidelity["mbpp/9001"].setup_code == ""
    assert fidelity["mbpp/9001"].entry_point == "shared_elements"  # inside set(...)
    hidden_only = by_id(load_file(fixture("mbpp_sanitized_sample.json"), visible=0))["mbpp/4"]
    assert hidden_only.visible_tests == [] and "`heap_queue_largest`" in hidden_only.prompt


def test_mbpp_test_imports_become_setup_code_and_stay_in_the_tests() -> None:
    record = {"task_id": 7, "prompt": "Circle area.",
              "code": "import math\ndef area(r):\n    return math.pi * r * r\n",
              "test_imports": ["import math", "from fractions import Fraction"],
              "test_list": ["assert math.isclose(area(1), math.pi)", "assert area(Fraction(0)) == 0"]}
    (task,) = load_records([record])
    assert task.setup_code == "import math\nfrom fractions import Fraction\n"
    assert [t.code for t in task.all_tests] == [
        "import math\nfrom fractions import Fraction\nassert math.isclose(area(1), math.pi)\n",
        "import math\nfrom fractions import Fraction\nassert area(Fraction(0)) == 0\n"]
    assert Task.from_dict(json.loads(task.to_json())).setup_code == task.setup_code
    (original,) = load_records([{"task_id": 8, "text": "Circle area.", "code": record["code"],
                                 "test_setup_code": "import math", "test_list": record["test_list"][:1],
                                 "challenge_test_list": []}])
    assert original.setup_code == "" and original.all_tests[0].code.startswith("import math\n")


def test_mbpp_plus() -> None:
    similar, perimeter = load_file(fixture("mbppplus_sample.jsonl"))
    assert similar.metadata["source"] == "mbpp+" and similar.entry_point == "similar_elements"
    plus = similar.hidden_tests[-1]
    assert isinstance(plus, AssertTest) and plus.name == "plus" and "results = [(4, 5)" in plus.code
    assert len(similar.visible_tests) == 1 and len(similar.hidden_tests) == 2
    # Inputs without outputs: base tests only unless compute_expected (see the sandbox tests below).
    assert perimeter.metadata["source"] == "mbpp+" and len(perimeter.all_tests) == 1


def test_mbpp_entry_point_inference() -> None:
    assert infer_entry_point(["assert abs(round(f(2), 1)) == 1"], "") == "f"
    assert infer_entry_point(["assert helper(g(1)) == 2"], "def g(x):\n    return x\n") == "g"
    with pytest.raises(TaskFormatError, match="entry point"):
        infer_entry_point(["assert len([1]) == 1"], "")


# -- APPS ------------------------------------------------------------------------------------------------------

def test_apps_stdio_and_call_tests() -> None:
    tasks = by_id(load_file(fixture("apps_sample.jsonl")))
    stdio = tasks["apps/4000"]
    assert stdio.entry_point is None and stdio.style == "stdio"
    assert [(t.stdin, t.expected_stdout) for t in stdio.hidden_tests] == [("1 2\n", "3\n"), ("10 -3\n", "7\n"),
                                                                         ("0 0\n", "0\n")]
    assert len(stdio.reference_solutions) == 2 and stdio.metadata["difficulty"] == "easy"
    assert "standard input" in stdio.prompt
    two_sum = tasks["apps/4001"]
    assert two_sum.entry_point == "Solution().twoSum"
    first = two_sum.hidden_tests[0]
    assert isinstance(first, CallTest) and first.args == ([2, 7, 11, 15], 9) and first.expected == [0, 1]
    assert two_sum.metadata["apps_difficulty"] == "interview" and "class Solution" in two_sum.prompt
    square = tasks["apps/4002"]
    assert square.entry_point == "square" and [t.expected for t in square.hidden_tests] == [4, 9, 0]
    assert "sys.setrecursionlimit" in square.setup_code
    visible = by_id(load_file(fixture("apps_sample.jsonl"), visible=1))["apps/4000"]
    assert len(visible.visible_tests) == 1 and len(visible.hidden_tests) == 2


# A call-based APPS row as codeparrot/apps stores it (every column a string, input_output a JSON string). JSON
# turned the int keys of the dict argument/result into strings; the judges (hendrycks/apps
# eval/testing_util.py, FlagOpen/TACO metrics/testing_util.py process_input_output) turn them back with int(k).
APPS_DICT_RECORD = {
    "problem_id": 2645, "difficulty": "introductory", "url": "https://www.codewars.com/kata/double-values",
    "question": "Double every value of the dictionary `d`.",
    "solutions": json.dumps(["def double_values(d):\n    return {k: 2 * v for k, v in d.items()}\n"]),
    "input_output": json.dumps({"fn_name": "double_values",
                                "inputs": [[{"1": 2, "3": 4}], [{"a": 1}], [{}]],
                                "outputs": [[{"1": 4, "3": 8}], [{"a": 2}], [{}]]}),
    "starter_code": "def double_values(d):\n\t",
}


def test_apps_call_based_dict_keys_are_restored_like_the_judge() -> None:
    (task,) = load_records([APPS_DICT_RECORD])
    assert task.entry_point == "double_values"
    assert [(t.args, t.expected) for t in task.hidden_tests] == [
        (({1: 2, 3: 4},), {1: 4, 3: 8}),  # integer keys restored
        (({"a": 1},), {"a": 2}),  # a key that is not an integer: the dict stays as it is
        (({},), {}),
    ]
    round_trip = Task.from_dict(json.loads(task.to_json()))
    assert round_trip.hidden_tests[0].args == ({1: 2, 3: 4},) and round_trip.hidden_tests[0].expected == {1: 4, 3: 8}


def test_apps_empty_fields_as_in_the_hub_release() -> None:
    # codeparrot/apps: "non-empty solutions and input_output features can be parsed" -- some rows have "" there.
    record = {"problem_id": 4999, "question": "q", "solutions": "", "input_output": "", "difficulty": "interview",
              "url": "https://codeforces.com/problemset/problem/1/A", "starter_code": ""}
    with pytest.raises(TaskFormatError, match="record 1: apps record: input_output is empty"):
        load_records([record])
    with pytest.raises(TaskFormatError, match="field 'input_output' is not valid JSON"):
        load_records([{**record, "input_output": "{\"inputs\": [\"1\\n\"]"}])
    (task,) = load_records([{**record, "input_output": json.dumps({"inputs": ["1\n"], "outputs": ["1\n"]})}])
    assert task.reference_solutions == [] and task.style == "stdio"
    # Copies that were parsed already (the card's json.loads recipe, saved again) hold objects, not JSON text.
    parsed = {**APPS_DICT_RECORD, "input_output": json.loads(APPS_DICT_RECORD["input_output"]),
              "solutions": json.loads(APPS_DICT_RECORD["solutions"])}
    assert load_records([parsed])[0].to_dict() == load_records([APPS_DICT_RECORD])[0].to_dict()


# One BAAI/TACO row with all 17 columns of its dataset card (load_dataset("BAAI/TACO")): every column is a string;
# raw_tags/tags/skill_types are Python list literals the card parses with eval(), and there is no id column.
TACO_RECORD = {
    "question": "Polycarp has $n$ coins; print how many pockets he needs.\n\n-----Input-----\n...",
    "solutions": json.dumps(["from collections import Counter\nn = int(input())\n"
                             "print(max(Counter(input().split()).values()))\n"]),
    "starter_code": "",
    "input_output": json.dumps({"inputs": ["6\n1 2 4 3 3 2\n", "1\n100\n"], "outputs": ["2\n", "1\n"]}),
    "difficulty": "EASY", "raw_tags": "['implementation']", "name": None, "source": "codeforces",
    "tags": "['Implementation']", "skill_types": "[]", "url": "https://codeforces.com/problemset/problem/1003/A",
    "Expected Auxiliary Space": None, "time_limit": "1 second", "date": "2018-06-28", "picture_num": "0",
    "memory_limit": "256 megabytes", "Expected Time Complexity": None,
}


def test_taco_record_with_its_extra_columns() -> None:
    from codegym.tasks.loaders import detect_format

    assert detect_format(TACO_RECORD) == "apps"
    (task,) = load_records([TACO_RECORD])
    assert task.task_id == "taco/0" and task.style == "stdio"
    assert [(t.stdin, t.expected_stdout) for t in task.hidden_tests] == [("6\n1 2 4 3 3 2\n", "2\n"), ("1\n100\n", "1\n")]
    meta = task.metadata
    assert meta["source"] == "taco" and meta["difficulty"] == "easy" and meta["taco_difficulty"] == "EASY"
    assert meta["tags"] == ["Implementation"] and meta["raw_tags"] == ["implementation"]
    assert "skill_types" not in meta  # "[]": nothing to keep
    assert meta["platform"] == "codeforces" and meta["time_limit"] == "1 second"
    assert meta["memory_limit"] == "256 megabytes" and meta["date"] == "2018-06-28"
    # Some stdin rows give an input/output as a list of lines; TACO's execute_std_code joins them with "\n".
    lines = {**TACO_RECORD, "input_output": json.dumps({"inputs": [["2", "1 1"]], "outputs": [["2"]]})}
    (task,) = load_records([lines])
    assert [(t.stdin, t.expected_stdout) for t in task.hidden_tests] == [("2\n1 1\n", "2\n")]
    # TACO's call-based rows carry fn_name and a class Solution starter (LeetCode) or a bare def (Codewars).
    call = {**TACO_RECORD, "input_output": json.dumps({"fn_name": "addDigits", "inputs": [[38], [0]],
                                                       "outputs": [[2], [0]]}),
            "starter_code": "class Solution:\n    def addDigits(self, num: int) -> int:\n        ",
            "skill_types": "['Data structures']", "difficulty": "MEDIUM_HARD"}
    (task,) = load_records([call])
    assert task.entry_point == "Solution().addDigits" and [t.expected for t in task.hidden_tests] == [2, 0]
    assert task.metadata["skill_types"] == ["Data structures"] and task.metadata["difficulty"] == "medium"


# -- CodeContests ----------------------------------------------------------------------------------------------

def test_codecontests_split_and_python3_solutions() -> None:
    (task,) = load_file(fixture("codecontests_sample.jsonl"))
    assert task.task_id == "codecontests/1548_A. Web of Lies"
    assert [t.stdin for t in task.visible_tests] == ["3\n"]
    assert [t.stdin for t in task.hidden_tests] == ["0\n", "100\n", "7\n", "-2\n"]
    assert task.reference_solutions == ["print(2 * int(input()))\n"]  # C++ and Python 2 skipped
    assert task.metadata["codecontests_difficulty"] == "A" and task.metadata["difficulty"] == "easy"
    assert task.metadata["platform"] == "codeforces" and task.metadata["time_limit_s"] == 2.0
    (no_gen,) = load_file(fixture("codecontests_sample.jsonl"), include_generated=False)
    assert len(no_gen.hidden_tests) == 2
    (pooled,) = load_file(fixture("codecontests_sample.jsonl"), visible=3)
    assert [t.stdin for t in pooled.visible_tests] == ["3\n", "0\n", "100\n"]


# A problem as google-deepmind/code_contests convert_riegeli_to_json.py writes it (write_problem_as_json): tests and
# solutions are lists of objects, source/difficulty are the enum numbers of contest_problem.proto (ATCODER = 6,
# L = 19: the proto skips reserved numbers) and time_limit is str() of the Duration message.
CODECONTESTS_JSON_RECORD = {
    "source": 6, "name": "p02600 AtCoder Beginner Contest 172 - Calc", "description": "Print a + a^2 + a^3.",
    "difficulty": 19,
    "solutions": [{"language": 2, "solution": "#include <cstdio>\nint main(){}"},
                  {"language": 3, "solution": "a = int(input())\nprint(a + a * a + a ** 3)\n"},
                  {"language": 1, "solution": "a = input()\nprint a + a * a + a ** 3\n"}],
    "incorrect_solutions": [{"language": 3, "solution": "print(0)\n"}],
    "public_tests": [{"input": "2\n", "output": "14\n"}],
    "private_tests": [{"input": "10\n", "output": "1110\n"}],
    "generated_tests": [{"input": "1\n", "output": "3\n"}, {"input": "3\n", "output": "39\n"}],
    "time_limit": "seconds: 2\nnanos: 500000000\n", "memory_limit_bytes": 1073741824,
    "is_description_translated": False,
}


def test_codecontests_repository_json_layout() -> None:
    from codegym.tasks.loaders import detect_format

    assert detect_format(CODECONTESTS_JSON_RECORD) == "codecontests"
    (task,) = load_records([CODECONTESTS_JSON_RECORD])
    assert [(t.stdin, t.expected_stdout) for t in task.visible_tests] == [("2\n", "14\n")]
    assert [t.stdin for t in task.hidden_tests] == ["10\n", "1\n", "3\n"]
    assert task.reference_solutions == ["a = int(input())\nprint(a + a * a + a ** 3)\n"]
    meta = task.metadata
    assert meta["platform"] == "atcoder" and meta["codecontests_difficulty"] == "L"
    assert meta["time_limit_s"] == 2.5 and meta["memory_limit_bytes"] == 1073741824
    # Unset Duration: str() of an empty message is "".
    (task,) = load_records([{**CODECONTESTS_JSON_RECORD, "time_limit": "", "source": 7, "difficulty": 29}])
    assert "time_limit_s" not in task.metadata and task.metadata["platform"] == "aizu"
    assert task.metadata["codecontests_difficulty"] == "V"
    with pytest.raises(TaskFormatError, match=r"public_tests\[0\] must be an object with 'input' and 'output'"):
        load_records([{**CODECONTESTS_JSON_RECORD, "public_tests": [["2\n", "14\n"]]}])


def test_codecontests_hub_enum_numbering_and_names() -> None:
    # deepmind/code_contests on the hub: ClassLabel indices are contiguous (ATCODER = 5, AIZU = 6, L = 18, V = 28).
    record = json.loads(fixture("codecontests_sample.jsonl").read_text().splitlines()[0])
    for source, difficulty, platform, label in [(5, 18, "atcoder", "L"), (6, 28, "aizu", "V"),
                                                ("CODECHEF", "HARD", "codechef", "hard"),
                                                ("AIZU", "UNKNOWN_DIFFICULTY", "aizu", "unknown")]:
        (task,) = load_records([{**record, "source": source, "difficulty": difficulty}])
        assert (task.metadata["platform"], task.metadata["codecontests_difficulty"]) == (platform, label)
    (task,) = load_records([{**record, "solutions": {"language": ["CPP", "PYTHON3"],
                                                     "solution": ["int main(){}", "print(1)\n"]}}])
    assert task.reference_solutions == ["print(1)\n"]
    with pytest.raises(TaskFormatError, match="unknown difficulty number 29"):
        load_records([{**record, "difficulty": 29}])
    with pytest.raises(TaskFormatError, match="unknown source 'TOPCODER'"):
        load_records([{**record, "source": "TOPCODER"}])


# -- LiveCodeBench ---------------------------------------------------------------------------------------------

def test_livecodebench_public_private_and_functional() -> None:
    tasks = by_id(load_file(fixture("livecodebench_sample.jsonl")))
    stdin = tasks["livecodebench/abc300_a"]
    assert [t.stdin for t in stdin.visible_tests] == ["1 2\n"]
    assert [(t.stdin, t.expected_stdout) for t in stdin.hidden_tests] == [("5 5\n", "10\n"), ("-1 1\n", "0\n")]
    assert stdin.entry_point is None and stdin.metadata["platform"] == "atcoder"
    func = tasks["livecodebench/3331"]
    assert func.entry_point == "Solution().minOperations"
    (public,) = func.visible_tests
    assert isinstance(public, CallTest) and public.args == ([2, 11, 10, 1, 3], 10) and public.expected == 2
    assert [(t.args, t.expected) for t in func.hidden_tests] == [(([1, 2, 3, 4], 2), 3), (([5], 1), 1)]
    assert func.metadata["difficulty"] == "medium" and "class Solution" in func.prompt


def test_livecodebench_private_tests_plain_json_and_list() -> None:
    cases = [{"input": "1\n", "output": "1\n", "testtype": "stdin"}]
    assert decode_private_tests(json.dumps(cases)) == cases
    assert decode_private_tests(cases) == cases
    assert decode_private_tests("") == []


def test_livecodebench_malicious_pickle_is_rejected() -> None:
    PWNED_MARKER.unlink(missing_ok=True)
    with pytest.raises(TaskFormatError, match=r"livecodebench_malicious.jsonl: line 1: .*refusing to load global"):
        load_file(fixture("livecodebench_malicious.jsonl"))
    assert not PWNED_MARKER.exists()
    # The payload really is an exploit: it references os.system through a global opcode.
    payload = json.loads(fixture("livecodebench_malicious.jsonl").read_text())["private_test_cases"]
    ops = {op.name for op, _, _ in pickletools.genops(zlib.decompress(base64.b64decode(payload)))}
    assert "REDUCE" in ops and ops & {"STACK_GLOBAL", "GLOBAL"}


@pytest.mark.parametrize("payload", [
    pickle.dumps(["a list", "is not a str"]),
    pickle.dumps({"input": "1"}),
    pickle.dumps(b"bytes"),
    b"\x80\x02c__builtin__\neval\nq\x00X\x04\x00\x00\x001+1q\x01\x85q\x02Rq\x03.",  # protocol-2 GLOBAL + REDUCE
    b"\x80\x02\x82\xf0X\x04\x00\x00\x00trueq\x85R.",  # EXT1 240: os.system via the copyreg registry
    b"\x80\x02X\x01\x00\x00\x00aQ.",  # BINPERSID
    b"\x80\x02Pabc\n.",  # PERSID
    b"not a pickle",
])
def test_str_only_unpickler_rejects_everything_but_str(payload: bytes) -> None:
    import copyreg

    encoded = base64.b64encode(zlib.compress(payload)).decode()
    copyreg.add_extension("os", "system", 240)  # make the EXT1 payload resolvable by a standard unpickler
    try:
        with pytest.raises(TaskFormatError, match="private_test_cases"):
            decode_private_tests(encoded)
    finally:
        copyreg.remove_extension("os", "system", 240)


def test_str_only_unpickler_loads_str() -> None:
    import io

    assert StrOnlyUnpickler(io.BytesIO(pickle.dumps("[1]", protocol=5))).load() == "[1]"


def test_livecodebench_zip_bomb_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from codegym.tasks.formats import livecodebench

    monkeypatch.setattr(livecodebench, "MAX_DECOMPRESSED_BYTES", 1000)
    big = base64.b64encode(zlib.compress(pickle.dumps("x" * 5000))).decode()
    with pytest.raises(TaskFormatError, match="more than 1000 bytes"):
        decode_private_tests(big)


# -- DeepCoder / LeetCode --------------------------------------------------------------------------------------

def test_deepcoder_test_encodings() -> None:
    tasks = load_file(fixture("deepcoder_sample.jsonl"))
    stdio, lcb, taco, prime = tasks
    assert [t.task_id for t in tasks] == ["deepcoder/0", "deepcoder/1", "deepcoder/2", "deepcoder/3"]
    assert all(isinstance(t, StdioTest) for t in stdio.hidden_tests) and stdio.metadata["subset"] == "codeforces"
    assert lcb.entry_point == "Solution().maxValue"
    assert [(t.args, t.expected) for t in lcb.hidden_tests] == [(([1, 5, 2],), 5), (([-3],), -3)]
    assert taco.entry_point == "double" and [t.expected for t in taco.hidden_tests] == [2, 42]
    assert prime.entry_point == "sum_list"
    assert [(t.args, t.expected) for t in prime.hidden_tests] == [(([1, 2, 3],), 6), (([],), 0)]
    assert all(t.reference_solutions for t in tasks)


def test_deepcoder_functional_name_from_the_problem_starter_code() -> None:
    record = {"problem": "Sum the list.\n```python\nclass Solution:\n    def total(self, nums: List[int]) -> int:\n```",
              "tests": json.dumps([{"input": "[1, 2]", "output": "3", "testtype": "functional"}])}
    (task,) = load_records([record])
    assert task.entry_point == "Solution().total" and task.hidden_tests[0].args == ([1, 2],)
    with pytest.raises(TaskFormatError, match="record 1: deepcoder record: .*no func_name"):
        load_records([{**record, "problem": "Sum the list."}])


def test_deepcoder_primeintellect_function_calls_keep_their_values() -> None:
    # DeepCoder's primeintellect subset: tests is a JSON list of {"type": "function_call", "fn_name", "input": [args],
    # "output": value} (rllm-org/rllm rllm/rewards/code_reward.py primeintellect_check_correctness grades them with
    # TACO's judge: output == expected or output == expected[0], no JSON decoding, int dict keys restored).
    record = {"problem": "Return the binary representation of n as a string.",
              "tests": json.dumps([{"type": "function_call", "fn_name": "to_binary", "input": [5], "output": "101"},
                                   {"type": "function_call", "fn_name": "to_binary", "input": [1], "output": "1"}]),
              "metadata": "{}"}
    (task,) = load_records([record])
    assert task.entry_point == "to_binary"
    assert [(t.args, t.expected) for t in task.hidden_tests] == [((5,), "101"), ((1,), "1")]  # strings, not ints
    wrapped = {**record, "tests": json.dumps([
        {"type": "function_call", "fn_name": "count", "input": [{"1": "a", "2": "a"}], "output": [{"a": 2}]},
        {"type": "function_call", "fn_name": "count", "input": [{"3": "b"}], "output": [{"b": 1}]}])}
    (task,) = load_records([wrapped])
    assert [(t.args, t.expected) for t in task.hidden_tests] == [(({1: "a", 2: "a"},), {"a": 2}),
                                                                 (({3: "b"},), {"b": 1})]


def test_deepcoder_lcbv5_functional_tests_call_the_solution_method() -> None:
    # DeepCoder's lcbv5 subset: LiveCodeBench cases with metadata.func_name; the problem text has no starter code.
    # LiveCodeBench's judge (lcb_runner/evaluation/testing_util.py compile_code) calls Solution().<func_name>.
    record = {"problem": "You are given a 0-indexed integer array nums and an integer k. Return the number of "
                         "elements of nums that are at least k.",
              "tests": json.dumps([{"input": "[2, 11, 10, 1, 3]\n10", "output": "2", "testtype": "functional",
                                    "metadata": {"func_name": "minOperations"}}]),
              "metadata": json.dumps({"func_name": "minOperations"})}
    (task,) = load_records([record])
    assert task.entry_point == "Solution().minOperations"
    assert [(t.args, t.expected) for t in task.hidden_tests] == [(([2, 11, 10, 1, 3], 10), 2)]
    # A hint that defines the function at top level keeps the bare name.
    (task,) = load_records([{**record, "starter_code": "def minOperations(nums, k):\n    "}])
    assert task.entry_point == "minOperations"


def test_rllm_registered_deepcoder_rows() -> None:
    # rLLM's examples/deepcoder/prepare_deepcoder_data.py registers rows as question/ground_truth/data_source/...
    from codegym.tasks.loaders import detect_format

    record = {"question": "Print the sum of two integers.",
              "ground_truth": json.dumps([{"input": "1 2\n", "output": "3\n", "testtype": "stdin_stdout",
                                           "metadata": {"func_name": None}}]),
              "data_source": "livecodebench", "uid": "deepcoder_0", "index": 0, "starter_code": "", "metadata": "{}"}
    assert detect_format(record) == "deepcoder"
    (task,) = load_records([record])
    assert task.prompt == "Print the sum of two integers." and task.metadata["subset"] == "livecodebench"
    assert [(t.stdin, t.expected_stdout) for t in task.hidden_tests] == [("1 2\n", "3\n")]
    with pytest.raises(TaskFormatError, match="missing required field 'problem' or 'question'"):
        load_records([{"ground_truth": record["ground_truth"], "data_source": "x"}], format="deepcoder")


def test_deepcoder_functional_dict_and_python_literal_tests() -> None:
    program = "def check(candidate):\n    assert candidate(2) == 4\n\n\ncheck(Solution().double)"
    records = [{"problem": "double it", "tests": repr({"functional": program}),
                "solutions": ["class Solution:\n    def double(self, n):\n        return 2 * n\n"]}]
    (task,) = load_records(records, format="deepcoder")
    assert task.entry_point == "Solution().double" and task.setup_code == LEETCODE_PREAMBLE
    # Without the final check(...) call the entry point comes from metadata and the call is appended.
    records[0]["tests"] = {"functional": program.rsplit("\n", 1)[0]}
    records[0]["metadata"] = json.dumps({"func_name": "double"})
    (task,) = load_records(records, format="leetcode")
    assert task.entry_point == "Solution().double"
    assert task.hidden_tests[0].code.rstrip().endswith("check(Solution().double)")


def test_leetcode_fixture() -> None:
    reverse, depth = load_file(fixture("leetcode_sample.json"))
    assert reverse.task_id == "leetcode/0" and reverse.entry_point == "Solution().reverseList"
    assert reverse.setup_code == LEETCODE_PREAMBLE and reverse.metadata["source"] == "leetcode"
    assert "def reverseList" in reverse.metadata["starter_code"]
    assert reverse.prompt.startswith("Please solve")
    assert depth.entry_point == "Solution().maxDepth"
    split = load_file(fixture("leetcode_sample.json"), visible=1)
    assert [len(t.visible_tests) for t in split] == [1, 1] and [len(t.hidden_tests) for t in split] == [2, 1]


def test_leetcode_preamble_helpers() -> None:
    namespace: dict = {}
    exec(compile(LEETCODE_PREAMBLE, "<preamble>", "exec"), namespace)  # noqa: S102 -- trusted constant
    assert namespace["pow"](3, 4, 5) == 1  # the builtin, not math.pow
    tree = namespace["tree_node"]([3, 9, 20, None, None, 15, 7])
    assert (tree.val, tree.left.val, tree.right.left.val, tree.left.left) == (3, 9, 15, None)
    assert namespace["is_same_tree"](tree, namespace["tree_node"]([3, 9, 20, None, None, 15, 7]))
    assert not namespace["is_same_tree"](tree, namespace["tree_node"]([3, 9, 20]))
    assert namespace["tree_node"]([]) is None and namespace["list_node"]([]) is None
    head = namespace["list_node"]([1, 2, 3])
    assert namespace["is_same_list"](head, namespace["list_node"]([1, 2, 3]))
    assert not namespace["is_same_list"](head, namespace["list_node"]([1, 2]))
    for name in ("List", "Optional", "Counter", "deque", "heappush", "bisect_left", "accumulate", "cache", "inf",
                 "gcd", "ascii_lowercase", "defaultdict", "ListNode", "TreeNode"):
        assert name in namespace, name
    # rLLM's LeetCode harness preamble (rllm/rewards/code_utils/utils.py BASE_IMPORTS) binds these as well.
    import collections
    import copy
    import os.path
    import re
    import time

    assert namespace["deepcopy"] is copy.deepcopy and namespace["copy"] is copy
    assert namespace["time"] is time.time and namespace["commonprefix"] is os.path.commonprefix
    assert namespace["re_search"] is re.search and namespace["randrange"].__name__ == "randrange"
    assert {"io", "os", "sys", "shuffle", "pairwise", "iand", "zip_longest", "Deque"} <= set(namespace)
    for name in ("Counter", "OrderedDict", "deque", "defaultdict"):  # the classes, not typing's aliases
        assert namespace[name] is getattr(collections, name), name
    assert namespace["np"].__name__ == "numpy" and namespace["pd"].__name__ == "pandas"


def test_leetcode_preamble_imports_numpy_only_when_used() -> None:
    import subprocess
    import sys

    from codegym.tasks.formats import preambles

    # A fresh interpreter that loads preambles.py alone (importing the codegym package may load numpy itself).
    probe = ("import importlib.util, sys\n"
             "spec = importlib.util.spec_from_file_location('preambles', sys.argv[1])\n"
             "module = importlib.util.module_from_spec(spec)\n"
             "spec.loader.exec_module(module)\n"
             "g = {}\n"
             "exec(module.LEETCODE_PREAMBLE, g)\n"
             "print('numpy' in sys.modules, 'pandas' in sys.modules)\n"
             "exec('x = np.array([1, 2, 3]).sum()', g)\n"
             "print(g['np'] is sys.modules['numpy'], int(g['x']), 'pandas' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", probe, preambles.__file__], capture_output=True, text=True,
                         timeout=60, check=True)
    # The preamble imports neither; the first use of np imports numpy and rebinds np to the module itself.
    assert out.stdout.split() == ["False", "False", "True", "6", "False"]


@needs_leetcode
def test_real_leetcode_file() -> None:
    tasks = load_file(LEETCODE_FILE)
    assert len(tasks) == 200 and len({t.task_id for t in tasks}) == 200
    for task in tasks:
        assert task.entry_point.startswith("Solution().")
        (test,) = task.hidden_tests
        assert test.code.rstrip().endswith(f"check({task.entry_point})")
        assert len(task.reference_solutions) == 1 and task.metadata["starter_code"]
    assert tasks[0].entry_point == "Solution().minOperations"


# -- codegym's own schema --------------------------------------------------------------------------------------

def test_codegym_schema_round_trip_and_resplit() -> None:
    add, echo = load_file(fixture("codegym_sample.jsonl"))
    assert add.hidden_tests[0].args == ((1, 2), (3,)) and add.hidden_tests[0].expected == (1, 2, 3)
    assert echo.limits.timeout_s == 2.0 and echo.hidden_tests[1].compare == "exact"
    assert [t.to_dict() for t in load_file(fixture("codegym_sample.jsonl"))] == [add.to_dict(), echo.to_dict()]
    add2, _ = load_file(fixture("codegym_sample.jsonl"), visible=0)
    assert add2.visible_tests == [] and len(add2.hidden_tests) == 3


# -- file containers -------------------------------------------------------------------------------------------

def test_gzip_json_and_jsonl(tmp_path: Path) -> None:
    gz = tmp_path / "humaneval.jsonl.gz"
    gz.write_bytes(gzip.compress(fixture("humaneval_sample.jsonl").read_bytes()))
    assert [t.task_id for t in load_file(gz)] == ["HumanEval/0", "HumanEval/32"]
    as_list = tmp_path / "leetcode.json.gz"
    as_list.write_bytes(gzip.compress(fixture("leetcode_sample.json").read_bytes()))
    assert len(load_file(as_list)) == 2
    # JSONL content under a .json name, a {"data": [...]} wrapper, and an id -> record map.
    misnamed = tmp_path / "apps.json"
    shutil.copy(fixture("apps_sample.jsonl"), misnamed)
    assert len(load_file(misnamed)) == 3
    records = [json.loads(line) for line in fixture("humaneval_sample.jsonl").read_text().splitlines()]
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"data": records}))
    assert len(load_file(wrapped)) == 2
    keyed = tmp_path / "keyed.json"
    keyed.write_text(json.dumps({r["task_id"]: r for r in records}))
    assert len(load_file(keyed)) == 2


def test_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    records = [json.loads(line) for line in fixture("livecodebench_sample.jsonl").read_text().splitlines()]
    path = tmp_path / "lcb.parquet"
    pq.write_table(pa.Table.from_pylist(records), path)
    tasks = load_file(path)
    assert [t.task_id for t in tasks] == ["livecodebench/abc300_a", "livecodebench/3331"]
    assert len(tasks[1].hidden_tests) == 2
    # CodeContests' nested structs survive parquet too.
    cc = [json.loads(line) for line in fixture("codecontests_sample.jsonl").read_text().splitlines()]
    pq.write_table(pa.Table.from_pylist(cc), tmp_path / "cc.parquet")
    (task,) = load_file(tmp_path / "cc.parquet")
    assert len(task.visible_tests) == 1 and len(task.hidden_tests) == 4
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not really")
    with pytest.raises(TaskFormatError, match="not a readable parquet file"):
        load_file(bad)


def test_hf_datasets_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    records = [json.loads(line) for line in fixture("apps_sample.jsonl").read_text().splitlines()]
    saved = tmp_path / "apps_saved"
    datasets.DatasetDict({"test": datasets.Dataset.from_list(records)}).save_to_disk(str(saved))
    assert [t.task_id for t in load_file(saved)] == ["apps/4000", "apps/4001", "apps/4002"]
    assert len(load_tasks(str(saved), split="test", limit=2)) == 2
    with pytest.raises(TaskFormatError, match="no split 'train'"):
        load_file(saved, split="train")
    # A builder name with data_files goes through datasets.load_dataset.
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    parquet = tmp_path / "mbpp.parquet"
    mbpp = [json.loads(line) for line in fixture("mbpp_original_sample.jsonl").read_text().splitlines()]
    pq.write_table(pa.Table.from_pylist(mbpp), parquet)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    tasks = load_hf_dataset("parquet", hf_kwargs={"data_files": str(parquet)}, split="train")
    assert [t.entry_point for t in tasks] == ["similar_elements", "is_not_prime"]


def test_hub_name_resolves_through_load_dataset(monkeypatch: pytest.MonkeyPatch) -> None:
    datasets = pytest.importorskip("datasets")
    records = [json.loads(line) for line in fixture("humaneval_sample.jsonl").read_text().splitlines()]
    calls = []

    def fake_load_dataset(name: str, split: str | None = None, **kwargs):
        calls.append((name, split))
        return datasets.DatasetDict({"test": datasets.Dataset.from_list(records)})

    monkeypatch.setattr(datasets, "load_dataset", fake_load_dataset)
    tasks = load_tasks("openai_humaneval")
    assert calls == [("openai_humaneval", None)] and [t.task_id for t in tasks] == ["HumanEval/0", "HumanEval/32"]
    load_tasks("evalplus/humanevalplus", split="test")
    assert calls[-1] == ("evalplus/humanevalplus", "test")

    def not_found(name: str, split: str | None = None, **kwargs):
        raise FileNotFoundError(f"Dataset '{name}' doesn't exist on the Hub")

    monkeypatch.setattr(datasets, "load_dataset", not_found)
    with pytest.raises(UnknownTaskError, match="could not be loaded as a Hugging Face dataset"):
        load_tasks("someone/missing")


# -- languages -------------------------------------------------------------------------------------------------

#: MBXP (Athiwaratkun et al., 2023): amazon-science/mxeval data/mbxp/mbjp_release_v1.jsonl, line 3, verbatim.
MBXP_JAVA_RECORD = json.loads(r'''{"task_id": "MBJP/3", "prompt": "import java.io.*;\nimport java.lang.*;\nimport java.util.*;\nimport java.math.*;\n\n\nclass IsNotPrime {\n    /**\n     * * Write a Java function to identify non-prime numbers.\n     *\n     * > isNotPrime(2)\n     * false\n     * > isNotPrime(10)\n     * true\n     * > isNotPrime(35)\n     * true\n     */\n    public static Boolean isNotPrime(int n) {\n", "entry_point": "isNotPrime", "test": "\n\nclass Main {\n    public static boolean compare(Object obj1, Object obj2) {\n        if (obj1 == null && obj2 == null){\n            return true;\n        } else if (obj1 == null || obj2 == null){\n            return false;\n        } else {\n            return obj1.equals(obj2);\n        }\n    }\n    \n    public static void main(String[] args) throws Exception {\n        int arg00 = 2;\n        Boolean x0 = IsNotPrime.isNotPrime(2);\n        Boolean v0 = false;\n        if (!(compare(x0, v0))) {\n            throw new java.lang.Exception(\"Exception -- test case 0 did not pass. x0 = \" + x0);\n        }\n\n        int arg10 = 10;\n        Boolean x1 = IsNotPrime.isNotPrime(10);\n        Boolean v1 = true;\n        if (!(compare(x1, v1))) {\n            throw new java.lang.Exception(\"Exception -- test case 1 did not pass. x1 = \" + x1);\n        }\n\n        int arg20 = 35;\n        Boolean x2 = IsNotPrime.isNotPrime(35);\n        Boolean v2 = true;\n        if (!(compare(x2, v2))) {\n            throw new java.lang.Exception(\"Exception -- test case 2 did not pass. x2 = \" + x2);\n        }\n\n\n}\n}\n", "description": "Write a Java function to identify non-prime numbers.", "language": "java", "canonical_solution": null}''')
#: The Python record of the same benchmark (mxeval/mbxp, config "python", test split, row 0; its dataset card).
MBXP_PYTHON_RECORD = {
 "task_id": "MBPP/1",
 "language": "python",
 "prompt": "\n\ndef min_cost(cost, m, n):\n\t\"\"\"\n\tWrite a function to find the minimum cost path to reach (m, n) from (0, 0) for the given cost matrix cost[][] and a position (m, n) in cost[][].\n\t>>> min_cost([[1, 2, 3], [4, 8, 2], [1, 5, 3]], 2, 2)\n\t8\n\t>>> min_cost([[2, 3, 4], [5, 9, 3], [2, 6, 4]], 2, 2)\n\t12\n\t>>> min_cost([[3, 4, 5], [6, 10, 4], [3, 7, 5]], 2, 2)\n\t16\n\t\"\"\"\n",
 "test": "\n\nMETADATA = {}\n\n\ndef check(candidate):\n    assert candidate([[1, 2, 3], [4, 8, 2], [1, 5, 3]], 2, 2) == 8\n    assert candidate([[2, 3, 4], [5, 9, 3], [2, 6, 4]], 2, 2) == 12\n    assert candidate([[3, 4, 5], [6, 10, 4], [3, 7, 5]], 2, 2) == 16\n\n",
 "entry_point": "min_cost",
 "canonical_solution": "\tR = 3\n\tC = 3\n\t \n\ttc = [[0 for x in range(C)] for x in range(R)] \n\ttc[0][0] = cost[0][0] \n\tfor i in range(1, m+1): \n\t\ttc[i][0] = tc[i-1][0] + cost[i][0] \n\tfor j in range(1, n+1): \n\t\ttc[0][j] = tc[0][j-1] + cost[0][j] \n\tfor i in range(1, m+1): \n\t\tfor j in range(1, n+1): \n\t\t\ttc[i][j] = min(tc[i-1][j-1], tc[i-1][j], tc[i][j-1]) + cost[i][j] \n\treturn tc[m][n]",
 "description": "Write a function to find the minimum cost path to reach (m, n) from (0, 0) for the given cost matrix cost[][] and a position (m, n) in cost[][]."
}


def test_a_task_in_another_language_is_refused_not_run_as_python() -> None:
    # The Java record has every field a HumanEval record has: without the language check it would load and run
    # its Java "test" as Python.
    assert detect_format(MBXP_JAVA_RECORD) == "humaneval"
    with pytest.raises(UnsupportedLanguageError, match=r"record 1: humaneval record: task 'MBJP/3' is in 'java', "
                                                       r"which codegym does not execute; supported: python"):
        load_records([MBXP_JAVA_RECORD])
    (python,) = load_records([MBXP_PYTHON_RECORD])
    assert python.language == "python" and python.entry_point == "min_cost" and len(python.hidden_tests) == 1
    with pytest.warns(UserWarning, match="skipped 1 malformed record"):
        mixed = load_records([MBXP_JAVA_RECORD, MBXP_PYTHON_RECORD], on_error="skip")
    assert [t.task_id for t in mixed] == ["MBPP/1"]


def test_task_language_is_checked_at_construction() -> None:
    assert Task("t", "p", language="Python3").language == "python"
    with pytest.raises(UnsupportedLanguageError, match="task 'demo/cpp' is in 'cpp'.*supported: python"):
        Task.from_dict({"task_id": "demo/cpp", "prompt": "p", "language": "cpp"})
    with pytest.raises(UnsupportedLanguageError):  # a codegym JSONL line declaring another language
        load_records([{"task_id": "demo/js", "prompt": "p", "visible_tests": [], "language": "javascript"}])
    assert issubclass(UnsupportedLanguageError, TaskFormatError) and issubclass(UnsupportedLanguageError, ValueError)


# -- errors ----------------------------------------------------------------------------------------------------

def test_errors_name_file_and_line() -> None:
    with pytest.raises(TaskFormatError, match=r"humaneval_bad_json.jsonl: line 3: malformed JSON"):
        load_file(fixture("humaneval_bad_json.jsonl"))
    with pytest.raises(TaskFormatError, match=r"humaneval_missing_field.jsonl: line 2: .*'entry_point'"):
        load_file(fixture("humaneval_missing_field.jsonl"))
    with pytest.warns(UserWarning, match="skipped 1 malformed record"):
        tasks = load_file(fixture("humaneval_missing_field.jsonl"), on_error="skip")
    assert [t.task_id for t in tasks] == ["HumanEval/0"]


def test_errors_for_bad_records(tmp_path: Path) -> None:
    path = tmp_path / "mixed.json"
    good = json.loads(fixture("leetcode_sample.json").read_text())
    path.write_text(json.dumps([good[0], ["not", "an", "object"]]))
    with pytest.raises(TaskFormatError, match=r"mixed.json: record 2: .*must be a JSON object"):
        load_file(path)
    dup = tmp_path / "dup.jsonl"
    line = fixture("humaneval_sample.jsonl").read_text().splitlines()[0]
    dup.write_text(line + "\n" + line + "\n")
    with pytest.raises(TaskFormatError, match=r"dup.jsonl: line 2: .*duplicate task_id 'HumanEval/0'"):
        load_file(dup)
    bad_apps = tmp_path / "apps.jsonl"
    bad_apps.write_text(json.dumps({"question": "q", "input_output": "{\"inputs\": [1], \"outputs\": []}"}) + "\n")
    with pytest.raises(TaskFormatError, match="line 1: apps record: input_output has 1 inputs but 0 outputs"):
        load_file(bad_apps)
    with pytest.raises(TaskFormatError, match="no such file"):
        load_file(tmp_path / "missing.jsonl")
    with pytest.raises(TaskConfigError, match="visible="):
        load_file(fixture("apps_sample.jsonl"), visible=-1)


# -- load_tasks specs ------------------------------------------------------------------------------------------

def test_load_tasks_specs() -> None:
    assert len(load_tasks(str(fixture("apps_sample.jsonl")))) == 3
    assert [t.task_id for t in load_tasks(fixture("apps_sample.jsonl"), limit=2)] == ["apps/4000", "apps/4001"]
    sampled = load_tasks(fixture("apps_sample.jsonl"), limit=2, seed=7)
    assert sampled == load_tasks(fixture("apps_sample.jsonl"), limit=2, seed=7)
    assert {t.task_id for t in load_tasks(fixture("apps_sample.jsonl"), seed=1)} == {"apps/4000", "apps/4001",
                                                                                    "apps/4002"}
    resplit = load_tasks(load_tasks(fixture("apps_sample.jsonl")), visible=1)
    assert all(len(t.visible_tests) == 1 for t in resplit)
    for spec in ("", "no such file.jsonl", "./missing.json", "what is this?!"):
        with pytest.raises(UnknownTaskError):
            load_tasks(spec)
    with pytest.raises(TypeError):
        load_tasks([object()])  # type: ignore[list-item]


@pytest.fixture
def no_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to reach the Hugging Face hub fails the test."""
    import codegym.tasks.loaders
    import codegym.tasks.sources

    def hub(*args, **kwargs):
        pytest.fail(f"the hub was asked for {args} {kwargs}")

    monkeypatch.setattr(codegym.tasks.sources, "load_hf_dataset", hub)
    monkeypatch.setattr(codegym.tasks.loaders, "load_hf_dataset", hub)
    datasets = pytest.importorskip("datasets")
    monkeypatch.setattr(datasets, "load_dataset", hub)


def test_a_misspelt_spec_fails_locally_with_suggestions(no_hub, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnknownTaskError, match=r"unknown task spec 'humaneva'; did you mean .*'openai_humaneval'"):
        load_tasks("humaneva")
    with pytest.raises(UnknownTaskError, match=r"'builtn'; did you mean 'builtin'\?"):
        load_tasks("builtn")
    with pytest.raises(UnknownTaskError, match=r"'mirco:10'; did you mean 'micro'\?"):
        load_tasks("mirco:10")
    with pytest.raises(UnknownTaskError, match=r"unknown task spec 'qwertyuiop'\. Give an existing file"):
        load_tasks("qwertyuiop")
    # A file name near one in its directory (or in the working directory, for a bare name) is suggested too.
    shutil.copy(fixture("humaneval_sample.jsonl"), tmp_path / "HumanEval.jsonl.gz")
    with pytest.raises(UnknownTaskError, match=r"'.*HumanEval.json.gz' does not exist; did you mean "
                                               r"'.*HumanEval.jsonl.gz'\?"):
        load_tasks(str(tmp_path / "HumanEval.json.gz"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(UnknownTaskError, match=r"did you mean 'HumanEval.jsonl.gz'"):
        load_tasks("HumanEvl")
    # typed, a KeyError for old callers, and printed as written (a bare KeyError would quote the message)
    assert issubclass(UnknownTaskError, CodegymError) and issubclass(UnknownTaskError, KeyError)
    assert str(UnknownTaskError("no 'x'")) == "no 'x'"


@pytest.mark.parametrize("command", [["evaluate"], ["export", "--format", "trl", "--out", "unused"]])
def test_cli_misspelt_tasks_is_one_line_error(no_hub, command: list[str], capsys: pytest.CaptureFixture) -> None:
    from codegym.cli import main

    code = main([*command, "--tasks", "humaneva"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert err.count("\n") == 1 and err.startswith(f"codegym {command[0]}: error: unknown task spec 'humaneva'; "
                                                    "did you mean ")


def test_only_hub_like_ids_reach_the_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    import codegym.tasks.sources

    asked = []

    def hub(name, **kwargs):
        asked.append(name)
        raise FileNotFoundError(f"Dataset '{name}' doesn't exist on the Hub")

    monkeypatch.setattr(codegym.tasks.sources, "load_hf_dataset", hub)
    for name in ("someone/benchmark", "openai_humaneval", "mbpp"):  # owner/name, and owner-less known ids
        with pytest.raises(UnknownTaskError, match="could not be loaded as a Hugging Face dataset"):
            load_tasks(name)
    assert asked == ["someone/benchmark", "openai_humaneval", "mbpp"]
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UnknownTaskError, match=r"HF_HUB_OFFLINE is set and the dataset is not in the local cache\)"
                                               r"; did you mean 'evalplus/humanevalplus'"):
        load_tasks("evalplus/humanevalpls")


def test_load_tasks_micro_and_builtin() -> None:
    micro = load_tasks("micro:6", seed=3)
    assert len(micro) == 6 and micro[0].task_id == load_tasks("micro:6", seed=3)[0].task_id
    assert len(load_tasks("micro:4:2")) == 4
    assert len(load_tasks("micro:10", limit=3)) == 3
    with pytest.raises(UnknownTaskError, match="integer"):
        load_tasks("micro:many")
    builtin = pytest.importorskip("codegym.tasks.builtin")
    assert len(load_tasks("builtin")) == len(builtin.load_builtin())


def test_get_task() -> None:
    tasks = load_file(fixture("apps_sample.jsonl"))
    assert get_task(tasks, "apps/4001").entry_point == "Solution().twoSum"
    with pytest.raises(UnknownTaskError, match="did you mean 'apps/4001'"):
        get_task(tasks, "apps/4011")


def test_progress_bar_does_not_change_results() -> None:
    plain = load_file(fixture("deepcoder_sample.jsonl"))
    shown = load_file(fixture("deepcoder_sample.jsonl"), progress=True)
    assert [t.to_dict() for t in plain] == [t.to_dict() for t in shown]


def test_fixture_generator_is_in_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The committed fixtures are exactly what make_fixtures.py writes (so they can be regenerated)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "HERE", tmp_path)
    module.main()
    for generated in tmp_path.iterdir():
        if generated.name == "livecodebench_malicious.jsonl":
            continue  # pickles embed the platform's module name for os.system (posix/nt)
        assert generated.read_bytes() == (FIXTURES / generated.name).read_bytes(), generated.name
    assert os.path.exists(FIXTURES / "livecodebench_malicious.jsonl")


# -- running the loaded tasks (needs the local sandbox executor) -----------------------------------------------

@pytest.fixture(scope="module")
def executor():
    try:
        from codegym.sandbox import get_executor
        from codegym.sandbox.api import ExecutionRequest
    except ImportError as exc:  # pragma: no cover - only before the executor exists
        pytest.skip(f"no executor: {exc}")
    try:
        runner = get_executor("local")
    except Exception as exc:  # noqa: BLE001 - any failure to start means: cannot run these tests here
        pytest.skip(f"the local executor cannot start here: {exc}")
    probe = runner.run(ExecutionRequest(program="x = 1", tests=[AssertTest(code="assert x == 1")]))
    if probe.status == "sandbox_error":
        runner.close()
        pytest.skip(f"the local sandbox does not work here: {probe.error}")
    yield runner
    runner.close()


FIXTURE_FILES = ["humaneval_sample.jsonl", "humanevalplus_sample.jsonl", "mbpp_original_sample.jsonl",
                 "mbppplus_sample.jsonl",
                 "mbpp_sanitized_sample.json", "apps_sample.jsonl", "codecontests_sample.jsonl",
                 "deepcoder_sample.jsonl", "leetcode_sample.json", "codegym_sample.jsonl"]


@pytest.mark.parametrize("visible", [None, 1])
def test_fixture_references_pass_and_wrong_programs_fail(executor, visible) -> None:
    from codegym.evaluation import evaluate_many

    tasks = [t for name in FIXTURE_FILES for t in load_file(fixture(name), visible=visible)]
    assert all(t.reference for t in tasks)
    results = evaluate_many([(t, t.reference) for t in tasks], executor=executor)
    failures = [(r.task_id, r.summary()["error"]) for r in results if not r.passed]
    assert failures == []
    wrong = evaluate_many([(t, _wrong_program(t)) for t in tasks], executor=executor)
    assert [r.task_id for r in wrong if r.passed] == []


def _wrong_program(task: Task) -> str:
    """The reference with the entry point replaced by one returning None (stdio: printing nothing useful)."""
    if task.entry_point is None:
        return "print('wrong answer')\n"
    if task.entry_point.startswith("Solution()."):
        method = task.entry_point.split(".", 1)[1]
        return task.reference + f"\n\nSolution.{method} = lambda self, *args, **kwargs: None\n"
    return task.reference + f"\n\ndef {task.entry_point}(*args, **kwargs):\n    return None\n"


def test_real_layout_references_pass(executor) -> None:
    """The references of the APPS (dict keys), TACO and CodeContests-JSON records pass; wrong programs do not."""
    from codegym.evaluation import evaluate_many

    tasks = load_records([APPS_DICT_RECORD]) + load_records([TACO_RECORD]) + load_records([CODECONTESTS_JSON_RECORD])
    results = evaluate_many([(t, t.reference) for t in tasks], executor=executor)
    assert [(r.task_id, r.summary()["error"]) for r in results if not r.passed] == []
    wrong = evaluate_many([(t, _wrong_program(t)) for t in tasks], executor=executor)
    assert [r.task_id for r in wrong if r.passed] == []


def test_livecodebench_tests_run(executor) -> None:
    from codegym.evaluation import evaluate_program

    stdin, func = load_file(fixture("livecodebench_sample.jsonl"))
    good = evaluate_program(stdin, "a, b = map(int, input().split())\nprint(a + b)\n", executor=executor)
    assert good.passed and good.visible_total == 1 and good.hidden_total == 2
    solution = ("class Solution:\n    def minOperations(self, nums: List[int], k: int) -> int:\n"
                "        return sum(1 for x in nums if x >= k)\n")
    assert evaluate_program(func, solution, executor=executor).passed
    # Off by one (> instead of >=): fails the public test and one of the two private ones.
    result = evaluate_program(func, solution.replace(">=", ">"), executor=executor)
    assert (result.visible_passed, result.visible_total, result.hidden_passed, result.hidden_total) == (0, 1, 1, 2)


def test_compute_expected_runs_the_reference_in_the_sandbox(executor) -> None:
    add, trunc = load_file(fixture("humanevalplus_sample.jsonl"), compute_expected=partial(call_reference, executor=executor))
    assert add.metadata["plus_tests"] == 5  # outputs from the file: nothing computed
    calls = [t for t in trunc.hidden_tests if isinstance(t, CallTest)]
    assert [c.args for c in calls] == [(3.5,), (1.33,), (123.456,), (999.99999,), (0.04,)]
    assert [round(c.expected, 6) for c in calls] == [0.5, 0.33, 0.456, 0.99999, 0.04]
    assert all(c.compare == "float" for c in calls)
    _, perimeter = load_file(fixture("mbppplus_sample.jsonl"), compute_expected=partial(call_reference, executor=executor))
    assert [(t.args, t.expected) for t in perimeter.hidden_tests if isinstance(t, CallTest)] == [
        ((10,), 40), ((5,), 20), ((0.5,), 2.0), ((1000000,), 4000000)]


def test_compute_expected_for_evalplus_release_record(executor) -> None:
    (task,) = load_records([MBPP_PLUS_EVALPLUS_RECORD], compute_expected=partial(call_reference, executor=executor))
    assert [(t.args, t.expected) for t in task.hidden_tests] == [((10,), 40), ((5,), 20), ((4,), 16), ((3.5,), 14.0),
                                                                 ((0,), 0)]
    from codegym.evaluation import evaluate_program

    assert evaluate_program(task, task.reference, executor=executor).passed
    assert not evaluate_program(task, "def square_perimeter(a):\n    return 4 * int(a)\n", executor=executor).passed


def test_cli_compute_expected(executor, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """``codegym evaluate --compute-expected`` wires the sandbox runner into the loader: the EvalPlus inputs
    become tests, which the reference passes."""
    from codegym.cli import main

    tasks = tmp_path / "mbppplus.jsonl"
    tasks.write_text(json.dumps({**MBPP_PLUS_EVALPLUS_RECORD, "assertion": "assert square_perimeter(10)==40"}) + "\n")
    totals = []
    for flags in ([], ["--compute-expected"]):
        out = tmp_path / "results.jsonl"
        code = main(["evaluate", "--tasks", str(tasks), "--samples", "reference", "--out", str(out), "--k", "1",
                     "--no-progress", *flags])
        (record,) = [json.loads(line) for line in out.read_text().splitlines()]
        assert code == 0 and record["passed"], capsys.readouterr().err
        totals.append(record["tests_total"])
    assert totals == [1, 6]  # the assertion, then the assertion and the five computed call tests
    pq = pytest.importorskip("pyarrow.parquet")
    assert main(["export", "--format", "verl", "--tasks", str(tasks), "--out", str(tmp_path / "verl"),
                 "--compute-expected"]) == 0
    (row,) = pq.read_table(tmp_path / "verl" / "train.parquet").to_pylist()
    exported = Task.from_dict(json.loads(row["reward_model"]["ground_truth"]))
    assert [(t.args, t.expected) for t in exported.hidden_tests if isinstance(t, CallTest)] == [
        ((10,), 40), ((5,), 20), ((4,), 16), ((3.5,), 14.0), ((0,), 0)]


def test_call_reference_values_and_failures(executor) -> None:
    program = ("class Solution:\n    def f(self, n):\n        if n < 0:\n            raise ValueError('negative')\n"
               "        return (n, {n}, [n] * n, b'x', float('inf'))\n")
    calls = call_reference(program, "Solution().f", [(i,) for i in range(0, 120, 3)] + [(-1,), (100_000,)],
                           executor=executor)
    for i, call in zip(range(0, 120, 3), calls):
        assert call.ok and call.value == (i, {i}, [i] * i, b"x", float("inf"))
    assert not calls[-2].ok and "ValueError: negative" in calls[-2].error
    assert calls[-1].ok and len(calls[-1].value[2]) == 100_000  # large values come back whole


def test_docs_tasks_blocks_run(executor, tmp_path: Path) -> None:
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/tasks.md", tmp_path) == 3


@needs_humaneval
def test_real_humaneval_canonical_solutions_pass(executor) -> None:
    from codegym.evaluation import evaluate_many

    for visible in (None, 2):
        tasks = load_file(HUMANEVAL_FILE, visible=visible)
        results = evaluate_many([(t, t.reference) for t in tasks], executor=executor)
        assert len(results) == 164
        assert [(r.task_id, r.summary()["error"]) for r in results if not r.passed] == []
    stubs = evaluate_many([(t, t.prompt + "    return None\n") for t in load_file(HUMANEVAL_FILE)], executor=executor)
    assert [r.task_id for r in stubs if r.passed] == []


@needs_leetcode
def test_real_leetcode_solutions_pass_with_the_preamble(executor) -> None:
    from codegym.evaluation import evaluate_many

    for visible in (None, 2):
        tasks = load_file(LEETCODE_FILE, visible=visible)
        results = evaluate_many([(t, t.reference) for t in tasks], executor=executor)
        assert len(results) == 200
        assert [(r.task_id, r.summary()["error"]) for r in results if not r.passed] == []
    tasks = load_file(LEETCODE_FILE)
    wrong = evaluate_many([(t, _wrong_program(t)) for t in tasks], executor=executor)
    assert [r.task_id for r in wrong if r.passed] == []
