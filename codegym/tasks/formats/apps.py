"""APPS (Hendrycks et al., 2021) and TACO (Li et al., 2023), which shares APPS's schema.

Fields read: ``question``, ``solutions`` (JSON string of a list of programs), ``input_output`` (JSON string of
``{"inputs": [...], "outputs": [...], "fn_name"?: str}``), ``starter_code``, ``difficulty``, ``problem_id``
(or ``id``/``task_id``), ``url``, and TACO's ``name``, ``source`` (kept as ``platform``), ``tags``,
``skill_types``, ``raw_tags`` (Python list literals stored as strings on the hub, e.g. ``"['Sorting']"``),
``time_limit``, ``memory_limit``, ``date``, ``Expected Time Complexity`` and ``Expected Auxiliary Space``.
BAAI/TACO has no id column: its tasks are ``taco/<row>``.

With ``fn_name`` every input is an argument list and becomes a :class:`~codegym.tasks.model.CallTest` (entry
point ``Solution().fn`` when the starter code defines ``class Solution``); otherwise every pair is a
:class:`~codegym.tasks.model.StdioTest`. APPS has no public/private split, so by default every test is hidden;
``visible=`` moves the first ones to the visible side.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from codegym.errors import TaskFormatError
from codegym.parsing import literal_eval
from codegym.tasks.formats._common import (
    ConvertContext,
    compose_prompt,
    io_dict_tests,
    json_field,
    normalise_difficulty,
    require,
    split_or_default,
    task_id_for,
    text_field,
)
from codegym.tasks.formats.preambles import COMPETITIVE_PREAMBLE
from codegym.tasks.model import Task

SOURCE = "apps"

#: Columns only BAAI/TACO has (its other columns are APPS's).
TACO_ONLY_FIELDS = ("skill_types", "raw_tags", "Expected Time Complexity", "Expected Auxiliary Space", "picture_num")


def solutions_field(record: Mapping[str, Any], name: str = "solutions") -> list[str]:
    """A list of programs stored as a JSON list, a plain list, or a single program string."""
    raw = record.get(name)
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        stripped = raw.lstrip()
        if stripped.startswith("["):
            value = json_field(record, name, [])
        else:
            return [raw]
    else:
        value = raw
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        raise TaskFormatError(f"{name} must be a list of programs, got {type(value).__name__}")
    return [str(s) for s in value if isinstance(s, str) and s.strip()]


def convert(record: Mapping[str, Any], ctx: ConvertContext) -> Task:
    """One APPS/TACO record -> Task."""
    require(record, "question", "input_output")
    question = text_field(record, "question")
    starter = text_field(record, "starter_code")
    solutions = solutions_field(record)
    io = json_field(record, "input_output")
    if not io:
        raise TaskFormatError("input_output is empty: the problem has no tests")
    tests, entry_point = io_dict_tests(io, code_hints=(starter, *solutions[:1]))
    if not tests:
        raise TaskFormatError("input_output has no inputs: the problem has no tests")
    visible, hidden = split_or_default([], tests, ctx.visible)
    style = "function" if entry_point else "stdio"
    source = "taco" if any(k in record for k in TACO_ONLY_FIELDS) else SOURCE
    metadata: dict[str, Any] = {"source": source, "difficulty": normalise_difficulty(record.get("difficulty"))}
    for key, name in (("difficulty", f"{source}_difficulty"), ("url", "url"), ("name", "name"),
                      ("source", "platform"), ("tags", "tags"), ("skill_types", "skill_types"),
                      ("raw_tags", "raw_tags"), ("time_limit", "time_limit"), ("memory_limit", "memory_limit"),
                      ("date", "date"), ("Expected Time Complexity", "expected_time_complexity"),
                      ("Expected Auxiliary Space", "expected_auxiliary_space")):
        value = _plain(record.get(key))
        if value not in (None, "", []):
            metadata[name] = value
    if starter.strip():
        metadata["starter_code"] = starter
    return Task(
        task_id=task_id_for(record, source, ctx.index, "problem_id", "task_id", "id"),
        prompt=compose_prompt(question, style=style, starter_code=starter, entry_point=entry_point),
        visible_tests=visible,
        hidden_tests=hidden,
        entry_point=entry_point,
        reference_solutions=solutions,
        setup_code=COMPETITIVE_PREAMBLE,
        metadata={k: v for k, v in metadata.items() if v is not None},
    )


def _plain(value: Any) -> Any:
    """A metadata value as plain data: numpy arrays as lists, TACO's list literals (``"['Sorting']"``) parsed."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            parsed = literal_eval(value.strip())  # literals only: never evaluates code
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return value
        return parsed if isinstance(parsed, list) else value
    return value
