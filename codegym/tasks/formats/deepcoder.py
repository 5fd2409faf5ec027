"""DeepCoder / rLLM (Luo et al., 2025) records, and the LeetCode split they share with LeetCodeDataset.

Both have ``problem`` (the prompt), ``tests`` and optional ``solutions`` / ``metadata`` / ``starter_code``
(the datasets rLLM's ``prepare_deepcoder_data.py`` registers call them ``question`` and ``ground_truth``; both
spellings are read). ``tests`` (a JSON string on the hub, or already decoded) is one of

* ``{"functional": "def check(candidate): ...\\ncheck(Solution().method)"}`` -- LeetCode style (also as a JSON
  string). It becomes an :class:`~codegym.tasks.model.AssertTest` whose entry point is parsed from the final
  ``check(...)`` call, run after :data:`~codegym.tasks.formats.preambles.LEETCODE_PREAMBLE`;
* a list of ``{"input", "output", "testtype"/"type"?, "fn_name"?, "metadata"?}`` cases, as in the
  ``agentica-org/DeepCoder-Preview-Dataset`` subsets

  - ``lcbv5``: LiveCodeBench's ``testtype`` ``"stdin"`` or ``"functional"`` (JSON-lines input, JSON output,
    ``metadata.func_name``; the entry point is ``Solution().<func_name>`` -- LeetCode -- unless a hint defines
    the function at top level),
  - ``codeforces``: ``{"input", "output"}`` stdin cases,
  - ``primeintellect``: ``type`` ``"stdin_stdout"``, or ``"function_call"`` with ``fn_name``, an argument list
    as ``input`` and the (often one-element wrapped, TACO style) return value as ``output``, compared as it is;
* ``{"inputs": [...], "outputs": [...], "fn_name"?}`` -- the ``taco`` subset (APPS/TACO ``input_output``).

Call tests from TACO-style data get the TACO judge's integer dict-key restoration (see
:func:`~codegym.tasks.formats._common.int_keyed`). DeepCoder has no public/private split: by default every test
is hidden; ``visible=`` re-splits. LeetCode-style programs stay one hidden test unless ``visible=k`` splits
check()'s assertions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from codegym.errors import TaskFormatError
from codegym.parsing import literal_eval
from codegym.tasks.formats._common import (
    ConvertContext,
    entry_point_for,
    extract_code_block,
    io_dict_tests,
    json_field,
    judge_call_values,
    normalise_difficulty,
    require,
    split_or_default,
    task_id_for,
    text_field,
    unwrap_single_outputs,
)
from codegym.tasks.formats.apps import solutions_field
from codegym.tasks.formats.check_split import assert_tests_from_check, find_check_target
from codegym.tasks.formats.livecodebench import case_tests
from codegym.tasks.formats.preambles import COMPETITIVE_PREAMBLE, LEETCODE_PREAMBLE
from codegym.tasks.model import Task

_METHOD = re.compile(r"^\s+def\s+([A-Za-z_]\w*)\s*\(\s*self\b", re.MULTILINE)
_FUNCTION = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def parse_tests_field(value: Any) -> Any:
    """``tests`` as stored: already decoded, JSON, or a Python literal (some PrimeIntellect rows)."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return literal_eval(text)  # literals only: never evaluates code
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise TaskFormatError("tests is neither JSON nor a Python literal") from None


def is_functional_tests(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("functional"), str)


def _present(record: Mapping[str, Any], *names: str) -> str:
    """The first of ``names`` the record has (DeepCoder's ``problem``/``tests`` are ``question``/``ground_truth`` in
    the datasets rLLM's ``prepare_deepcoder_data.py`` registers)."""
    for name in names:
        if record.get(name) is not None:
            return name
    raise TaskFormatError(f"missing required field {' or '.join(repr(n) for n in names)}; the record has "
                          f"{sorted(record)}")


def _problem(record: Mapping[str, Any]) -> str:
    return text_field(record, _present(record, "problem", "question"))


def _metadata(record: Mapping[str, Any]) -> dict[str, Any]:
    meta = json_field(record, "metadata", {}) or {}
    return dict(meta) if isinstance(meta, Mapping) else {}


def _func_name(record_meta: Mapping[str, Any], *texts: str | None) -> str | None:
    for key in ("func_name", "fn_name", "entry_point"):
        if isinstance(record_meta.get(key), str) and record_meta[key].strip():
            return record_meta[key].strip()
    for text in texts:
        if text:
            match = _METHOD.search(text) or _FUNCTION.search(text)
            if match:
                return match.group(1)
    return None


def functional_task(record: Mapping[str, Any], ctx: ConvertContext, program: str, source: str) -> Task:
    """A LeetCode-style record (``tests = {"functional": ...}``) -> Task."""
    problem = _problem(record)
    solutions = solutions_field(record)
    meta = _metadata(record)
    starter = extract_code_block(problem)
    target = find_check_target(program)
    if target is None:
        name = _func_name(meta, starter, *solutions[:1])
        if name is None:
            raise TaskFormatError("the functional test has no final check(...) call and no func_name to add one")
        target = entry_point_for(name, starter, *solutions[:1])
        program = program.rstrip() + f"\n\n\ncheck({target})\n"
    visible, hidden = assert_tests_from_check(program, target, ctx.visible)
    difficulty = record.get("difficulty") or meta.get("difficulty")
    metadata: dict[str, Any] = {"source": source, "difficulty": normalise_difficulty(difficulty),
                                "starter_code": starter}
    for key in ("question_id", "task_id", "question_title", "tags"):
        if meta.get(key):
            metadata[key] = meta[key]
    return Task(
        task_id=task_id_for(record, source, ctx.index, "task_id", "question_id", "id"),
        prompt=problem,
        visible_tests=visible,
        hidden_tests=hidden,
        entry_point=target,
        reference_solutions=solutions,
        setup_code=LEETCODE_PREAMBLE,
        metadata={k: v for k, v in metadata.items() if v is not None},
    )


def convert_leetcode(record: Mapping[str, Any], ctx: ConvertContext) -> Task:
    """One LeetCode record as in rLLM's ``leetcode`` split -> Task."""
    require(record, "problem", "tests")
    tests = parse_tests_field(record["tests"])
    if not is_functional_tests(tests):
        raise TaskFormatError("a LeetCode record needs tests = {'functional': 'def check(candidate): ...'}")
    return functional_task(record, ctx, tests["functional"], "leetcode")


def convert(record: Mapping[str, Any], ctx: ConvertContext) -> Task:
    """One DeepCoder/rLLM record (any of its test encodings) -> Task."""
    tests_value = parse_tests_field(record[_present(record, "tests", "ground_truth")])
    _present(record, "problem", "question")
    source = "deepcoder"
    subset = record.get("data_source") or None  # DeepCoder's origin of the problem: taco, lcbv5, codeforces...
    if is_functional_tests(tests_value):
        task = functional_task(record, ctx, tests_value["functional"], source)
        if subset:
            task.metadata["subset"] = subset
        return task
    problem = _problem(record)
    solutions = solutions_field(record)
    meta = _metadata(record)
    starter = text_field(record, "starter_code") or meta.get("starter_code") or None
    hints = (starter, problem, *solutions[:1])
    if isinstance(tests_value, Mapping) and "inputs" in tests_value:
        tests, entry_point = io_dict_tests(tests_value, code_hints=hints)
    elif isinstance(tests_value, list):
        tests, entry_point = _case_list_tests(tests_value, meta, hints)
    else:
        raise TaskFormatError("tests must be a list of {input, output} cases, an {inputs, outputs} object, "
                              f"or {{'functional': ...}}; got {type(tests_value).__name__}")
    if not tests:
        raise TaskFormatError("the problem has no tests")
    visible, hidden = split_or_default([], tests, ctx.visible)
    metadata = {"source": source, "subset": subset,
                "difficulty": normalise_difficulty(record.get("difficulty") or meta.get("difficulty")),
                "starter_code": starter}
    return Task(
        task_id=task_id_for(record, source, ctx.index, "task_id", "problem_id", "id"),
        prompt=problem,
        visible_tests=visible,
        hidden_tests=hidden,
        entry_point=entry_point,
        reference_solutions=solutions,
        setup_code=COMPETITIVE_PREAMBLE,
        metadata={k: v for k, v in metadata.items() if v is not None},
    )


def _case_list_tests(cases: list[Any], meta: Mapping[str, Any], hints: tuple[str | None, ...]):
    func_name = _func_name(meta)
    for case in cases:  # rLLM's LiveCodeBench subset puts {"func_name"} in each test's metadata
        if func_name:
            break
        if isinstance(case, Mapping):
            case_meta = case.get("metadata")
            if isinstance(case_meta, str):
                try:
                    case_meta = json.loads(case_meta)
                except json.JSONDecodeError:
                    case_meta = None
            if isinstance(case_meta, Mapping):
                func_name = _func_name(case_meta)
            if not func_name and isinstance(case.get("fn_name"), str):
                func_name = case["fn_name"]
    kinds = {str(c.get("testtype") or c.get("type") or "stdin").lower() for c in cases if isinstance(c, Mapping)}
    if not func_name and kinds & {"functional", "function_call"}:
        func_name = _func_name({}, *hints)  # the method of the starter code shown in the problem
    entry_point = None
    if func_name:
        entry_point = _leetcode_entry_point(func_name, hints) if "functional" in kinds \
            else entry_point_for(func_name, *hints)
    decode_outputs = True
    if kinds == {"function_call"} and all(isinstance(c, Mapping) for c in cases):
        # PrimeIntellect's call tests (many from TACO/APPS) hold decoded values: an argument list and the
        # output, often in TACO's one-element wrapping. rLLM grades them with TACO's judge, which compares the
        # value as it is (a string output "101" stays a string) and restores integer dict keys.
        pairs = [judge_call_values(c.get("input"), c.get("output")) for c in cases]
        outputs = unwrap_single_outputs([expected for _, expected in pairs])
        cases = [{**c, "input": args, "output": expected} for c, (args, _), expected in zip(cases, pairs, outputs)]
        decode_outputs = False
    tests = case_tests(cases, func_name, "test", entry_point, decode_outputs=decode_outputs)
    functional = any(t.kind == "call" for t in tests)
    return tests, entry_point if functional else None


def _leetcode_entry_point(func_name: str, hints: tuple[str | None, ...]) -> str:
    """The entry point of a LiveCodeBench-style ``functional`` test: LiveCodeBench's functional problems are all
    LeetCode's, whose starter code is a method of ``class Solution`` (LiveCodeBench's judge instantiates
    ``Solution`` whenever the program defines it), so ``Solution().fn`` unless a hint defines ``fn`` at top level."""
    if "(" in func_name or "." in func_name:
        return func_name
    top_level = re.compile(rf"^def\s+{re.escape(func_name)}\s*\(", re.MULTILINE)
    if any(hint and top_level.search(hint) for hint in hints):
        return func_name
    return f"Solution().{func_name}"


__all__ = ["convert", "convert_leetcode", "is_functional_tests", "parse_tests_field"]
