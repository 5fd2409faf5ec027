"""MBPP (Austin et al., 2021): the original ``mbpp.jsonl``, the hand-verified "sanitized" JSON, and MBPP+.

Fields read. Original: ``task_id``, ``text``, ``code``, ``test_list``, ``test_setup_code``,
``challenge_test_list``. Sanitized: ``task_id``, ``prompt``, ``code``, ``test_imports``, ``test_list``.
MBPP+ (EvalPlus, Liu et al., 2023) adds ``test`` (a complete test program, kept as one hidden assert test) or
``base_input``/``plus_input``/``atol`` (hidden call tests, exactly as for HumanEval+).

Each assert statement becomes its own :class:`~codegym.tasks.model.AssertTest` (with the setup code or test
imports in front of it). The sanitized release is judged by ``exec(test_imports + code + asserts)`` in one
namespace: the test imports run *before* the program, which may therefore use a module (``math``) that only
``test_imports`` imports. So the test imports are also the task's ``setup_code``, which the sandbox runs before the
program. The original release's ``test_setup_code`` keeps its meaning, setup for the tests: it runs after the
program, in front of each assert, and is not setup code.

MBPP names the function only through its tests, so the entry point is inferred from the asserts: the first
function they call that the reference defines. By default the first test is visible and shown in the prompt (the
paper's prompt shows the tests; EvalPlus's MBPP+ shows one), the rest and the challenge tests are hidden;
``visible=`` re-splits them.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Mapping, Sequence
from typing import Any

from codegym.errors import TaskFormatError
from codegym.parsing import parse_python
from codegym.tasks.formats._common import ConvertContext, as_list, require, split_or_default, text_field
from codegym.tasks.formats.humaneval import evalplus_call_tests
from codegym.tasks.model import AssertTest, Task, Test

SOURCE = "mbpp"


def convert(record: Mapping[str, Any], ctx: ConvertContext) -> Task:
    """One MBPP record (original or sanitized) -> Task."""
    require(record, "code", "test_list")
    description = text_field(record, "text") or text_field(record, "prompt")
    if not description.strip():
        raise TaskFormatError("an MBPP record needs a 'text' (original) or 'prompt' (sanitized) description")
    code = _normalise(text_field(record, "code"))
    test_list = [_normalise(str(t)) for t in as_list(record.get("test_list"), "test_list")]
    challenge = [_normalise(str(t)) for t in as_list(record.get("challenge_test_list"), "challenge_test_list")]
    if not test_list:
        raise TaskFormatError("test_list is empty: an MBPP task needs at least one assert")
    entry_point = infer_entry_point([*test_list, *challenge], code)
    preamble = _normalise(text_field(record, "test_setup_code")).strip()
    imports = "\n".join(str(line) for line in as_list(record.get("test_imports"), "test_imports")).strip()
    prefix = "\n".join(p for p in (imports, preamble) if p)
    setup_code = f"{imports}\n" if imports else ""  # MBPP runs test_imports before the program

    def make(index: int, assertion: str, label: str) -> Test:
        body = f"{prefix}\n{assertion}\n" if prefix else f"{assertion}\n"
        return AssertTest(code=body, entry_point=entry_point, name=f"{label}[{index}]")

    base = [make(i, t, "test") for i, t in enumerate(test_list)]
    extra = [make(i, t, "challenge") for i, t in enumerate(challenge)]
    metadata: dict[str, Any] = {"source": SOURCE, "variant": "original" if "text" in record else "sanitized"}
    # MBPP+ (EvalPlus): a complete differential test program in "test", and/or base/plus inputs.
    plus_program = _normalise(text_field(record, "test")).strip()
    if plus_program:
        extra.append(AssertTest(code=f"{prefix}\n{plus_program}\n" if prefix else plus_program + "\n",
                                entry_point=entry_point, name="plus"))
        metadata["source"] = "mbpp+"
    plus = evalplus_call_tests(record, entry_point, code or None, ctx, setup_code=setup_code)
    if plus is not None:
        extra.extend(plus[0])
        metadata.update(plus[1], source="mbpp+")
    visible, hidden = split_or_default(base[:1], [*base[1:], *extra], ctx.visible)
    shown = [t.code.strip() for t in visible if isinstance(t, AssertTest)]
    if shown:
        prompt = f"{description.strip()}\nYour code should pass these tests:\n\n" + "\n".join(shown) + "\n"
    else:
        prompt = f"{description.strip()}\nWrite it as a Python function named `{entry_point}`.\n"
    task_id = record.get("task_id")
    if record.get("source_file"):
        metadata["source_file"] = record["source_file"]
    return Task(
        task_id=f"{SOURCE}/{task_id}" if task_id is not None else f"{SOURCE}/{ctx.index}",
        prompt=prompt,
        visible_tests=visible,
        hidden_tests=hidden,
        entry_point=entry_point,
        reference_solutions=[code] if code.strip() else [],
        setup_code=setup_code,
        metadata=metadata,
    )


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def infer_entry_point(asserts: Sequence[str], reference: str = "") -> str:
    """The function the asserts exercise.

    Preference order: the first call (in source order) to a top-level function the reference defines; else the
    first call to a non-builtin name. Raises :class:`TaskFormatError` when the asserts call nothing.
    """
    defined: set[str] = set()
    try:
        defined = {n.name for n in parse_python(reference).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    except SyntaxError:
        pass  # a broken reference still leaves the asserts to infer from
    fallback: str | None = None
    for source in asserts:
        try:
            tree = parse_python(source)
        except SyntaxError as exc:
            raise TaskFormatError(f"test {source[:80]!r} is not valid Python: {exc.msg}") from None
        calls = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)),
                       key=lambda n: (n.lineno, n.col_offset))
        for call in calls:
            name = call.func.id  # type: ignore[attr-defined]
            if name in defined:
                return name
            if fallback is None and not hasattr(builtins, name):
                fallback = name
    if fallback is None:
        raise TaskFormatError("cannot infer the entry point: the asserts call no user-defined function")
    return fallback
