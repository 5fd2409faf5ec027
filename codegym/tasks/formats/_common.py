"""Helpers shared by the benchmark converters: conversion context, field parsing, test splitting.

Every converter is a function ``convert(record, ctx) -> Task``. It may raise any ``KeyError``, ``TypeError``,
``ValueError`` or :class:`~codegym.errors.TaskFormatError`; :mod:`codegym.tasks.loaders` wraps them into one
``TaskFormatError`` that names the file and the record (line) number.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codegym.errors import TaskConfigError, TaskFormatError
from codegym.extraction import last_code_block
from codegym.tasks.model import CallTest, StdioTest, Test, split_tests

#: What a ``visible=`` option may be: a count of tests, a fraction of them, or ``None`` for the format's default.
Visible = int | float | None


@dataclass
class ConvertContext:
    """Where a record came from and the options the caller gave.

    Attributes:
        index: 0-based position of the record in its source (used for generated task ids).
        location: human-readable place of the record, e.g. ``"data.jsonl: line 7"``.
        visible: the visible/hidden split the caller asked for; ``None`` keeps each format's default.
        options: format-specific options (``compute_expected``, ``include_generated``, ``executor`` ...).
    """

    index: int = 0
    location: str = "<record>"
    visible: Visible = None
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)


def require(record: Mapping[str, Any], *names: str) -> None:
    """Raise a TaskFormatError naming the missing required fields."""
    missing = [n for n in names if n not in record or record[n] is None]
    if missing:
        raise TaskFormatError(f"missing required field(s) {missing}; the record has {sorted(record)}")


def text_field(record: Mapping[str, Any], name: str, default: str = "") -> str:
    """A string field; ``None`` and absent become ``default``; other types are rejected."""
    value = record.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise TaskFormatError(f"field {name!r} must be a string, got {type(value).__name__}")
    return value


def json_field(record: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """A field that benchmarks store either as a JSON string or already decoded (HF datasets vary)."""
    value = record.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8")
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise TaskFormatError(f"field {name!r} is not valid JSON ({exc.msg} at char {exc.pos})") from None
    return value


def task_id_for(record: Mapping[str, Any], source: str, index: int, *id_fields: str) -> str:
    """The record's own id (first present of ``id_fields``) prefixed by the source, else ``source/index``."""
    for name in id_fields:
        value = record.get(name)
        if value is not None and str(value).strip():
            text = str(value).strip()
            return text if text.lower().startswith(source.lower() + "/") else f"{source}/{text}"
    return f"{source}/{index}"


def normalise_difficulty(raw: Any) -> str | None:
    """Map each benchmark's difficulty label onto ``easy | medium | hard`` (``None`` when unknown).

    APPS uses introductory/interview/competition, TACO EASY..VERY_HARD, CodeContests an enum, LeetCode and
    LiveCodeBench easy/medium/hard. The raw label is kept separately in each loader's metadata.
    """
    if raw is None:
        return None
    text = str(raw).strip().lower().replace("-", "_").replace(" ", "_")
    table = {
        "easy": "easy", "introductory": "easy", "very_easy": "easy",
        "medium": "medium", "interview": "medium", "medium_hard": "medium",
        "hard": "hard", "competition": "hard", "very_hard": "hard", "harder": "hard", "hardest": "hard",
    }
    return table.get(text)


def split_or_default(default_visible: Sequence[Test], default_hidden: Sequence[Test],
                     visible: Visible) -> tuple[list[Test], list[Test]]:
    """Use the dataset's own visible/hidden split unless the caller asked for ``visible=`` explicitly.

    With an explicit ``visible`` the tests are pooled (dataset-visible ones first) and re-split with
    :func:`codegym.tasks.model.split_tests`.
    """
    if visible is None:
        return list(default_visible), list(default_hidden)
    return split_tests([*default_visible, *default_hidden], visible)


def check_visible(visible: Any) -> Visible:
    """Validate a ``visible=`` option early, with a message that says what is allowed."""
    if visible is None:
        return None
    if isinstance(visible, bool):
        raise TaskConfigError("visible= must be an int count, a float fraction in [0, 1], or None")
    if isinstance(visible, int):
        if visible < 0:
            raise TaskConfigError(f"visible= must be >= 0, got {visible}")
        return visible
    if isinstance(visible, float):
        if not 0.0 <= visible <= 1.0:
            raise TaskConfigError(f"a visible= fraction must be in [0, 1], got {visible}")
        return visible
    raise TaskConfigError(f"visible= must be an int count, a float fraction in [0, 1], or None; got {visible!r}")


def extract_code_block(text: str) -> str | None:
    """The starter code in a problem statement (LeetCode/DeepCoder prompts): the body of its last Python or
    untagged fenced block (:func:`codegym.extraction.last_code_block`; blocks in other languages are examples, not
    starter code), with trailing blank lines trimmed; ``None`` when there is none."""
    block = last_code_block(text, any_language=False)
    return block.rstrip() + "\n" if block is not None else None


def as_list(value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist"):  # numpy arrays from parquet/pandas
        return list(value.tolist())
    raise TaskFormatError(f"{what} must be a list, got {type(value).__name__}")


def stdio_text(value: Any, what: str) -> str:
    """A stdin/stdout value: a string, or a list of lines (some APPS/TACO rows store lines)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "\n".join(value) + ("\n" if value else "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise TaskFormatError(f"{what} must be a string (or a list of lines), got {type(value).__name__}")


def entry_point_for(fn_name: str, *code_hints: str | None) -> str:
    """``Solution().fn`` when any hint (starter code, reference) defines ``class Solution``, else ``fn``."""
    if "(" in fn_name or "." in fn_name:
        return fn_name
    for hint in code_hints:
        if hint and "class Solution" in hint:
            return f"Solution().{fn_name}"
    return fn_name


def compose_prompt(statement: str, *, style: str, starter_code: str | None = None,
                   entry_point: str | None = None) -> str:
    """The problem statement plus what the judge expects: a stdin/stdout program or the starter code completed."""
    text = statement.rstrip() + "\n"
    if style == "stdio":
        text += "\nRead the input from standard input and write the answer to standard output.\n"
        if starter_code and starter_code.strip():
            text += f"\nStart from this code:\n```python\n{starter_code.rstrip()}\n```\n"
        return text
    if starter_code and starter_code.strip():
        return text + f"\nComplete this starter code:\n```python\n{starter_code.rstrip()}\n```\n"
    if entry_point:
        return text + f"\nWrite the solution as the Python function `{entry_point}`.\n"
    return text


def int_keyed(value: Any) -> Any:
    """A JSON object whose keys are all integers written as strings, with the keys turned back into ints.

    JSON forces object keys to be strings, so a call-based APPS/TACO test of a function taking or returning
    ``{1: "a"}`` stores ``{"1": "a"}``. The APPS and TACO judges (``testing_util.py``, also rLLM's TACO,
    PrimeIntellect and Codeforces graders) convert the keys of a dict first argument and of a dict output back
    with ``int(k)``, leaving the dict unchanged when any key is not an integer; this does the same.
    """
    if not isinstance(value, Mapping) or not value:
        return value
    try:
        return {int(k): v for k, v in value.items()}
    except (TypeError, ValueError):
        return value


def judge_call_values(args: Any, expected: Any) -> tuple[Any, Any]:
    """Apply the APPS/TACO judges' dict-key restoration to one call test's argument list and expected output."""
    if isinstance(args, list) and args and isinstance(args[0], Mapping):
        args = [int_keyed(args[0]), *args[1:]]
    if isinstance(expected, Mapping):
        expected = int_keyed(expected)
    elif isinstance(expected, list) and len(expected) == 1 and isinstance(expected[0], Mapping):
        expected = [int_keyed(expected[0])]
    return args, expected


def unwrap_single_outputs(outputs: list[Any]) -> list[Any]:
    """APPS/TACO call-based outputs are usually wrapped in a one-element list (``[[6], [10]]`` for 6 and 10).

    Their judge accepts either the wrapped or the unwrapped value. A :class:`CallTest` compares with one value, so
    when *every* output of a task is a one-element list we unwrap them; otherwise they are kept as they are.
    """
    if outputs and all(isinstance(o, list) and len(o) == 1 for o in outputs):
        return [o[0] for o in outputs]
    return outputs


def io_dict_tests(io: Mapping[str, Any], *, code_hints: Sequence[str | None] = (),
                  name_prefix: str = "test") -> tuple[list[Test], str | None]:
    """Tests from the APPS/TACO ``input_output`` object ``{"inputs": [...], "outputs": [...], "fn_name"?}``.

    With ``fn_name`` each input is the argument list of one :class:`CallTest` (integer-like keys of a dict first
    argument or dict output restored as the judges do, see :func:`int_keyed`); otherwise each input/output
    pair is a :class:`StdioTest`. Returns the tests and the entry point (``None`` for stdio tasks).
    """
    if not isinstance(io, Mapping):
        raise TaskFormatError(f"input_output must be an object with 'inputs' and 'outputs', got {type(io).__name__}")
    inputs = as_list(io.get("inputs"), "input_output.inputs")
    outputs = as_list(io.get("outputs"), "input_output.outputs")
    if len(inputs) != len(outputs):
        raise TaskFormatError(f"input_output has {len(inputs)} inputs but {len(outputs)} outputs")
    fn_name = io.get("fn_name")
    tests: list[Test] = []
    if fn_name:
        entry_point = entry_point_for(str(fn_name).strip(), *code_hints)
        pairs = [judge_call_values(args, expected) for args, expected in zip(inputs, outputs)]
        outputs = unwrap_single_outputs([expected for _, expected in pairs])
        for i, (args, expected) in enumerate(zip([args for args, _ in pairs], outputs)):
            args = tuple(args) if isinstance(args, (list, tuple)) else (args,)
            tests.append(CallTest(entry_point=entry_point, args=args, expected=expected, name=f"{name_prefix}[{i}]"))
        return tests, entry_point
    for i, (stdin, stdout) in enumerate(zip(inputs, outputs)):
        tests.append(StdioTest(stdin=stdio_text(stdin, f"input {i}"), expected_stdout=stdio_text(stdout, f"output {i}"),
                               name=f"{name_prefix}[{i}]"))
    return tests, None
