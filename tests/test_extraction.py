"""Code-block extraction (codegym.extraction), the one rule every layer uses: envs, reward adapters, rewards that
require a block, and the loaders' starter code."""

from __future__ import annotations

import pytest

from codegym.extraction import (
    ActionFormatError,
    CodeBlock,
    extract_code,
    find_code_blocks,
    last_code_block,
)

# -- fences -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fence", ["```", "~~~", "````", "~~~~~"])
def test_backtick_and_tilde_fences_of_any_length(fence):
    text = f"Answer:\n{fence}python\nx = 1\n{fence}\ndone"
    assert find_code_blocks(text) == [CodeBlock("python", "x = 1\n")]
    assert extract_code(text, "markdown") == "x = 1\n"


def test_closing_fence_must_match_the_character_and_be_at_least_as_long():
    assert last_code_block("~~~\nx = 1\n```\ny = 2\n~~~") == "x = 1\n```\ny = 2\n"
    assert last_code_block("`````\na\n```\nb\n``````\n") == "a\n```\nb\n"
    assert last_code_block("```\nx = 1\n``` not a fence\n```") == "x = 1\n``` not a fence\n"


@pytest.mark.parametrize("info, language", [
    ("python", "python"), ("Python", "python"), (" py", "py"), ("python3", "python3"),
    ('python title="sol.py"', "python"), ("{.python}", "python"), ("", ""), ("c++", "c++"), ("text", "text"),
])
def test_language_tag_is_the_first_word_of_the_info_string(info, language):
    assert find_code_blocks(f"```{info}\nbody\n```") == [CodeBlock(language, "body\n")]


def test_indented_fence_strips_its_indentation_from_the_body():
    text = "1. step one\n   ```python\n   def f():\n       return 1\n   ```\n"
    assert last_code_block(text) == "def f():\n    return 1\n"


def test_crlf_text_and_empty_blocks():
    assert last_code_block("```python\r\nx = 1\r\n```\r\n") == "x = 1\r\n"
    assert find_code_blocks("```\n```") == [CodeBlock("", "")]


def test_inline_backticks_are_not_a_fence():
    assert find_code_blocks("use ```x``` inline\nand ```python``` too") == []


# -- nested and unclosed ---------------------------------------------------------------------------------------------


def test_longer_fence_holds_a_shorter_one():
    text = '````python\ns = """```"""\nt = """\n```python\ninner\n```\n"""\n````'
    assert last_code_block(text) == 's = """```"""\nt = """\n```python\ninner\n```\n"""\n'
    assert len(find_code_blocks(text)) == 1


def test_tilde_block_holds_a_backtick_block():
    text = "~~~markdown\n```python\nx = 1\n```\n~~~\n"
    assert find_code_blocks(text) == [CodeBlock("markdown", "```python\nx = 1\n```\n")]


def test_unclosed_block_is_not_a_block():
    assert find_code_blocks("```python\nx = 1\n") == []
    assert last_code_block("```python\nx = 1") is None
    assert extract_code("```python\nx = 1", "markdown") is None
    # a complete block before a truncated one still counts
    assert last_code_block("```python\nx = 1\n```\nnow better:\n```python\nx = ") == "x = 1\n"


# -- which block is the program ---------------------------------------------------------------------------------


def test_the_last_python_or_untagged_block_wins():
    text = "draft:\n```python\nx = 1\n```\nfinal:\n```\nx = 2\n```\noutput:\n```text\n2\n```\n"
    assert [b.language for b in find_code_blocks(text)] == ["python", "", "text"]
    assert last_code_block(text) == "x = 2\n"


def test_any_language_block_when_no_python_one():
    text = "```py3\nprint(1)\n```\n"
    assert last_code_block(text) == "print(1)\n"
    assert last_code_block(text, any_language=False) is None


def test_no_block():
    assert find_code_blocks("no code here") == []
    assert last_code_block("no code here") is None
    assert last_code_block("") is None


# -- action formats ---------------------------------------------------------------------------------------------------


def test_action_formats():
    text = "Here:\n~~~python\nx = 1\n~~~\n"
    assert extract_code(text) == extract_code(text, "auto") == extract_code(text, "markdown") == "x = 1\n"
    assert extract_code(text, "code") == text
    assert extract_code("x = 1", "auto") == "x = 1"
    assert extract_code("x = 1", "markdown") is None
    with pytest.raises(ActionFormatError):
        extract_code("x", "json")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        extract_code("x", "json")  # type: ignore[arg-type]


# -- every layer uses this rule ---------------------------------------------------------------------------------------

TILDE = "I fixed it.\n~~~python\ndef add(a, b):\n    return a + b\n~~~\n"


def test_every_layer_agrees():
    from codegym.envs.extraction import extract_code as env_extract
    from codegym.errors import EnvConfigError
    from codegym.rewards._util import extract_code as reward_extract
    from codegym.tasks.formats._common import extract_code_block

    program = "def add(a, b):\n    return a + b\n"
    assert env_extract(TILDE, "markdown") == reward_extract(TILDE) == program
    assert extract_code_block(TILDE) == program
    assert env_extract("none", "markdown") is None and reward_extract("none") is None
    assert extract_code_block("none") is None
    # starter code is Python only: an example block in another language is not starter code
    assert extract_code_block("Example:\n```text\n1 2\n```\n") is None
    with pytest.raises(EnvConfigError):
        env_extract("x", "json")  # type: ignore[arg-type]


def test_require_code_block_accepts_a_tilde_fence():
    from codegym.evaluation import evaluate_program
    from codegym.rewards import AllPassReward
    from codegym.tasks.model import CallTest, Task

    task = Task("toy/add", "Write add(a, b).", entry_point="add", hidden_tests=[CallTest("add", (1, 2), expected=3)])
    program = "def add(a, b):\n    return a + b\n"
    reward = AllPassReward(require_code_block=True)
    evaluation = evaluate_program(task, program)
    assert reward.compute(evaluation, task, program, response=TILDE).reward == 1.0
    assert reward.compute(evaluation, task, program, response=program).reward == 0.0
