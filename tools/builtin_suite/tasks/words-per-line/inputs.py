"""Test inputs of builtin/words-per-line; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "the quick brown fox\njumps over\n"

VISIBLE = [io("one two three\nfour\n", name="plain lines"), io("  spaced   out  words \n", name="extra spaces"),
           io("a\tb\n", name="tab separated")]

HIDDEN = [io("first\n\nthird line\n"), io("\n"), io(""), io("   \nword\n"), io("a b\n\n\n c d e \n"),
          io("ünïcödé wörds hére\n\n"), io("\n".join(" ".join("w" for _ in range(i)) for i in range(50)) + "\n"),
          io("last line without newline"), io("x\n \ny z\n")]
