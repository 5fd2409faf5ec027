"""The envs' view of :mod:`codegym.extraction`, which owns code-block extraction for every layer.

The envs read a response under their ``action_format`` (``"auto"``, ``"code"``, ``"markdown"``) with
:func:`extract_code`; the rule (CommonMark fences with backticks or tildes, last Python or untagged block) is
documented in :mod:`codegym.extraction`. The one difference here is the error type: an unknown ``action_format``
is an :class:`~codegym.errors.EnvConfigError`, like every other bad env argument.
"""

from __future__ import annotations

from codegym.envs.config import check_choice
from codegym.extraction import ACTION_FORMATS, ActionFormat, CodeBlock, find_code_blocks, last_code_block
from codegym.extraction import extract_code as _extract_code

__all__ = ["ACTION_FORMATS", "ActionFormat", "CodeBlock", "extract_code", "find_code_blocks", "last_code_block"]


def extract_code(text: str, action_format: ActionFormat = "auto") -> str | None:
    """:func:`codegym.extraction.extract_code`, raising :class:`~codegym.errors.EnvConfigError` for an unknown
    ``action_format``."""
    return _extract_code(text, check_choice("action_format", action_format, ACTION_FORMATS))
