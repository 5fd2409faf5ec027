"""Typed errors. Each says what went wrong and what to do instead."""

from __future__ import annotations


class CodegymError(Exception):
    """Base class of every error codegym raises on purpose."""


class TaskFormatError(CodegymError, ValueError):
    """A task file or record does not match the expected format."""


class UnknownTaskError(CodegymError, KeyError):
    """A task id or task source that does not exist."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "unknown task"


class SandboxError(CodegymError, RuntimeError):
    """The sandbox itself failed (not the program under test)."""


class IsolationUnavailableError(SandboxError):
    """Full isolation was required but this machine cannot provide it."""


class BackendUnavailableError(CodegymError, RuntimeError):
    """An executor backend whose dependency or engine is missing."""


class EnvConfigError(CodegymError, ValueError):
    """A bad argument to an env (``gymnasium.make`` kwargs, a PettingZoo factory's, a constructor's): the message
    names the argument and the accepted values (for an unknown keyword, every valid one and the closest match)."""


class EnvStateError(CodegymError, RuntimeError):
    """An env method called in the wrong state (``step`` before ``reset``, or after the episode ended)."""


class ActionError(CodegymError, TypeError):
    """An action an env cannot take: of the wrong type (text envs take ``str``), or out of range."""


class MissingActionError(ActionError, KeyError):
    """A multi-agent ``step`` whose actions dict lacks an agent that must act; the message names it."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else "missing action"
