"""Test inputs of builtin/word-frequency-table; expected values come from reference.py."""

import random

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng


def _words_text(r: random.Random, n: int) -> str:
    vocab = ["alpha", "beta", "gamma", "delta", "Alpha", "BETA", "eps", "zeta", "eta", "theta"]
    return " ".join(r.choice(vocab) + r.choice(["", "", ",", ".", "!"]) for _ in range(n)) + "\n"


EXAMPLE = "The cat and the hat.\nThe END\n"

VISIBLE = [io("b b b a a c\n", name="distinct counts"), io("Dog dog DOG\n", name="case-insensitive"),
           io("one, two; two!\n", name="punctuation separates words")]

HIDDEN = [io("zebra apple mango\n"), io(""), io("x y x y\n"), io("don't stop\n"), io("123 456\n"),
          io(_words_text(r, 400)), io("b a\nB A\nc\n"), io("naïve café naive\n"), io(_words_text(r, 50))]
