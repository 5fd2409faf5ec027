"""Text in and out of codegym's envs: the ``Text`` spaces, sanitised observations, text actions and rendering.

Gymnasium's ``Text`` space holds ``str`` values only (``Text.contains`` is False for anything else, ``bytes``
included), so every text env takes ``str`` actions and rejects others with an :class:`ActionError` that says what to
pass, rather than guessing an encoding.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from codegym.errors import ActionError

if TYPE_CHECKING:
    from gymnasium import spaces

#: Characters allowed in every text observation and action space: printable ASCII plus tab/newline/CR. Gymnasium's
#: ``Text`` space defaults to alphanumerics only, which would reject every real program; anything outside this set
#: is written as a Python-style backslash escape by :func:`sanitize_text`, so no information is dropped silently.
TEXT_CHARSET: str = string.printable

#: Caps on text fields (characters). Prompts of competitive-programming tasks run to a few thousand characters;
#: 32 KiB leaves room for long statements while keeping ``Text.sample()`` cheap.
MAX_PROMPT_CHARS = 32_768
MAX_CODE_CHARS = 32_768
MAX_FEEDBACK_CHARS = 8_192
MAX_ID_CHARS = 256

_CHARSET_SET = frozenset(TEXT_CHARSET)


def sanitize_text(text: Any, max_chars: int) -> str:
    """``text`` as a string inside :data:`TEXT_CHARSET`, at most ``max_chars`` long.

    Characters outside the charset become backslash escapes (``é`` -> ``\\xe9``); over-long text is cut with a
    ``...[N chars truncated]`` marker so the cut is visible to the agent.
    """
    if text is None:
        return ""
    text = str(text)
    if not all(ch in _CHARSET_SET for ch in text):
        text = "".join(ch if ch in _CHARSET_SET else ch.encode("ascii", "backslashreplace").decode("ascii")
                       for ch in text)
        # control characters below 0x20 other than \t\n\r are ASCII, so backslashreplace leaves them: escape them
        text = "".join(ch if ch in _CHARSET_SET else f"\\x{ord(ch):02x}" for ch in text)
    if len(text) > max_chars:
        marker = f"\n...[{len(text) - max_chars} chars truncated]"
        keep = max(0, max_chars - len(marker))
        text = (text[:keep] + marker)[:max_chars]
    return text


def text_space(max_length: int) -> spaces.Text:
    """A gymnasium ``Text`` space over :data:`TEXT_CHARSET` that accepts the empty string."""
    from gymnasium import spaces

    return spaces.Text(max_length=max_length, min_length=0, charset=TEXT_CHARSET)


def check_text_action(action: Any, env_name: str) -> str:
    """The action as ``str``; anything else (``bytes`` too) is an :class:`ActionError` that says what to pass.

    ``numpy.str_`` (what a batched ``Text`` space holds) is a ``str`` and accepted. ``bytes`` are refused rather
    than decoded: Gymnasium's ``Text`` space does not contain them, and guessing an encoding would hide a caller's
    bug (or silently replace what does not decode).
    """
    if isinstance(action, str):
        return str(action)
    if isinstance(action, (bytes, bytearray)):
        raise ActionError(f"{env_name} takes a text action (str), got {type(action).__name__}: Gymnasium's Text "
                          "space holds str only; decode it first, e.g. action.decode('utf-8')")
    raise ActionError(f"{env_name} takes a text action (str: raw code or a model response with a fenced code "
                      f"block), got {type(action).__name__}")


def check_render_mode(render_mode: str | None, supported: Sequence[str], env_name: str) -> str | None:
    """Accept ``render_mode`` as gymnasium does: an unsupported mode (SB3's ``make_vec_env`` asks for
    ``"rgb_array"``) is only warned about, and ``render()`` then returns ``None``."""
    if render_mode is not None and render_mode not in supported:
        import gymnasium

        gymnasium.logger.warn(f"{env_name} renders only {', '.join(supported)}; render_mode={render_mode!r} will "
                              "render nothing")
    return render_mode


def emit_render(render_mode: str | None, text: str) -> str | None:
    """Gymnasium's text render contract: ``ansi`` returns the text, ``human`` prints it."""
    if render_mode == "ansi":
        return text
    print(text)
    return None


def render_text(render_mode: str | None, supported: Sequence[str], env_name: str,
                text: Callable[[], str]) -> str | None:
    """``render()`` of a text-rendering env: ``text()`` per :func:`emit_render`, or a warning and ``None`` when the
    env was built without a supported ``render_mode``."""
    if render_mode not in supported:
        import gymnasium

        gymnasium.logger.warn(f"{env_name}.render() needs render_mode='ansi' or 'human'")
        return None
    return emit_render(render_mode, text())
