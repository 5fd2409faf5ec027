"""Where line rewards land on tokens: the one owner of line -> token placement for token-level RL.

Rewards give per-line values (:attr:`RewardOutput.line_rewards <codegym.rewards.base.RewardOutput>`, index i is
line i+1 of the program). A token-level learner needs them on tokens. Every consumer -- ``CodeGenTokens-v0``
(its own vocabulary), the agents' PPO rollouts (a Hugging Face tokenizer) and any trainer holding a fast
tokenizer's ``offset_mapping`` -- describes its tokens the same way, as ``(start, end)`` character spans of the
text they produced, and calls :func:`line_rewards_to_tokens` or :func:`token_rewards`.

The rule: a line's reward goes to the token that holds the line's last character -- its terminating newline
(the ``\\n`` of ``\\r\\n``), or its last character when the program's last line has none. That is the token at
which the line is complete; a process reward model scores a line at the same token. Then:

* lines whose last character comes before the first token (a prompt's lines, a completion prefix) earn nothing
  on tokens: the model did not write them;
* a last character that no token holds (a tokenizer whose offsets skip whitespace) goes to the closest token
  before it, the one that ended the line's text;
* lines past the end of the last token (text appended after the tokens, e.g. a block closed for scoring) earn
  nothing on tokens;
* zero-width tokens (special tokens: ``(0, 0)`` offsets, an EOS that decodes to nothing) hold no character.

Lines are Python's: ``\\n``, ``\\r\\n`` and ``\\r`` end a line (:func:`source_lines`), so line numbers agree with
the tracebacks and ``ast`` line numbers the rewards are computed from. ``str.splitlines`` would also split at form
feeds and ``\\u2028``, which Python does not.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codegym.rewards.base import RewardOutput

__all__ = ["source_lines", "line_ends", "locate_program", "line_rewards_to_tokens", "token_rewards"]

#: one line and its terminator (Python's: ``\r\n``, ``\r`` or ``\n``), or an unterminated last line
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines(program: str, keepends: bool = False) -> list[str]:
    """The lines of ``program`` as Python numbers them (line i+1 at index i), like ``str.splitlines`` but
    splitting only at ``\\n``, ``\\r\\n`` and ``\\r``. A trailing newline does not start another line."""
    lines = _LINE.findall(program)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def line_ends(text: str, start: int = 0) -> list[int]:
    """For each line of ``text[start:]``, the index in ``text`` of its last character (its terminator's last
    character, or the last character of an unterminated last line)."""
    ends, pos = [], start
    for line in source_lines(text[start:], keepends=True):
        pos += len(line)
        ends.append(pos - 1)
    return ends


def locate_program(text: str, program: str) -> int | None:
    """Where ``program`` starts in ``text`` (the last occurrence: a response's program is its last code block),
    or ``None`` when the text does not contain it verbatim (the env rewrote it), so no line can be placed."""
    at = text.rfind(program) if program else -1
    return at if at >= 0 else None


def line_rewards_to_tokens(text: str, line_rewards: Sequence[float], token_spans: Sequence[tuple[int, int]],
                           program_start: int = 0) -> list[float]:
    """Place per-line rewards on tokens (see the module docstring for the rule).

    Args:
        text: the text the tokens belong to (it may start with a prompt the tokens do not cover).
        line_rewards: ``line_rewards[i]`` is the reward of line i+1 of the program.
        token_spans: ``(start, end)`` character span in ``text`` of each token, end exclusive (a fast
            tokenizer's ``offset_mapping``); the list may hold zero-width tokens and need not be sorted.
        program_start: where the program's first line starts in ``text`` (:func:`locate_program`).

    Returns:
        One value per token: the sum of the line rewards it holds, 0 elsewhere. The values add up to the rewards of
        the lines that end inside the tokenized text.
    """
    rewards = [0.0] * len(token_spans)
    # non-empty tokens by start; on equal starts (a multi-byte character split over tokens shares one character)
    # the later token, which completes the character, comes last and wins
    order = sorted((int(s), i) for i, (s, e) in enumerate(token_spans) if e > s)
    if not order or not line_rewards:
        return rewards
    starts = [s for s, _ in order]
    last_end = max(int(e) for s, e in token_spans if e > s)
    for value, anchor in zip(line_rewards, line_ends(text, program_start)):
        k = bisect.bisect_right(starts, anchor) - 1
        if k < 0 or anchor >= last_end:  # before the first token (a prompt line) or after the last one
            continue
        rewards[order[k][1]] += float(value)
    return rewards


def token_rewards(output: RewardOutput, text: str, token_spans: Sequence[tuple[int, int]],
                  program_start: int = 0, include_scalar: bool = True) -> list[float]:
    """Per-token rewards for one scored response: its line rewards placed on tokens
    (:func:`line_rewards_to_tokens`) and the scalar on the final token.

    When ``output.line_rewards_in_value`` (the scalar already holds the line rewards, as
    :class:`~codegym.rewards.shaping.ShapedReward`'s does) the final token gets the scalar minus the line rewards
    placed on tokens, so the tokens add up to exactly the scalar; otherwise it gets the whole scalar and the
    tokens add up to the scalar plus the placed line rewards. ``include_scalar=False`` leaves the scalar out for a
    trainer that puts it on the last token itself (PPO's score): the final token then only settles what the
    placed lines overpay.
    """
    if output.line_rewards:
        rewards = line_rewards_to_tokens(text, output.line_rewards, token_spans, program_start)
    else:
        rewards = [0.0] * len(token_spans)
    if rewards:
        settle = float(output.reward) if include_scalar else 0.0
        if output.line_rewards_in_value:
            settle -= sum(rewards)
        rewards[-1] += settle
    return rewards
