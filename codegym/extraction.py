"""Code blocks in model responses: the one place that decides what a fenced block is and which one is the program.

Every part of codegym that reads code out of text uses this module: the envs (``action_format``), the TRL/verl
reward adapters and ``AllPassReward(require_code_block=True)`` (``codegym.rewards``), and the task loaders that
take starter code out of a problem statement (``codegym.tasks.formats``). It sits with :mod:`codegym.parsing` at
the bottom of the layers (it imports only :mod:`codegym.errors`), so any layer may use it.

Fences follow CommonMark: a line of three or more backticks or tildes, indented by at most three spaces, opens a
block; the block ends at a line made of the same character, at least as many of it as the opening fence, and
nothing else. So a longer fence can hold a shorter one (a ````` ```` ````` block can show a ````` ``` ````` block
or a string containing one), a backtick block can hold ``~~~`` lines and the other way round. The info string's
first word, lower-cased, is the block's language (``python`` in ````` ```python title="x" `````, empty for an
untagged block). The opening fence's indentation is removed from the body lines, as CommonMark does. A block that is
never closed (a truncated response) is not a block.

The program in a response is the body of the *last* Python (``python``, ``py``, ``python3``) or untagged block,
as in DeepCoder/rLLM's code reward (``extract_code_from_model`` takes the last block) and CURE's sampler: a draft
first and the final program last is the usual shape of an answer, and a trailing ````` ```text ````` block with
example output is skipped. When no block is Python or untagged, the last block in any language is the program
(rLLM's rule; a mis-tagged Python answer still runs). Three action formats say what a response without a block is:

* ``"markdown"`` -- a format error (``None``): DeepCoder's rule, reward 0 and nothing runs.
* ``"auto"`` -- the whole text is the program.
* ``"code"`` -- the text is always the program, blocks or not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from codegym.errors import ActionFormatError

__all__ = ["ACTION_FORMATS", "ActionFormat", "ActionFormatError", "CodeBlock", "PYTHON_LANGUAGES",
           "extract_code", "find_code_blocks", "last_code_block"]

ActionFormat = Literal["auto", "code", "markdown"]
ACTION_FORMATS: tuple[str, ...] = ("auto", "code", "markdown")

#: Language tags read as Python; an untagged block (language ``""``) counts as Python too.
PYTHON_LANGUAGES = frozenset({"python", "py", "python3"})

# An opening fence: up to three spaces (tabs tolerated) of indentation, 3+ backticks or 3+ tildes, an info string.
_OPEN = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# A closing fence: indentation, 3+ of one fence character, trailing blanks only.
_CLOSE = re.compile(r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*$")
# The language word at the start of an info string: ``python`` of ``python title="x"``, ``c++``, ``objective-c``.
_LANGUAGE = re.compile(r"[A-Za-z0-9_+#-]*")


@dataclass(frozen=True)
class CodeBlock:
    """One complete fenced block: its language (the info string's first word, lower-cased, ``""`` when untagged)
    and its body (every line between the fences, each ending with a newline)."""

    language: str
    code: str

    @property
    def is_python(self) -> bool:
        """Tagged ``python``/``py``/``python3``, or untagged."""
        return not self.language or self.language in PYTHON_LANGUAGES


def _language(info: str) -> str:
    match = _LANGUAGE.match(info.strip().lstrip("{."))
    return match.group(0).lower() if match else ""


def _dedent(line: str, indent: int) -> str:
    """``line`` without up to ``indent`` leading spaces (CommonMark strips the opening fence's indentation)."""
    strip = 0
    while strip < indent and strip < len(line) and line[strip] in " \t":
        strip += 1
    return line[strip:]


def find_code_blocks(text: str) -> list[CodeBlock]:
    """Every complete fenced block of ``text``, in order (blocks inside a block are part of its body)."""
    lines = text.split("\n")
    blocks: list[CodeBlock] = []
    i = 0
    while i < len(lines):
        opening = _OPEN.match(lines[i].rstrip("\r"))
        if opening is None or (opening.group("fence")[0] == "`" and "`" in opening.group("info")):
            i += 1  # not a fence (a backtick fence's info string cannot contain a backtick: that is inline code)
            continue
        fence, indent = opening.group("fence"), len(opening.group("indent"))
        for j in range(i + 1, len(lines)):
            closing = _CLOSE.match(lines[j].rstrip("\r"))
            if closing and closing.group("fence")[0] == fence[0] and len(closing.group("fence")) >= len(fence):
                body = "".join(_dedent(line, indent) + "\n" for line in lines[i + 1:j])
                blocks.append(CodeBlock(_language(opening.group("info")), body))
                i = j + 1
                break
        else:
            break  # never closed: CommonMark runs it to the end of the text, so no block follows
    return blocks


def last_code_block(text: str, *, any_language: bool = True) -> str | None:
    """The program's block in ``text``: the body of the last Python or untagged block; when there is none, the
    last block in any language (``any_language=False``: ``None`` instead). ``None`` when ``text`` has no block."""
    blocks = find_code_blocks(text)
    python = [b for b in blocks if b.is_python]
    if python:
        return python[-1].code
    if any_language and blocks:
        return blocks[-1].code
    return None


def extract_code(text: str, action_format: ActionFormat = "auto") -> str | None:
    """The program in a response under ``action_format`` (see the module docstring); ``None`` is a format error:
    ``"markdown"`` and no fenced block."""
    if action_format not in ACTION_FORMATS:
        raise ActionFormatError(f"action_format must be one of {', '.join(ACTION_FORMATS)}, not {action_format!r}")
    if action_format == "code":
        return text
    block = last_code_block(text)
    if block is not None:
        return block
    return None if action_format == "markdown" else text
