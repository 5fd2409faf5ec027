"""Parsing of Python text in the trusted process that is safe against overlapping parses.

Every ``ast.parse`` (and ``ast.literal_eval`` of a string) in codegym goes through here, because CPython 3.11 keeps
the AST constructor's recursion counter in interpreter-wide state. A parse that starts while another is still
building its tree (a garbage-collection finalizer that parses mid-build, or another thread: the executor judges on
a thread pool) resets that counter, and the first parse then raises ``SystemError: AST constructor recursion depth
mismatch`` on perfectly good source (CPython gh-106905 and its 3.11 relatives). A process-wide lock serialises our
own parses across threads; a parse that still hits the spurious error (a re-entrant parse on the same thread, or
another library parsing on its own thread) is retried, since parsing is deterministic and the error says nothing
about the text.

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


def _parse_once(source: str, filename: str, mode: str) -> ast.AST:
    with _PARSE_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename=filename, mode=mode)


def _parse(source: str, filename: str, mode: str) -> ast.AST:
    for _ in range(_SPURIOUS_RETRIES):
        try:
            return _parse_once(source, filename, mode)
        except SystemError as error:
            if not _is_spurious(error):
                raise
    return _parse_once(source, filename, mode)  # the last try: whatever it raises is re-raised


def parse_python(source: str, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source)`` made safe to call from many threads, without printing SyntaxWarnings.

    Raises SyntaxError, ValueError (NUL bytes), MemoryError or RecursionError exactly like ``ast.parse``.
    """
    return cast(ast.Module, _parse(source, filename, "exec"))  # mode="exec" always builds a Module


def literal_eval(text: str) -> Any:
    """``ast.literal_eval(text)`` with its parse made safe as above. Literals only: never runs code.

    Raises ValueError, TypeError, SyntaxError, MemoryError or RecursionError like ``ast.literal_eval``.
    """
    return ast.literal_eval(_parse(text.lstrip(" \t"), "<literal>", "eval"))
