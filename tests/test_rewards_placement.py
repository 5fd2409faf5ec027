"""Line rewards on tokens (codegym.rewards.placement), the one owner the token env and the agents' PPO rollouts
call: prompt lines, lines split over tokens, programs that cannot be found, multi-byte characters, CRLF, tokens
that leave characters out, zero-width special tokens, and settling the scalar on the final token."""

from __future__ import annotations

import ast

import pytest

from codegym.rewards._util import line_kinds
from codegym.rewards.base import RewardOutput
from codegym.rewards.placement import (
    line_ends,
    line_rewards_to_tokens,
    locate_program,
    source_lines,
    token_rewards,
)


def spans_of(text: str, pieces: list[str], start: int = 0) -> list[tuple[int, int]]:
    """Contiguous spans of ``pieces`` laid end to end in ``text`` from ``start`` (checked against the text)."""
    spans, pos = [], start
    for piece in pieces:
        assert text[pos:pos + len(piece)] == piece
        spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def test_lines_are_pythons_lines():
    # \r\n and \r end lines; a form feed and U+2028 (inside a string) do not, though str.splitlines splits at both
    program = "a = 1\r\nb = 2\rc = '\u2028'\n\x0cd = 4\n"
    tree = ast.parse(program)
    assert [node.lineno for node in tree.body] == [1, 2, 3, 4]
    assert source_lines(program) == ["a = 1", "b = 2", "c = '\u2028'", "\x0cd = 4"]
    assert len(program.splitlines()) == 6  # what the rewards used to count
    assert line_kinds(program) == ["code"] * 4
    assert source_lines("x\n\ny") == ["x", "", "y"] and source_lines("") == []
    # each line ends at its terminator's last character (the \n of \r\n)
    assert line_ends(program) == [6, 12, 20, 27] and program[6] == program[27] == "\n" and program[12] == "\r"


def test_prompt_lines_earn_nothing_and_a_line_split_over_tokens_is_paid_at_its_newline():
    text = "PROMPT\na = 1\nb = 2"
    pieces = ["a", " =", " 1", "\n", "b", " = 2"]  # the generated part, after the prompt
    spans = spans_of(text, pieces, start=7)
    # program = the whole text: line 1 is the prompt's (its newline precedes every token), lines 2-3 generated
    assert line_rewards_to_tokens(text, [9.0, 0.5, -1.0], spans) == [0.0, 0.0, 0.0, 0.5, 0.0, -1.0]
    # the same lines with the program starting after the prompt
    assert line_rewards_to_tokens(text, [0.5, -1.0], spans, program_start=7) == [0.0, 0.0, 0.0, 0.5, 0.0, -1.0]
    # a prompt that ends mid-line: the generated tokens finish the line, so they earn it
    text = "def f(x):\n    return"
    spans = spans_of(text + " x\n", [" x", "\n"], start=len(text))
    assert line_rewards_to_tokens(text + " x\n", [3.0, 1.0], spans) == [0.0, 1.0]


def test_locating_the_program():
    response = "Here:\n```python\nx = 1\n```\nagain:\n```python\nx = 1\n```\n"
    assert locate_program(response, "x = 1\n") == response.rindex("x = 1\n")  # the last block is the program
    assert locate_program(response, "y = 2\n") is None  # rewritten by the env: nothing can be placed
    assert locate_program(response, "") is None


def test_lines_past_the_last_token_and_characters_no_token_holds():
    # a block closed for scoring after the generated text: the added line earns nothing on tokens
    text = "if x:\n    pass\n"
    assert line_rewards_to_tokens(text, [1.0, 5.0], spans_of(text, ["if", " x", ":", "\n"])) == [0, 0, 0, 1.0]
    # offsets that skip whitespace (a BERT-style tokenizer): the newline no token holds goes to the token before it
    text = "a = 1\nb = 2\nc"
    spans = [(0, 5), (6, 11), (12, 13)]
    assert line_rewards_to_tokens(text, [1.0, 2.0, 3.0], spans) == [1.0, 2.0, 3.0]
    # zero-width tokens (special tokens) hold nothing, and the order of the spans does not matter
    spans = [(12, 13), (0, 0), (6, 11), (0, 5), (13, 13)]
    assert line_rewards_to_tokens(text, [1.0, 2.0, 3.0], spans) == [3.0, 0.0, 2.0, 1.0, 0.0]
    assert line_rewards_to_tokens(text, [1.0], []) == []
    assert line_rewards_to_tokens(text, [], spans) == [0.0] * 5


def byte_level_tokenizer():
    """A real byte-level BPE fast tokenizer (GPT-2 style), trained in memory on a few lines of code."""
    tokenizers = pytest.importorskip("tokenizers")
    transformers = pytest.importorskip("transformers")
    tok = tokenizers.Tokenizer(tokenizers.models.BPE())
    tok.pre_tokenizer = tokenizers.pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = tokenizers.decoders.ByteLevel()
    trainer = tokenizers.trainers.BpeTrainer(vocab_size=300, special_tokens=["<eos>"],
                                             initial_alphabet=tokenizers.pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(["def f(x):\n    return x + 1\n"] * 10, trainer)
    return transformers.PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<eos>")


def test_multi_byte_characters_and_crlf_with_a_real_tokenizer():
    tokenizer = byte_level_tokenizer()
    program = "s = 'é🙂'\r\nt = 1  # ü\r\nu = 2"
    enc = tokenizer(program, return_offsets_mapping=True, add_special_tokens=False)
    offsets = [tuple(o) for o in enc["offset_mapping"]]
    # é and the emoji are split over several byte tokens that share the character's span
    assert len(offsets) > len(set(offsets))
    rewards = line_rewards_to_tokens(program, [1.0, 2.0, 4.0], offsets)
    paid = [(program[offsets[i][0]:offsets[i][1]], r) for i, r in enumerate(rewards) if r]
    # CRLF lines are paid on the token holding the \n (not the \r); the unterminated last line on its last token
    assert paid == [("\n", 1.0), ("\n", 2.0), (program[offsets[-1][0]:], 4.0)]
    assert program.endswith(paid[-1][0]) and sum(rewards) == 7.0


def test_the_scalar_settles_on_the_final_token():
    text = "P\na = 1\nb = 2\n"
    spans = spans_of(text, ["a = 1", "\n", "b = 2", "\n"], start=2) + [(0, 0)]  # a zero-width EOS at the end
    lines = [0.7, 0.1, 0.2]  # the prompt's line earns nothing on tokens
    shaped = RewardOutput(1.3, lines, line_rewards_in_value=True)  # 1.3 already holds the line rewards
    placed = token_rewards(shaped, text, spans)
    assert placed == pytest.approx([0.0, 0.1, 0.0, 0.2, 1.3 - 0.3]) and sum(placed) == pytest.approx(1.3)
    process = RewardOutput(1.0, lines)  # separate process signal: paid on top of the scalar
    assert token_rewards(process, text, spans) == pytest.approx([0.0, 0.1, 0.0, 0.2, 1.0])
    # a trainer that puts the scalar on the last token itself (PPO's score) gets only the settlement
    assert token_rewards(shaped, text, spans, include_scalar=False) == pytest.approx([0, 0.1, 0, 0.2, -0.3])
    assert token_rewards(process, text, spans, include_scalar=False) == pytest.approx([0, 0.1, 0, 0.2, 0])
    assert token_rewards(RewardOutput(0.5), text, spans) == [0.0, 0.0, 0.0, 0.0, 0.5]
    assert token_rewards(shaped, text, []) == []
