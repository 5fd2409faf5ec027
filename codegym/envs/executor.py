"""The executor and limits an env runs programs with.

``executor=`` takes an :class:`~codegym.sandbox.api.Executor` (shared, never closed by the env), a backend name
(the env creates that executor on first use and closes it with itself) or ``None`` (the process-wide default).
The argument is checked when the env is built -- an unknown backend name fails at ``gymnasium.make``, naming the
backends -- but nothing is started until the first step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codegym.errors import EnvConfigError

if TYPE_CHECKING:
    from codegym.sandbox.api import Executor, Limits


def check_executor_arg(executor: Any) -> Executor | str | None:
    """Validate an ``executor=`` argument without starting anything."""
    import difflib

    from codegym.sandbox import BACKENDS
    from codegym.sandbox.api import Executor

    if executor is None or isinstance(executor, Executor):
        return executor
    if isinstance(executor, str):
        if executor not in BACKENDS:
            close = difflib.get_close_matches(executor, BACKENDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise EnvConfigError(f"executor={executor!r} is not an executor backend{hint}; the backends are "
                                 f"{', '.join(map(repr, BACKENDS))}, or pass an Executor, or None for the default")
        return executor
    raise EnvConfigError(f"executor= takes an Executor, a backend name ({', '.join(map(repr, BACKENDS))}) or None, "
                         f"not {type(executor).__name__}")


def resolve_executor(executor: Executor | str | None) -> Executor:
    """An Executor instance, a backend name for :func:`codegym.sandbox.get_executor`, or ``None`` for the default."""
    from codegym.sandbox import default_executor, get_executor

    executor = check_executor_arg(executor)
    if executor is None:
        return default_executor()
    if isinstance(executor, str):
        try:
            return get_executor(executor)
        except ValueError as exc:
            raise EnvConfigError(str(exc)) from None
    return executor


class ExecutorOwner:
    """Mixin for envs (and the batched vector env): the executor they were given, created on first use, closed
    with them only if they created it.

    ``executor=`` takes an :class:`~codegym.sandbox.api.Executor` (shared, never closed by the env), a backend name
    (the env creates that executor and closes it in :meth:`close`), or ``None`` (the process-wide default).
    """

    _executor_spec: Executor | str | None
    _executor: Executor | None
    _owns_executor: bool

    def _init_executor(self, executor: Executor | str | None) -> None:
        self._executor_spec = check_executor_arg(executor)
        self._executor = None
        self._owns_executor = isinstance(executor, str)

    @property
    def executor(self) -> Executor:
        """The executor (created or fetched on first use)."""
        if self._executor is None:
            self._executor = resolve_executor(self._executor_spec)
            self._executor_ready(self._executor)
        return self._executor

    def _executor_ready(self, executor: Executor) -> None:
        """Called once the executor exists (the batched vector env hands it to its sub-envs)."""

    def use_executor(self, executor: Executor) -> None:
        """Run on ``executor``, which someone else owns (this env never closes it)."""
        self._close_executor()
        self._executor_spec = executor
        self._executor = executor
        self._owns_executor = False

    def _close_executor(self) -> None:
        if self._owns_executor and self._executor is not None:
            self._executor.close()
        self._executor = None

    def close(self, **kwargs: Any) -> None:
        self._close_executor()
        super().close(**kwargs)  # type: ignore[misc]  # gymnasium / PettingZoo / vector env close


def resolve_limits(limits: Limits | dict[str, Any] | None) -> Limits | None:
    """``Limits``, a dict of ``Limits`` fields, or ``None`` (executor defaults)."""
    from codegym.sandbox.api import Limits

    if limits is None or isinstance(limits, Limits):
        return limits
    if isinstance(limits, dict):
        try:
            return Limits(**limits)
        except TypeError as exc:
            raise EnvConfigError(f"limits= dict has a field Limits does not know: {exc}") from None
    raise EnvConfigError(f"limits= takes a codegym Limits, a dict of its fields or None, not {type(limits).__name__}")
