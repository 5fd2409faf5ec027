"""CodeContests (Li et al., 2022, AlphaCode): the Hugging Face release and the repository's JSON conversion.

Two layouts of the same ``ContestProblem`` protobuf (``deepmind/code_contests: contest_problem.proto``) exist:

* the Hugging Face dataset ``deepmind/code_contests`` (parquet): ``public_tests``/``private_tests``/
  ``generated_tests`` are ``{"input": [...], "output": [...]}``, ``solutions`` is ``{"language": [...],
  "solution": [...]}``, ``time_limit`` is ``{"seconds", "nanos"}`` and ``source``/``difficulty`` are
  ``ClassLabel`` indices -- *contiguous*, so ATCODER is 5, AIZU 6 and the letters run A=7 .. V=28;
* the repository's ``convert_riegeli_to_json.py`` output: the tests and ``solutions`` are lists of
  ``{"input", "output"}`` / ``{"language", "solution"}`` objects, ``time_limit`` is the protobuf text of the
  Duration (``"seconds: 2\\n"``) and ``source``/``difficulty`` are the *proto* enum numbers, which skip
  reserved values: ATCODER is 6, AIZU 7, and L..V are 19..29.

The layout is recognised from the shape of the tests, so the enum numbers are read with the right table; enum
names (``"CODEFORCES"``, ``"B"``) are accepted too. Other fields read: ``name``, ``description``, ``cf_rating``,
``cf_tags``, ``memory_limit_bytes``, ``input_file``/``output_file``. Only language 3 = PYTHON3 solutions are kept
(1 is Python 2, 2 C++, 4 Java).

Every test is a :class:`~codegym.tasks.model.StdioTest`. Public tests are visible, private and generated
tests hidden (``include_generated=False`` drops the generated ones, which are mutations of the others and far
more numerous). ``visible=`` pools them (public first) and re-splits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from codegym.errors import TaskFormatError
from codegym.tasks.formats._common import (
    ConvertContext,
    as_list,
    compose_prompt,
    json_field,
    normalise_difficulty,
    require,
    split_or_default,
    stdio_text,
    text_field,
)
from codegym.tasks.model import StdioTest, Task, Test

SOURCE = "codecontests"
PYTHON3 = 3

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUV"
#: ``ContestProblem.Difficulty`` as numbered on the Hugging Face hub (``ClassLabel``: contiguous indices).
DIFFICULTY_NAMES = {0: "unknown", 1: "easy", 2: "medium", 3: "hard", 4: "harder", 5: "hardest", 6: "external",
                    **{7 + i: letter for i, letter in enumerate(_LETTERS)}}
#: ``ContestProblem.Source`` as numbered on the Hugging Face hub.
SOURCE_NAMES = {0: "unknown", 1: "codechef", 2: "codeforces", 3: "hackerearth", 4: "codejam", 5: "atcoder",
                6: "aizu"}
#: The same enums with the protobuf's own numbers (``contest_problem.proto``), used by the repository's JSON
#: conversion: 18 and 5 are reserved, so L..V are 19..29, ATCODER is 6 and AIZU 7.
PROTO_DIFFICULTY_NAMES = {**{k: v for k, v in DIFFICULTY_NAMES.items() if k < 18},
                          **{19 + i: letter for i, letter in enumerate(_LETTERS[11:])}}
PROTO_SOURCE_NAMES = {0: "unknown", 1: "codechef", 2: "codeforces", 3: "hackerearth", 4: "codejam", 6: "atcoder",
                      7: "aizu"}
#: ``Solution.Language`` (the same numbers in both layouts).
LANGUAGE_NUMBERS = {"UNKNOWN_LANGUAGE": 0, "PYTHON": 1, "PYTHON2": 1, "CPP": 2, "PYTHON3": 3, "JAVA": 4}


def _coarse_difficulty(label: str, rating: Any) -> str | None:
    """easy/medium/hard from the enum, or from the Codeforces rating / problem letter when that is all there is."""
    named = normalise_difficulty(label)
    if named:
        return named
    if isinstance(rating, (int, float)) and rating > 0:
        # Codeforces ratings: <=1300 are Div. 2 A/B level, >=2100 is Div. 1 territory.
        return "easy" if rating <= 1300 else "medium" if rating < 2100 else "hard"
    if len(label) == 1 and label.isalpha():
        return "easy" if label in "AB" else "medium" if label in "CD" else "hard"
    return None


def _tests(record: Mapping[str, Any], field_name: str) -> list[Test]:
    """One test group: ``{"input": [...], "output": [...]}`` (hub) or ``[{"input", "output"}, ...]`` (JSON)."""
    block = json_field(record, field_name, {}) or {}
    if hasattr(block, "tolist"):
        block = block.tolist()
    if isinstance(block, (list, tuple)):
        for n, case in enumerate(block):
            if not isinstance(case, Mapping) or "input" not in case or "output" not in case:
                raise TaskFormatError(f"{field_name}[{n}] must be an object with 'input' and 'output'")
        inputs, outputs = [c["input"] for c in block], [c["output"] for c in block]
    elif isinstance(block, Mapping):
        inputs = as_list(block.get("input"), f"{field_name}.input")
        outputs = as_list(block.get("output"), f"{field_name}.output")
    else:
        raise TaskFormatError(f"{field_name} must be an object with 'input' and 'output' lists, or a list of "
                              f"{{'input', 'output'}} objects; got {type(block).__name__}")
    if len(inputs) != len(outputs):
        raise TaskFormatError(f"{field_name} has {len(inputs)} inputs but {len(outputs)} outputs")
    label = field_name.replace("_tests", "")
    return [StdioTest(stdin=stdio_text(i, f"{field_name}.input[{n}]"),
                      expected_stdout=stdio_text(o, f"{field_name}.output[{n}]"), name=f"{label}[{n}]")
            for n, (i, o) in enumerate(zip(inputs, outputs))]


def _uses_proto_numbers(record: Mapping[str, Any]) -> bool:
    """True for the repository's JSON conversion (lists of test objects), whose enums keep the proto numbers."""
    for name in ("public_tests", "private_tests", "generated_tests", "solutions"):
        value = record.get(name)
        if isinstance(value, (list, tuple)):
            return True
        if isinstance(value, Mapping):
            return False
    return False


def python3_solutions(record: Mapping[str, Any], field_name: str = "solutions") -> list[str]:
    block = json_field(record, field_name, {}) or {}
    if hasattr(block, "tolist"):
        block = block.tolist()
    if isinstance(block, (list, tuple)):  # the JSON conversion: [{"language": 3, "solution": "..."}, ...]
        pairs = [(s.get("language"), s.get("solution")) for s in block if isinstance(s, Mapping)]
    elif isinstance(block, Mapping):
        languages = as_list(block.get("language"), f"{field_name}.language")
        programs = as_list(block.get("solution"), f"{field_name}.solution")
        pairs = list(zip(languages, programs))
    else:
        return []
    return [str(p) for lang, p in pairs if _language(lang) == PYTHON3 and p is not None and str(p).strip()]


def _language(value: Any) -> int | None:
    if isinstance(value, str) and not value.strip().isdigit():
        return LANGUAGE_NUMBERS.get(value.strip().upper())
    return _int(value)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _enum_label(value: Any, table: Mapping[int, str], what: str) -> str:
    """The label of an enum value given as its number (in ``table``'s numbering) or its name (``"B"``, ``"EASY"``)."""
    if value is None:
        return "unknown"
    if isinstance(value, str) and not value.strip().isdigit():
        name = value.strip()
        for candidate in (name.upper(), name.lower().replace("unknown_difficulty", "unknown")
                          .replace("unknown_source", "unknown")):
            if candidate in table.values():
                return candidate
        raise TaskFormatError(f"unknown {what} {value!r}; expected one of {sorted(set(table.values()))} or its "
                              "number")
    number = _int(value)
    if number is None or number not in table:
        raise TaskFormatError(f"unknown {what} number {value!r}; expected one of {sorted(table)}")
    return table[number]


def _time_limit_s(value: Any) -> float | None:
    """``{"seconds", "nanos"}`` (hub) or the protobuf text ``"seconds: 2\\nnanos: 500000000\\n"`` (JSON)."""
    if isinstance(value, Mapping):
        seconds, nanos = value.get("seconds"), value.get("nanos")
    elif isinstance(value, str) and value.strip():
        fields = dict(re.findall(r"(seconds|nanos)\s*:\s*(-?\d+)", value))
        if not fields:
            raise TaskFormatError(f"time_limit {value[:80]!r} is neither {{'seconds', 'nanos'}} nor "
                                  "'seconds: N nanos: M'")
        seconds, nanos = fields.get("seconds"), fields.get("nanos")
    else:
        return None
    total = float(seconds or 0) + float(nanos or 0) / 1e9
    return total or None


def convert(record: Mapping[str, Any], ctx: ConvertContext) -> Task:
    """One CodeContests record -> Task."""
    require(record, "description")
    name = text_field(record, "name").strip()
    public = _tests(record, "public_tests")
    hidden = _tests(record, "private_tests")
    if ctx.option("include_generated", True):
        hidden += _tests(record, "generated_tests")
    if not public and not hidden:
        raise TaskFormatError("the problem has no public, private or generated tests")
    visible, hidden = split_or_default(public, hidden, ctx.visible)
    proto = _uses_proto_numbers(record)
    label = _enum_label(record.get("difficulty"), PROTO_DIFFICULTY_NAMES if proto else DIFFICULTY_NAMES,
                        "difficulty")
    platform = _enum_label(record.get("source"), PROTO_SOURCE_NAMES if proto else SOURCE_NAMES, "source")
    metadata: dict[str, Any] = {
        "source": SOURCE,
        "difficulty": _coarse_difficulty(label, record.get("cf_rating")),
        "codecontests_difficulty": label,
        "name": name or None,
        "platform": platform if record.get("source") is not None else None,
        "cf_rating": record.get("cf_rating") or None,
        "tags": list(as_list(record.get("cf_tags"), "cf_tags")) or None,
        "memory_limit_bytes": record.get("memory_limit_bytes") or None,
        "time_limit_s": _time_limit_s(record.get("time_limit")),
        # A few problems read and write named files instead of stdin/stdout; a stdin test cannot express that.
        "input_file": text_field(record, "input_file").strip() or None,
        "output_file": text_field(record, "output_file").strip() or None,
    }
    return Task(
        task_id=f"{SOURCE}/{name}" if name else f"{SOURCE}/{ctx.index}",
        prompt=compose_prompt(text_field(record, "description"), style="stdio"),
        visible_tests=visible,
        hidden_tests=hidden,
        reference_solutions=python3_solutions(record),
        metadata={k: v for k, v in metadata.items() if v is not None},
    )
