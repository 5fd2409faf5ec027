"""Thread-safe parsing of Python text in the trusted process.

Every ``ast.parse`` (and ``ast.literal_eval`` of a string) in codegym goes through here, because CPython 3.11 keeps
the AST constructor's recursion counter in interpreter-wide state: when two threads build ASTs at once (the
executor judges on a thread pool, and a garbage collection inside one parse can hand the GIL to another thread),
one parse can end with the other's counter and raise ``SystemError: AST constructor recursion depth mismatch``
on perfectly good source (CPython gh-106905 and its 3.11 relatives). A process-wide lock serialises our own
parses; a parse that still hits the spurious error (another library parsing on its own thread) is retried, since
parsing is deterministic and the error says nothing about the text.

The text may come from a model or a dataset, so SyntaxWarnings that odd literals in it would print into the
trusted process are suppressed.
"""

from __future__ import annotations

import ast
import threading
import warnings
from typing import Any, cast

__all__ = ["literal_eval", "parse_python"]

_PARSE_LOCK = threading.RLock()
#: retries of a parse that failed with the spurious recursion-depth SystemError before it is re-raised
_SPURIOUS_RETRIES = 3


def _is_spurious(error: SystemError) -> bool:
    return "recursion depth mismatch" in str(error)


def _parse(source: str, filename: str, mode: str) -> ast.AST:
    for attempt in range(_SPURIOUS_RETRIES + 1):
        try:
            with _PARSE_LOCK, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return ast.parse(source, filename=filename, mode=mode)
        except SystemError as error:
            if not _is_spurious(error) or attempt == _SPURIOUS_RETRIES:
                raise
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source)`` made safe to call from many threads, without printing SyntaxWarnings.

    Raises SyntaxError, ValueError (NUL bytes), MemoryError or RecursionError exactly like ``ast.parse``.
    """
    return cast(ast.Module, _parse(source, filename, "exec"))  # mode="exec" always builds a Module


def literal_eval(text: str | ast.AST) -> Any:
    """``ast.literal_eval`` whose parse of a string goes through the same lock. Literals only: never runs code.

    Raises ValueError, TypeError, SyntaxError, MemoryError or RecursionError like ``ast.literal_eval``.
    """
    if isinstance(text, str):
        text = _parse(text.lstrip(" \t"), "<literal>", "eval")
    return ast.literal_eval(text)
