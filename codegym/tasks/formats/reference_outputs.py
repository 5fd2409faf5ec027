"""What a loader needs from its caller to compute expected outputs from a reference solution.

EvalPlus ships test *inputs* without outputs: the expected output of each input is what the canonical solution
returns. Running that solution is running a program from a dataset file, which is as untrusted as any other, so
it happens in the sandbox -- and the task layer never runs the sandbox (a lower layer never imports a higher one).
The caller passes a :class:`ReferenceRunner` instead (``load_tasks(..., compute_expected=runner)``); the one
codegym ships is :func:`codegym.evaluation.call_reference`, which runs the reference through an executor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from codegym.errors import TaskConfigError


@dataclass(frozen=True)
class ReferenceCall:
    """What the reference did on one argument list: returned ``value`` when ``ok``, else failed with ``error``."""

    ok: bool
    value: Any = None
    error: str | None = None


class ReferenceRunner(Protocol):
    """Calls ``entry_point(*args)`` of ``program`` for each argument list, somewhere safe; one result per list.

    ``entry_point`` is an expression such as ``"add"`` or ``"Solution().twoSum"``; ``setup_code`` runs before
    the program (MBPP's imports). A list on which the reference fails, times out or returns something that cannot
    be read back gives ``ReferenceCall(ok=False, error=...)``: such an input cannot be a test.
    """

    def __call__(self, program: str, entry_point: str, arg_lists: Sequence[Sequence[Any]], *,
                 setup_code: str = "") -> Sequence[ReferenceCall]: ...


def reference_runner_option(value: Any) -> ReferenceRunner | None:
    """The ``compute_expected`` option as a runner: ``None``/``False`` for none, a callable as is, else an error."""
    if value is None or value is False:
        return None
    if callable(value):
        return value
    raise TaskConfigError(
        f"compute_expected takes a function that runs the reference solution, not {value!r}: pass "
        "compute_expected=codegym.evaluation.call_reference (the shared local executor) or "
        "functools.partial(call_reference, executor=...); the task loaders never start the sandbox themselves")


__all__ = ["ReferenceCall", "ReferenceRunner", "reference_runner_option"]
