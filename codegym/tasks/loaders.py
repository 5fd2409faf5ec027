"""Load benchmark files in their own formats as :class:`~codegym.tasks.model.Task` lists.

Supported formats (registry :data:`LOADERS`): ``humaneval`` (and HumanEval+/EvalPlus), ``mbpp`` (original and
sanitized), ``apps`` (and TACO), ``codecontests``, ``livecodebench``, ``deepcoder`` (rLLM), ``leetcode`` and
``codegym`` (this project's JSONL schema). Files may be JSON, JSONL, either gzip-compressed, parquet, or a
Hugging Face dataset saved with ``save_to_disk``; :func:`load_hf_dataset` loads hub datasets by name.

The format is detected from the first record's keys (:func:`detect_format`) unless ``format=`` names it.
Any malformed record raises :class:`~codegym.errors.TaskFormatError` naming the file and the line (JSONL),
record (JSON) or row (parquet/datasets) -- or, with ``on_error="skip"``, is skipped with a warning.
"""

from __future__ import annotations

import gzip
import io
import json
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from codegym.errors import TaskConfigError, TaskFormatError
from codegym.tasks.formats import (
    ConvertContext,
    Visible,
    apps,
    check_visible,
    codecontests,
    convert_codegym,
    deepcoder,
    humaneval,
    livecodebench,
    mbpp,
)
from codegym.tasks.formats.reference_outputs import reference_runner_option
from codegym.tasks.model import Task, check_language

#: A converter: one record (and where it came from) -> one Task.
RecordConverter = Callable[[Mapping[str, Any], ConvertContext], Task]

LOADERS: dict[str, RecordConverter] = {
    "humaneval": humaneval.convert,
    "mbpp": mbpp.convert,
    "apps": apps.convert,
    "codecontests": codecontests.convert,
    "livecodebench": livecodebench.convert,
    "deepcoder": deepcoder.convert,
    "leetcode": deepcoder.convert_leetcode,
    "codegym": convert_codegym,
}

#: Other names people use for the same formats.
FORMAT_ALIASES: dict[str, str] = {
    "humanevalplus": "humaneval", "humaneval+": "humaneval", "evalplus": "humaneval", "openai_humaneval": "humaneval",
    "mbpp_sanitized": "mbpp", "sanitized-mbpp": "mbpp", "taco": "apps", "code_contests": "codecontests",
    "lcb": "livecodebench", "rllm": "deepcoder", "primeintellect": "deepcoder", "leetcodedataset": "leetcode",
}

OnError = Literal["raise", "skip"]

#: Options the converters read (``**options`` of the loaders): ``compute_expected`` (EvalPlus: a
#: :class:`~codegym.tasks.formats.reference_outputs.ReferenceRunner`) and ``include_generated`` (CodeContests).
FORMAT_OPTIONS = ("compute_expected", "include_generated")


@dataclass(frozen=True)
class SourceRecord:
    """One raw record and where it is: ``location`` reads like ``"data.jsonl: line 3"``."""

    index: int
    location: str
    data: Any


def resolve_format(name: str) -> str:
    """Canonical format name for ``name`` (case-insensitive, aliases allowed)."""
    key = name.strip().lower()
    key = FORMAT_ALIASES.get(key, key)
    if key not in LOADERS:
        raise TaskFormatError(f"unknown task format {name!r}; use one of {', '.join(sorted(LOADERS))}")
    return key


def detect_format(record: Mapping[str, Any]) -> str:
    """The format of a record, judged from its keys (and, for LeetCode vs DeepCoder, the shape of ``tests``)."""
    if not isinstance(record, Mapping):
        raise TaskFormatError(f"a task record must be a JSON object, got {type(record).__name__}")
    keys = set(record)
    if "task_id" in keys and keys & {"visible_tests", "hidden_tests"}:
        return "codegym"
    if {"prompt", "entry_point"} <= keys and keys & {"test", "base_input", "plus_input"}:
        return "humaneval"
    if {"question_content", "public_test_cases"} <= keys:
        return "livecodebench"
    if "description" in keys and keys & {"public_tests", "private_tests", "generated_tests"}:
        return "codecontests"
    if {"question", "input_output"} <= keys:
        return "apps"
    if "test_list" in keys and "code" in keys and keys & {"text", "prompt"}:
        return "mbpp"
    if {"question", "ground_truth"} <= keys:  # DeepCoder as registered by rLLM's prepare_deepcoder_data.py
        return "deepcoder"
    if {"problem", "tests"} <= keys:
        try:
            tests = deepcoder.parse_tests_field(record["tests"])
        except TaskFormatError:
            tests = None
        return "leetcode" if deepcoder.is_functional_tests(tests) and not record.get("data_source") else "deepcoder"
    raise TaskFormatError(
        f"cannot tell the task format from the fields {sorted(keys)}; pass format= (one of "
        f"{', '.join(sorted(LOADERS))}) or see docs/tasks.md for the fields each format needs")


# -- reading files ---------------------------------------------------------------------------------------------

def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return open(path, encoding="utf-8")  # the caller closes it


def _base_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".gz", ".gzip"):
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def is_saved_hf_dataset(path: Path) -> bool:
    """True for a directory written by ``datasets.Dataset(Dict).save_to_disk``."""
    return path.is_dir() and any((path / name).exists()
                                 for name in ("dataset_info.json", "state.json", "dataset_dict.json"))


def read_records(path: str | Path, split: str | None = None) -> Iterator[SourceRecord]:
    """Raw records of a JSON/JSONL(.gz)/parquet file or a saved HF dataset directory, with their locations."""
    path = Path(path)
    if not path.exists():
        raise TaskFormatError(f"{path}: no such file or directory")
    if path.is_dir():
        if is_saved_hf_dataset(path):
            yield from _dataset_records(_load_from_disk(path, split), str(path))
            return
        raise TaskFormatError(f"{path} is a directory but not a saved Hugging Face dataset; pass a .json, .jsonl, "
                              ".json.gz, .jsonl.gz or .parquet file")
    suffix = _base_suffix(path)
    if suffix == ".parquet":
        yield from _parquet_records(path)
        return
    with _open_text(path) as handle:
        if suffix in (".jsonl", ".ndjson"):
            yield from _jsonl_records(handle, str(path))
            return
        text = handle.read()
    yield from _json_text_records(text, str(path))


def _jsonl_records(lines: Iterable[str], origin: str) -> Iterator[SourceRecord]:
    index = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TaskFormatError(f"{origin}: line {number}: malformed JSON ({exc.msg} at column {exc.colno})") \
                from None
        yield SourceRecord(index, f"{origin}: line {number}", data)
        index += 1


def _json_text_records(text: str, origin: str) -> Iterator[SourceRecord]:
    stripped = text.lstrip()
    if not stripped:
        return
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        if stripped.startswith("{") and exc.msg == "Extra data":  # JSONL with a .json name
            yield from _jsonl_records(text.splitlines(), origin)
            return
        raise TaskFormatError(f"{origin}: malformed JSON on line {exc.lineno} ({exc.msg})") from None
    if isinstance(document, dict):
        records = _records_in_document(document, origin)
    elif isinstance(document, list):
        records = document
    else:
        raise TaskFormatError(f"{origin}: expected a JSON list of records, got {type(document).__name__}")
    for index, data in enumerate(records):
        yield SourceRecord(index, f"{origin}: record {index + 1}", data)


def _records_in_document(document: dict[str, Any], origin: str) -> list[Any]:
    """A JSON object holding records: ``{"data": [...]}``-style wrappers, ``{id: record}`` maps, or one record."""
    lists = [v for v in document.values() if isinstance(v, list) and v and all(isinstance(r, dict) for r in v)]
    if len(document) == 1 and len(lists) == 1:
        return lists[0]
    try:
        detect_format(document)
        return [document]  # a single record
    except TaskFormatError:
        pass
    if document and all(isinstance(v, dict) for v in document.values()):
        return [{"task_id": key, **value} if "task_id" not in value else value for key, value in document.items()]
    raise TaskFormatError(f"{origin}: a JSON object that is neither a record, a list wrapper nor an id->record map")


def _parquet_records(path: Path) -> Iterator[SourceRecord]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ImportError(f"reading {path} needs pyarrow: pip install 'codegym[hf]'") from None
    try:
        parquet = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises its own ArrowInvalid/OSError variants
        raise TaskFormatError(f"{path}: not a readable parquet file ({exc})") from None
    index = 0
    for batch in parquet.iter_batches(batch_size=256):
        for data in batch.to_pylist():
            yield SourceRecord(index, f"{path}: row {index + 1}", data)
            index += 1


def _load_from_disk(path: Path, split: str | None) -> Any:
    try:
        import datasets
    except ImportError:
        raise ImportError(f"reading {path} needs the datasets package: pip install 'codegym[hf]'") from None
    return pick_split(datasets.load_from_disk(str(path)), split, str(path))


def pick_split(dataset: Any, split: str | None, origin: str) -> Any:
    """One split of a ``DatasetDict`` (``split``, else ``test``, else the only one); a ``Dataset`` as is."""
    if not isinstance(dataset, Mapping):  # a Dataset; DatasetDict is a dict of them
        return dataset
    names = list(dataset.keys())
    if split is not None:
        if split not in names:
            raise TaskFormatError(f"{origin} has no split {split!r}; its splits are {names}")
        return dataset[split]
    if "test" in names:
        return dataset["test"]
    if len(names) == 1:
        return dataset[names[0]]
    raise TaskFormatError(f"{origin} has several splits {names}; choose one with split=")


def _dataset_records(dataset: Any, origin: str) -> Iterator[SourceRecord]:
    for index, data in enumerate(dataset):
        yield SourceRecord(index, f"{origin}: row {index + 1}", data)


# -- converting ------------------------------------------------------------------------------------------------

def convert_records(records: Iterable[SourceRecord], *, format: str | None = None, visible: Visible = None,
                    limit: int | None = None, on_error: OnError = "raise", progress: bool = False,
                    origin: str = "<records>", **options: Any) -> list[Task]:
    """Convert raw records to tasks; the format is detected from the first record unless given.

    Args:
        records: the records with their locations (see :func:`read_records`).
        format: a name of :data:`LOADERS` (or an alias); ``None`` detects it.
        visible: visible/hidden split -- a count or fraction of each task's tests; ``None`` keeps the format's
            default (public/private where the benchmark has them).
        limit: stop after this many tasks.
        on_error: ``"raise"`` (default) or ``"skip"`` malformed records with one warning listing them.
        progress: show a progress bar (tqdm) while converting.
        options: :data:`FORMAT_OPTIONS`: ``compute_expected`` (HumanEval+/EvalPlus: a function that runs the
            reference solution, e.g. :func:`codegym.evaluation.call_reference`), ``include_generated``
            (CodeContests).

    Raises:
        TaskFormatError: a malformed record (with ``on_error="raise"``); a subclass such as
            :class:`~codegym.errors.UnsupportedLanguageError` keeps its type.
        TaskConfigError: an argument or option this function cannot use.
    """
    visible = check_visible(visible)
    if on_error not in ("raise", "skip"):
        raise TaskConfigError(f"on_error must be 'raise' or 'skip', not {on_error!r}")
    if limit is not None and limit < 0:
        raise TaskConfigError(f"limit must be >= 0, got {limit}")
    options = _check_options(options)
    chosen = resolve_format(format) if format else None
    tasks: list[Task] = []
    seen: dict[str, str] = {}
    skipped: list[str] = []
    iterator: Iterable[SourceRecord] = records
    if progress:
        try:
            from tqdm.auto import tqdm

            iterator = tqdm(records, desc=f"loading {origin}", unit="task")
        except ImportError:  # progress bars are optional
            pass
    for record in iterator:
        if limit is not None and len(tasks) >= limit:
            break
        try:
            if not isinstance(record.data, Mapping):
                raise TaskFormatError(f"a task record must be a JSON object, got {type(record.data).__name__}")
            if chosen is None:
                chosen = detect_format(record.data)
            if record.data.get("language") is not None:  # MBXP, Multi-HumanEval: refuse before parsing the tests
                check_language(record.data["language"], record.data.get("task_id"))
            ctx = ConvertContext(index=record.index, location=record.location, visible=visible, options=options)
            task = LOADERS[chosen](record.data, ctx)
            if task.task_id in seen:
                raise TaskFormatError(f"duplicate task_id {task.task_id!r} (first at {seen[task.task_id]}); "
                                      "load one split at a time or give records unique ids")
        except TaskConfigError:
            raise  # the caller's mistake, not this record's: skipping would skip every record
        except (TaskFormatError, KeyError, TypeError, ValueError, AttributeError, SyntaxError,
                RecursionError) as exc:
            message = f"{record.location}: {chosen or 'unknown'} record: {_describe(exc)}"
            if on_error == "raise":
                raise (type(exc) if isinstance(exc, TaskFormatError) else TaskFormatError)(message) from exc
            skipped.append(message)
            continue
        seen[task.task_id] = record.location
        tasks.append(task)
    if skipped:
        shown = "\n  ".join(skipped[:5])
        more = f"\n  ... and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        warnings.warn(f"skipped {len(skipped)} malformed record(s) of {origin}:\n  {shown}{more}", stacklevel=2)
    return tasks


def _check_options(options: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(options) - set(FORMAT_OPTIONS))
    if unknown:
        hint = (" (expected outputs are computed by the function given as compute_expected, e.g. functools."
                "partial(codegym.evaluation.call_reference, executor=...))" if "executor" in unknown else "")
        raise TaskConfigError(f"unknown loader option(s) {unknown}; the options are {', '.join(FORMAT_OPTIONS)}"
                              f"{hint}")
    checked = dict(options)
    if "compute_expected" in checked:
        checked["compute_expected"] = reference_runner_option(checked["compute_expected"])
    return checked


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError) and not isinstance(exc, TaskFormatError):
        return f"missing field {exc.args[0]!r}" if exc.args else "missing field"
    if isinstance(exc, TaskFormatError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def load_file(path: str | Path, *, format: str | None = None, visible: Visible = None, limit: int | None = None,
              split: str | None = None, on_error: OnError = "raise", progress: bool = False,
              **options: Any) -> list[Task]:
    """Tasks from a benchmark file (JSON, JSONL, .gz, parquet) or a saved HF dataset directory.

    ``split`` picks a split of a saved ``DatasetDict``. See :func:`convert_records` for the other arguments.
    """
    return convert_records(read_records(path, split=split), format=format, visible=visible, limit=limit,
                           on_error=on_error, progress=progress, origin=str(path), **options)


def load_records(records: Iterable[Mapping[str, Any]], *, format: str | None = None, origin: str = "<records>",
                 **kwargs: Any) -> list[Task]:
    """Tasks from in-memory records (dicts), e.g. rows of a ``datasets.Dataset``."""
    wrapped = (SourceRecord(i, f"{origin}: record {i + 1}", r) for i, r in enumerate(records))
    return convert_records(wrapped, format=format, origin=origin, **kwargs)


def load_hf_dataset(name: str, *, split: str | None = None, format: str | None = None, visible: Visible = None,
                    limit: int | None = None, on_error: OnError = "raise", progress: bool = False,
                    hf_kwargs: Mapping[str, Any] | None = None, **options: Any) -> list[Task]:
    """Tasks from a Hugging Face dataset: ``datasets.load_dataset(name, split=split, **hf_kwargs)``.

    ``name`` is a hub id (``"openai_humaneval"``, ``"livecodebench/code_generation_lite"``), a builder with
    ``hf_kwargs={"data_files": ...}`` (``"parquet"``, ``"json"``), or a directory written by ``save_to_disk``.
    Without ``split`` the ``test`` split is used, or the only one. The format is detected from the columns.
    """
    try:
        import datasets
    except ImportError:
        raise ImportError("loading Hugging Face datasets needs the datasets package: pip install 'codegym[hf]'") \
            from None
    path = Path(name)
    if is_saved_hf_dataset(path):
        dataset = _load_from_disk(path, split)
    else:
        dataset = pick_split(datasets.load_dataset(name, split=split, **dict(hf_kwargs or {})), split, name)
    return convert_records(_dataset_records(dataset, name), format=format, visible=visible, limit=limit,
                           on_error=on_error, progress=progress, origin=name, **options)


__all__ = ["LOADERS", "FORMAT_ALIASES", "FORMAT_OPTIONS", "SourceRecord", "convert_records", "detect_format",
           "is_saved_hf_dataset", "load_file", "load_hf_dataset", "load_records", "pick_split", "read_records", "resolve_format"]
