"""Resolve a task *spec* -- a file, a Hugging Face dataset, ``builtin`` or ``micro[:N[:difficulty]]`` -- to tasks.

This is what ``--tasks`` on the command line and ``tasks=`` of the environments accept::

    load_tasks("HumanEval.jsonl.gz")                       # a benchmark file, format detected
    load_tasks("data/apps_test.parquet", format="apps", limit=50, seed=0)
    load_tasks("openai_humaneval")                         # a Hugging Face hub dataset (test split)
    load_tasks("builtin")                                  # the built-in suite shipped with codegym
    load_tasks("micro:200:easy", seed=1)                   # 200 generated micro tasks

A spec is resolved locally first (paths, ``builtin``, ``micro``); only an ``owner/name`` id, or one of the
owner-less benchmark ids in :data:`KNOWN_HUB_DATASETS`, reaches the Hugging Face hub. Anything else fails at once
with the closest known names, so a typo never waits on hub retries.
"""

from __future__ import annotations

import difflib
import itertools
import os
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codegym.errors import TaskConfigError, TaskFormatError, UnknownTaskError
from codegym.tasks.builtin import load_builtin
from codegym.tasks.formats import Visible, check_visible
from codegym.tasks.loaders import is_saved_hf_dataset, load_file, load_hf_dataset
from codegym.tasks.micro import generate_micro_tasks
from codegym.tasks.model import Task, split_tests

#: A Hugging Face hub id: ``name`` or ``owner/name`` (letters, digits, ``-_.``), nothing path-like.
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[A-Za-z0-9][\w.-]*)?$")
_MICRO = re.compile(r"^micro(?::(?P<n>[^:]*))?(?::(?P<difficulty>[^:]*))?$")
_FILE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".gz", ".parquet")

#: Number of micro tasks for a bare ``micro`` spec.
DEFAULT_MICRO_TASKS = 100

#: Specs served by codegym itself (``micro`` also takes ``:N`` and ``:N:difficulty``).
LOCAL_SPECS = ("builtin", "micro")

#: Hub ids of the benchmarks the loaders read (docs/tasks.md), offered as suggestions. The owner-less ones are
#: legacy ids the hub still serves; they are the only bare names that go to the hub.
KNOWN_HUB_DATASETS = ("openai_humaneval", "openai/openai_humaneval", "evalplus/humanevalplus", "mbpp",
                      "google-research-datasets/mbpp", "evalplus/mbppplus", "codeparrot/apps", "BAAI/TACO",
                      "deepmind/code_contests", "livecodebench/code_generation_lite",
                      "agentica-org/DeepCoder-Preview-Dataset", "newfacade/LeetCodeDataset")


def load_tasks(spec: str | Path | Sequence[Task], *, format: str | None = None, split: str | None = None,
               visible: Visible = None, limit: int | None = None, seed: int | None = None,
               **kw: Any) -> list[Task]:
    """Tasks for ``spec``.

    Args:
        spec: a path to a benchmark file or saved HF dataset; ``"builtin"``; ``"micro"``, ``"micro:N"`` or
            ``"micro:N:difficulty"``; a Hugging Face hub id (``"owner/name"``, or an owner-less id of
            :data:`KNOWN_HUB_DATASETS`) when no such path exists; or a sequence of tasks (returned as a list,
            re-split if ``visible`` is given).
        format: force a file format (a name of :data:`codegym.tasks.loaders.LOADERS`); detected otherwise.
        split: the dataset split for hub/saved datasets (default: ``test``, else the only split).
        visible: visible tests per task: a count or fraction; ``None`` keeps each source's default split.
        limit: at most this many tasks.
        seed: with ``limit``, pick a seeded random sample instead of the first tasks (order shuffled with the
            same seed); for ``micro`` it is the generator seed.
        kw: passed to the loader (``on_error``, ``progress``, ``compute_expected``, ``include_generated``,
            ``hf_kwargs``); see :func:`codegym.tasks.loaders.convert_records`.

    Raises:
        UnknownTaskError: the spec is neither a path, a known name nor a loadable dataset; it names the closest
            known specs and files.
        TaskFormatError: the source exists but a record is malformed.
        TaskConfigError: an argument the loaders cannot use.
    """
    visible = check_visible(visible)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise TaskConfigError(f"limit must be an int >= 0, got {limit!r}")
    if not isinstance(spec, (str, Path)):
        tasks = list(spec)
        if not all(isinstance(t, Task) for t in tasks):
            raise TypeError("a task sequence must contain only codegym.tasks.model.Task objects")
        return _finish(_resplit(tasks, visible), limit, seed)
    text = str(spec).strip()
    if not text:
        raise UnknownTaskError("empty task spec; give a file path, 'builtin', 'micro[:N[:difficulty]]' "
                               "or a Hugging Face dataset id")
    path = Path(text).expanduser()
    if path.exists():
        if path.is_dir() and not is_saved_hf_dataset(path):
            raise UnknownTaskError(f"{path} is a directory, not a task file or saved Hugging Face dataset")
        # Read everything when sampling, so the sample is drawn from the whole file.
        tasks = load_file(path, format=format, visible=visible, split=split,
                          limit=limit if seed is None else None, **kw)
        return _finish(tasks, limit, seed)
    if text == "builtin":
        return _finish(_resplit(list(load_builtin()), visible), limit, seed)
    micro = _MICRO.match(text)
    if micro:
        return _micro(micro.group("n"), micro.group("difficulty"), visible, limit, seed)
    if text.endswith(_FILE_SUFFIXES) or text.startswith((".", "/", "~")) or "\\" in text:
        raise UnknownTaskError(f"task file {text!r} does not exist{_did_you_mean(text, path.parent, specs=False)}")
    if _HUB_ID.match(text) and ("/" in text or text in KNOWN_HUB_DATASETS):
        return _finish(_hub(text, format=format, split=split, visible=visible,
                            limit=limit if seed is None else None, **kw), limit, seed)
    raise UnknownTaskError(f"unknown task spec {text!r}{_did_you_mean(text, Path())} Give an existing file "
                           "(.json, .jsonl, .gz, .parquet), 'builtin', 'micro[:N[:difficulty]]' or a Hugging Face "
                           "dataset id 'owner/name' (e.g. 'openai/openai_humaneval').")


def _micro(count: str | None, difficulty: str | None, visible: Visible, limit: int | None,
           seed: int | None) -> list[Task]:
    if count in (None, ""):
        n = DEFAULT_MICRO_TASKS
    else:
        try:
            n = int(count)
        except ValueError:
            raise UnknownTaskError(f"micro task count must be an integer, got {count!r} "
                                   "(use micro, micro:N or micro:N:difficulty)") from None
    if limit is not None:
        n = min(n, limit)
    level: int | str | None = None
    if difficulty not in (None, ""):
        level = int(difficulty) if difficulty.isdigit() else difficulty
    tasks = generate_micro_tasks(n, seed=seed if seed is not None else 0, difficulty=level)
    return _resplit(tasks, visible)


def _hub(name: str, **kwargs: Any) -> list[Task]:
    try:
        return load_hf_dataset(name, **kwargs)
    except (TaskFormatError, TaskConfigError, ImportError):
        raise
    except (OSError, ValueError) as exc:
        # datasets raises DatasetNotFoundError (a FileNotFoundError) for unknown ids, ConnectionError/HTTP errors
        # (OSErrors) offline, and ValueError for bad configs. It honours HF_HUB_OFFLINE itself (cache only).
        offline = [v for v in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE") if os.environ.get(v, "").lower() in
                   ("1", "true", "yes", "on")]
        where = (f"{' and '.join(offline)} is set and the dataset is not in the local cache" if offline else
                 f"{type(exc).__name__}: {exc}")
        raise UnknownTaskError(
            f"{name!r} is not an existing path and could not be loaded as a Hugging Face dataset ({where})"
            f"{_did_you_mean(name, None)} Check the path or dataset id; offline, download the dataset first or "
            "point at a local file.") from exc


def _did_you_mean(text: str, directory: Path | None, specs: bool = True) -> str:
    """``"; did you mean 'x' or 'y'?"`` for what is closest to ``text`` (case-insensitive) among the task files in
    ``directory`` and, with ``specs``, the local specs and known hub ids; ``"."`` when nothing is close. Local only:
    it never reaches the hub."""
    candidates: dict[str, str] = {}
    for name in (*LOCAL_SPECS, *KNOWN_HUB_DATASETS) if specs else ():
        candidates.setdefault(name.lower(), name)
        candidates.setdefault(name.rsplit("/", 1)[-1].lower(), name)  # "humanevalplus" -> "evalplus/humanevalplus"
    for path in _task_files(directory) if directory is not None else ():
        candidates.setdefault(path.name.lower(), str(path))
        candidates.setdefault(path.name.lower().split(".", 1)[0], str(path))  # "HumanEval.jsonl.gz" -> "humaneval"
    key = text.lower()
    close = difflib.get_close_matches(key, candidates, n=8, cutoff=0.6)
    if Path(key).name != key:  # a path: its file name may match a sibling's
        close = difflib.get_close_matches(Path(key).name, candidates, n=8, cutoff=0.6) + close
    names = [n for n in dict.fromkeys(candidates[c] for c in close) if n != text][:3]
    return f"; did you mean {' or '.join(map(repr, names))}?" if names else "."


def _task_files(directory: Path, cap: int = 2000) -> list[Path]:
    """Files (and saved datasets) in ``directory`` that a spec could name; at most ``cap`` entries are read."""
    try:
        entries = list(itertools.islice(directory.expanduser().iterdir(), cap))
    except OSError:
        return []
    return [p for p in entries if p.name.lower().endswith(_FILE_SUFFIXES) or is_saved_hf_dataset(p)]


def _resplit(tasks: list[Task], visible: Visible) -> list[Task]:
    if visible is None:
        return tasks
    for task in tasks:
        task.visible_tests, task.hidden_tests = split_tests(task.all_tests, visible)
    return tasks


def _finish(tasks: list[Task], limit: int | None, seed: int | None) -> list[Task]:
    if seed is not None:
        tasks = list(tasks)
        random.Random(seed).shuffle(tasks)
    return tasks if limit is None else tasks[:limit]


def get_task(tasks: Sequence[Task], task_id: str) -> Task:
    """The task with ``task_id``; :class:`UnknownTaskError` suggests the closest ids otherwise."""
    for task in tasks:
        if task.task_id == task_id:
            return task
    ids = [t.task_id for t in tasks]
    close = difflib.get_close_matches(task_id, ids, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else \
        f"; {len(ids)} tasks are loaded" + (f", e.g. {ids[0]!r}" if ids else "")
    raise UnknownTaskError(f"no task with id {task_id!r}{hint}")


__all__ = ["DEFAULT_MICRO_TASKS", "KNOWN_HUB_DATASETS", "LOCAL_SPECS", "get_task", "load_tasks"]
