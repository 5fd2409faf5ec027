"""The tasks of an env: task specs, the ``visible=`` re-split and the lazily loaded :class:`TaskPool`.

Constructing or registering an env never reads a dataset: a pool loads its tasks on first use (the first
``reset``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

from codegym.errors import EnvConfigError
from codegym.tasks.formats.check_split import explode_check_tests, split_keep_hidden

if TYPE_CHECKING:
    import numpy as np

    from codegym.tasks.model import Task

TaskSpec = Union[str, "os.PathLike[str]", "Task", Sequence["Task"], Callable[[], Any]]


def resolve_tasks(tasks: TaskSpec, visible: int | float | None = None) -> list[Task]:
    """Materialise a task spec: a spec string (or path) for :func:`codegym.tasks.sources.load_tasks`, a Task, a
    list of Tasks, or a zero-argument callable returning one of those (a lazy loader).

    ``visible`` re-splits every task's tests with :func:`resplit_task`.
    """
    from codegym.tasks.model import Task

    if callable(tasks) and not isinstance(tasks, Task):
        tasks = tasks()  # a zero-argument loader, called on first use
    if isinstance(tasks, Task):
        loaded = [tasks]
    elif isinstance(tasks, (str, os.PathLike)):
        try:
            from codegym.tasks.sources import load_tasks
        except ModuleNotFoundError as exc:  # pragma: no cover - depends on the installation
            raise EnvConfigError(f"tasks={tasks!r} needs codegym.tasks.sources, which is not installed; "
                                 "pass a list of codegym Task objects instead") from exc
        loaded = list(load_tasks(tasks))
    elif isinstance(tasks, Sequence):
        loaded = list(tasks)
        bad = [type(t).__name__ for t in loaded if not isinstance(t, Task)]
        if bad:
            raise EnvConfigError(f"tasks= must hold codegym Task objects, found {', '.join(sorted(set(bad)))}")
    else:
        raise EnvConfigError(f"tasks= takes a source spec (str, e.g. 'builtin'), a Task or a list of Tasks, "
                             f"not {type(tasks).__name__}")
    if not loaded:
        raise EnvConfigError(f"tasks={tasks!r} holds no tasks; pass a non-empty source or list")
    if visible is not None:
        loaded = [resplit_task(task, visible) for task in loaded]
    return loaded


def resplit_task(task: Task, visible: int | float) -> Task:
    """``task`` with its tests re-split by ``visible=``: the tests are pooled (visible first), every
    ``check(candidate)`` assert test is split into one test per assertion, then an int ``k`` makes the first ``k``
    of them visible and a float that fraction (rounded). At least one test always stays hidden: ``k`` is capped at
    ``n - 1``, so a task whose tests cannot be split into two or more keeps its single test hidden."""
    import dataclasses

    shown, hidden = split_keep_hidden(explode_check_tests(task.all_tests), visible)
    return dataclasses.replace(task, visible_tests=shown, hidden_tests=hidden)


def check_visible_arg(visible: Any) -> int | float | None:
    """Validate an env's ``visible=`` kwarg: ``None``, an int >= 0 or a float in [0, 1]."""
    if visible is None:
        return None
    if isinstance(visible, bool) or not isinstance(visible, (int, float)):
        raise EnvConfigError(f"visible= takes a test count (int) or a fraction (float), not {visible!r}")
    if isinstance(visible, int) and visible < 0:
        raise EnvConfigError(f"visible= must be >= 0, not {visible}")
    if isinstance(visible, float) and not 0.0 <= visible <= 1.0:
        raise EnvConfigError(f"a visible= fraction must be in [0, 1], not {visible}")
    return visible


class TaskPool:
    """Tasks of an env, loaded on first use (so constructing or registering an env never reads a dataset).

    ``transform`` is applied to every task once, after loading and the ``visible=`` re-split. When some tasks end
    up without hidden tests, ``env_name`` is used in a one-time warning (at load) that their reward is computed on
    the visible tests; envs report it per episode in ``info["no_hidden_tests"]``.
    """

    def __init__(self, tasks: TaskSpec, visible: int | float | None = None,
                 transform: Callable[[Task], Task] | None = None, env_name: str | None = None) -> None:
        self._spec = tasks
        self._visible = check_visible_arg(visible)
        self._transform = transform
        self._env_name = env_name
        self._tasks: list[Task] | None = None
        self._by_id: dict[str, int] | None = None

    @property
    def tasks(self) -> list[Task]:
        if self._tasks is None:
            tasks = resolve_tasks(self._spec, self._visible)
            if self._transform is not None:
                tasks = [self._transform(t) for t in tasks]
            self._tasks = tasks
            self._by_id = {t.task_id: i for i, t in enumerate(self._tasks)}
            if self._env_name is not None:
                warn_no_hidden_tests(self._env_name, self._tasks)
        return self._tasks

    def __len__(self) -> int:
        return len(self.tasks)

    def pick(self, rng: np.random.Generator, options: dict[str, Any] | None) -> Task:
        """The task named by ``options["task_id"]`` (or ``options["task_index"]``), else one drawn with ``rng``."""
        tasks = self.tasks
        options = options or {}
        if options.get("task_id") is not None:
            assert self._by_id is not None
            index = self._by_id.get(str(options["task_id"]))
            if index is None:
                from codegym.errors import UnknownTaskError

                sample = ", ".join(list(self._by_id)[:5])
                raise UnknownTaskError(f"task_id {options['task_id']!r} is not in this env's tasks "
                                       f"({len(tasks)} tasks, e.g. {sample})")
            return tasks[index]
        if options.get("task_index") is not None:
            index = int(options["task_index"])
            if not 0 <= index < len(tasks):
                raise EnvConfigError(f"task_index {index} is out of range; this env has {len(tasks)} tasks")
            return tasks[index]
        return tasks[int(rng.integers(len(tasks)))]


def warn_no_hidden_tests(env_name: str, tasks: Sequence[Task]) -> None:
    """One warning naming the tasks that have no hidden tests (their reward is computed on visible tests)."""
    import warnings

    bare = [t.task_id for t in tasks if not t.hidden_tests and t.visible_tests]
    if not bare:
        return
    sample = ", ".join(bare[:5]) + (f" and {len(bare) - 5} more" if len(bare) > 5 else "")
    warnings.warn(f"{env_name}: {len(bare)} of {len(tasks)} tasks have no hidden tests ({sample}): their tests "
                  "could not be split so that one stays hidden, so the reward for them is computed on the visible "
                  "tests, which the agent sees; info['no_hidden_tests'] is True in their episodes",
                  UserWarning, stacklevel=4)
