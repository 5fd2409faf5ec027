"""codegym.parsing: parses that survive re-entrant and concurrent AST construction (CPython 3.11's shared counter)."""

from __future__ import annotations

import ast
import gc
import threading
import warnings

import pytest

from codegym.parsing import literal_eval, parse_python

# A test program shaped like the long LeetCode simulations: thousands of AST nodes, so a collection runs mid-build.
LONG_TEST = "def check(candidate):\n" + "".join(
    f"    assert candidate({i}, [{', '.join(str(j) for j in range(40))}]) == [{i}, ({i}, '{i}')]\n"
    for i in range(200)
) + "check(f)\n"


class _ParsesWhenCollected:
    """Garbage whose finalizer parses, the way any library's __del__ might while our parse is building its AST."""

    finalized = 0

    def __del__(self) -> None:
        type(self).finalized += 1
        parse_python("x = [1, (2, 3), {'a': 4}]")


def test_parse_survives_a_parse_inside_a_collection_during_it():
    """On CPython 3.11 a finalizer that parses while ast.parse builds its tree makes that ast.parse raise a spurious
    SystemError ('AST constructor recursion depth mismatch'); parse_python returns the right tree."""
    expected = ast.dump(ast.parse(LONG_TEST))
    old = gc.get_threshold()
    gc.set_threshold(100, 1, 1)  # collections every 100 allocations, so they land inside the build
    _ParsesWhenCollected.finalized = 0
    try:
        for _ in range(20):
            for _ in range(30):
                a, b = _ParsesWhenCollected(), _ParsesWhenCollected()
                a.other, b.other = b, a  # a cycle: only the collector frees it
            del a, b
            assert ast.dump(parse_python(LONG_TEST)) == expected
    finally:
        gc.set_threshold(*old)
        gc.collect()
    assert _ParsesWhenCollected.finalized > 0  # the scenario really happened


def test_parse_from_many_threads_at_once():
    """The executor judges on a thread pool: concurrent parses at different stack depths all give the right tree."""
    expected = ast.dump(ast.parse(LONG_TEST))
    results: list[str] = []
    errors: list[BaseException] = []

    def nested(depth: int) -> None:
        if depth:
            return nested(depth - 1)
        for _ in range(10):
            try:
                results.append(ast.dump(parse_python(LONG_TEST)))
            except BaseException as error:  # noqa: BLE001 - any failure is the test's finding
                errors.append(error)

    threads = [threading.Thread(target=nested, args=(k % 5,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [expected] * 80


def test_parse_raises_what_ast_parse_raises():
    with pytest.raises(SyntaxError):
        parse_python("def f(:\n")
    with pytest.raises((ValueError, SyntaxError)):  # NUL bytes: ValueError or SyntaxError, by CPython version
        parse_python("x = 1\x00")
    assert isinstance(parse_python("x = 1"), ast.Module)


def test_parse_prints_no_syntax_warnings_from_untrusted_text():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked SyntaxWarning would raise here
        parse_python("x = '\\d'\nassert (x, 'always true')\ny = 1 is 1\n")


@pytest.mark.parametrize("text", ["1", " [1, 'a', (2.5, None)]", "{'k': {1, 2}}", "-3", "1+2j", "b'x'", "True"])
def test_literal_eval_matches_ast(text):
    assert literal_eval(text) == ast.literal_eval(text)


@pytest.mark.parametrize("text", ["__import__('os')", "x", "[1, f()]", "1; 2", "x = 1", "def f(): pass", "("])
def test_literal_eval_refuses_code(text):
    with pytest.raises((ValueError, SyntaxError)):
        literal_eval(text)
