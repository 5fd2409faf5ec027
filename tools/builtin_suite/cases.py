"""What a task's ``inputs.py`` builds its tests from: :class:`Case` and the helpers that make one.

A case holds only the *input* of a test (call arguments or stdin); ``tools/build_builtin_suite.py`` runs the
task's reference on it to compute the expected value, so no expected output is ever typed by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    """The input of one test. ``calls`` holds argument tuples (call tests use exactly one; an assert test may
    bundle a few calls that exercise the same feature); ``stdin`` is for stdio tests."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)
    stdin: str | None = None
    name: str | None = None
    check_unmodified: bool = False  # assert tests: also assert that the arguments were not mutated
    arg_exprs: list[str] | None = None  # assert tests: source text of the arguments, written instead of their repr


def call(*args: Any, name: str | None = None) -> Case:
    """A call test (or a one-call assert test) with positional ``args``."""
    return Case(calls=[args], name=name)


def calls(*arg_tuples: tuple[Any, ...], name: str | None = None, unmodified: bool = False) -> Case:
    """An assert test that makes several calls, each an argument tuple."""
    return Case(calls=list(arg_tuples), name=name, check_unmodified=unmodified)


def generated(*arg_exprs: str, name: str | None = None) -> Case:
    """An assert test whose arguments are built by short Python expressions (for large inputs that would bloat
    the suite as literals). The expressions must be deterministic; they are evaluated here to compute the
    expected value and written verbatim into the test program."""
    args = tuple(eval(expr, {"__builtins__": __builtins__}) for expr in arg_exprs)  # noqa: S307 -- our own text
    return Case(calls=[args], name=name, arg_exprs=list(arg_exprs))


def io(stdin: str, name: str | None = None) -> Case:
    """A stdin/stdout test."""
    return Case(stdin=stdin, name=name)


def rng(seed: int) -> random.Random:
    """A random generator of the task's own: what a new task uses for random inputs."""
    return random.Random(seed)


_SHARED: dict[int, random.Random] = {}


def shared_rng(seed: int) -> random.Random:
    """The one generator of a build that every caller with this ``seed`` draws from.

    Why it exists: the suite was first written as a single file in which the medium and hard tasks of one
    difficulty and kind drew their random inputs from one generator (seeds 101 to 606), each task continuing
    where the one before it stopped. Keeping that stream keeps every built test byte-identical; the price is
    that a task's random inputs depend on the tasks listed before it (``order.txt``) with the same seed, so
    changing how many numbers one of them draws changes the inputs of the ones after it. New tasks use
    :func:`rng` instead. The build calls :func:`reset_shared_rngs` first and loads the tasks in order.
    """
    if seed not in _SHARED:
        _SHARED[seed] = random.Random(seed)
    return _SHARED[seed]


def reset_shared_rngs() -> None:
    """Start every shared stream afresh (called by the build before it loads the first task)."""
    _SHARED.clear()
