"""Tasks as training datasets for other stacks: verl's RL parquet, SkyRL's, and TRL's two dataset formats.

Every layout carries what its reward needs to score a response without any other file:

* **verl** (``examples/data_preprocess/gsm8k.py``'s layout, read by ``verl.utils.dataset.RLHFDataset``): columns
  ``data_source``, ``prompt`` (chat messages), ``ability`` (``"code"``), ``reward_model`` ``{style: "rule",
  ground_truth: <the task as JSON>}``, ``extra_info`` ``{split, index, task_id}``. The whole task -- tests
  included -- travels in ``ground_truth``, which :data:`codegym.rewards.adapters.compute_score` reads back.
* **SkyRL** (its dataset-preparation doc): ``data_source``, ``prompt``, ``env_class`` (``codegym_codegen`` or
  ``codegym_refine``, see :mod:`codegym.integrations.skyrl`), ``reward_spec`` ``{method: "rule", ground_truth:
  <task JSON>}``, ``extra_info``.
* **TRL**: ``prompt`` and ``task_id``; standard format (``prompt`` a string: for completion-style tasks such as
  HumanEval the code prefix the model continues) or conversational (``prompt`` a list of chat messages). The
  reward function looks the task up by ``task_id`` (:func:`codegym.rewards.adapters.trl_reward_function`).

The model sees only the prompt: the task statement and, unless ``show_visible_tests=False``, the visible tests.
Hidden tests are only in ``ground_truth``, which trainers hand to the reward function and never to the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from codegym.errors import ExportError
from codegym.tasks.model import Task

#: What the model is asked to do in a chat prompt; the reward adapters take the last ```python block.
CHAT_INSTRUCTION = ("Solve the following Python programming task. Answer with the complete program in a single "
                    "```python code block.")

#: Layouts :func:`dataset_rows` writes.
LAYOUTS: tuple[str, ...] = ("verl", "skyrl", "trl", "trl-chat")

Layout = Literal["verl", "skyrl", "trl", "trl-chat"]


def task_text(task: Task, *, show_visible_tests: bool = True, instruction: str | None = CHAT_INSTRUCTION) -> str:
    """The text a model reads for ``task``: the instruction, the statement and the visible tests."""
    from codegym.envs.feedback import render_tests

    parts = [instruction, ""] if instruction else []
    parts.append(task.prompt.rstrip())
    if show_visible_tests and task.visible_tests:
        parts += ["", "Visible tests:", render_tests(task.visible_tests)]
    return "\n".join(parts)


def chat_prompt(task: Task, *, system_prompt: str | None = None, show_visible_tests: bool = True,
                instruction: str | None = CHAT_INSTRUCTION) -> list[dict[str, str]]:
    """The chat messages for ``task``: an optional system message, then one user message (:func:`task_text`)."""
    messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
    messages.append({"role": "user", "content": task_text(task, show_visible_tests=show_visible_tests,
                                                          instruction=instruction)})
    return messages


def _extra_info(task: Task, split: str, index: int) -> dict[str, Any]:
    return {"split": split, "index": index, "task_id": task.task_id}


def verl_row(task: Task, index: int, *, split: str = "train", data_source: str = "codegym",
             system_prompt: str | None = None, show_visible_tests: bool = True) -> dict[str, Any]:
    """One row of verl's RL dataset for ``task``."""
    return {
        "data_source": data_source,
        "prompt": chat_prompt(task, system_prompt=system_prompt, show_visible_tests=show_visible_tests),
        "ability": "code",
        "reward_model": {"style": "rule", "ground_truth": task.to_json()},
        "extra_info": _extra_info(task, split, index),
    }


def skyrl_row(task: Task, index: int, *, split: str = "train", data_source: str = "codegym",
              env_class: str = "codegym_codegen", system_prompt: str | None = None,
              show_visible_tests: bool = True) -> dict[str, Any]:
    """One row of SkyRL's dataset for ``task``, to be played by the SkyRL env ``env_class``."""
    return {
        "data_source": data_source,
        "prompt": chat_prompt(task, system_prompt=system_prompt, show_visible_tests=show_visible_tests),
        "env_class": env_class,
        "reward_spec": {"method": "rule", "ground_truth": task.to_json()},
        "extra_info": _extra_info(task, split, index),
    }


def trl_row(task: Task, *, conversational: bool = False, system_prompt: str | None = None,
            show_visible_tests: bool = True) -> dict[str, Any]:
    """One row of a TRL prompt-only dataset: ``{"prompt", "task_id"}``.

    Standard format: a completion-style task's ``completion_prefix`` (the model continues the code), else the
    instruction, statement and visible tests as plain text. Conversational: :func:`chat_prompt`.
    """
    if conversational:
        prompt: Any = chat_prompt(task, system_prompt=system_prompt, show_visible_tests=show_visible_tests)
    elif task.completion_prefix is not None:
        prompt = task.completion_prefix
    else:
        prompt = task_text(task, show_visible_tests=show_visible_tests) + "\n"
    return {"prompt": prompt, "task_id": task.task_id}


def dataset_rows(tasks: Iterable[Task], layout: Layout = "verl", *, split: str = "train",
                 data_source: str = "codegym", env_class: str = "codegym_codegen",
                 system_prompt: str | None = None, show_visible_tests: bool = True) -> list[dict[str, Any]]:
    """Rows for every task in ``layout`` (``"verl"``, ``"skyrl"``, ``"trl"`` standard, ``"trl-chat"``
    conversational), in order."""
    if layout not in LAYOUTS:
        raise ExportError(f"unknown dataset layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    rows = []
    for index, task in enumerate(tasks):
        if layout == "verl":
            rows.append(verl_row(task, index, split=split, data_source=data_source, system_prompt=system_prompt,
                                 show_visible_tests=show_visible_tests))
        elif layout == "skyrl":
            rows.append(skyrl_row(task, index, split=split, data_source=data_source, env_class=env_class,
                                  system_prompt=system_prompt, show_visible_tests=show_visible_tests))
        else:
            rows.append(trl_row(task, conversational=layout == "trl-chat", system_prompt=system_prompt,
                                show_visible_tests=show_visible_tests))
    return rows


def write_parquet(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write ``rows`` to one parquet file (nested dicts and lists become structs and lists) with pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError("writing parquet needs pyarrow: pip install 'codegym[hf]'") from None
    if not rows:
        raise ExportError(f"no rows to write to {path}: the task spec gave no tasks")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pylist(list(rows)), path)
    return path


def export_tasks(tasks: Sequence[Task], out_dir: str | Path, layout: Layout = "verl", *, split: str = "train",
                 **options: Any) -> Path:
    """Write ``tasks`` as ``<out_dir>/<split>.parquet`` in ``layout`` (verl's examples write ``train.parquet``
    and ``test.parquet`` side by side); returns the file's path. ``options`` go to :func:`dataset_rows`."""
    if not split or "/" in split or split.startswith("."):
        raise ExportError(f"split must be a plain name such as 'train' or 'test', not {split!r}")
    rows = dataset_rows(tasks, layout, split=split, **options)
    return write_parquet(rows, Path(out_dir) / f"{split}.parquet")
