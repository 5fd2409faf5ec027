"""The fidelity corpus: every case, and the benchmark records (raw, as the original harnesses read them) they
refer to.

Sources: HumanEval (``shared/datasets/HumanEval.jsonl.gz``), rLLM's LeetCode test split
(``shared/datasets/rllm-leetcode-test.json.gz``, task ``leetcode/<index>``), ``leetcode_extra.json`` beside this
file (task ``leetcode/<task_id>``) and ``tests/fixtures/mbpp_sanitized_fidelity.json`` (task
``mbpp/<task_id>``).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from . import humaneval_cases, leetcode_cases, mbpp_cases
from .case import Case

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
DATASETS = TESTS.parents[0].parent / "shared" / "datasets"
HUMANEVAL_FILE = DATASETS / "HumanEval.jsonl.gz"
LEETCODE_FILE = DATASETS / "rllm-leetcode-test.json.gz"
LEETCODE_EXTRA_FILE = HERE / "leetcode_extra.json"
MBPP_FILE = TESTS / "fixtures" / "mbpp_sanitized_fidelity.json"

CASES: list[Case] = [*humaneval_cases.CASES, *mbpp_cases.CASES, *leetcode_cases.CASES]

_duplicates = [case_id for case_id, n in Counter(c.id for c in CASES).items() if n > 1]
assert not _duplicates, f"duplicate case ids: {_duplicates}"


def source_file(task_id: str) -> Path:
    """The file holding a task's record."""
    if task_id.startswith("HumanEval/"):
        return HUMANEVAL_FILE
    if task_id.startswith("mbpp/"):
        return MBPP_FILE
    if task_id.startswith("leetcode/"):
        return LEETCODE_FILE if task_id.split("/", 1)[1].isdigit() else LEETCODE_EXTRA_FILE
    raise KeyError(task_id)


@cache
def raw_records(path: Path) -> dict[str, dict[str, Any]]:
    """The records of one source file by codegym task id, exactly as stored."""
    if path == HUMANEVAL_FILE:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = [json.loads(line) for line in handle if line.strip()]
        return {row["task_id"]: row for row in rows}
    if path == MBPP_FILE:
        return {f"mbpp/{row['task_id']}": row for row in json.loads(path.read_text())}
    if path == LEETCODE_FILE:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return {f"leetcode/{i}": row for i, row in enumerate(json.load(handle))}
    if path == LEETCODE_EXTRA_FILE:
        return {f"leetcode/{row['task_id']}": row for row in json.loads(path.read_text())}
    raise KeyError(path)


def raw_record(task_id: str) -> dict[str, Any]:
    return raw_records(source_file(task_id))[task_id]
