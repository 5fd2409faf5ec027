"""Test inputs of builtin/greedy-word-wrap; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(202)  # the medium assert tasks' stream: see shared_rng

EXAMPLE = ("the quick brown fox jumps", 10)

VISIBLE = [calls(("aa bb cc dd", 6),  name="two words per line"), calls(("supercalifragilistic is long", 8), name="over-long word"),
           calls(("   ", 5), name="no words")]

HIDDEN = [calls(("aa bb cc", 5)), calls(("a b c d e f", 3)), calls(("exact fit here", 14)),
          calls(("one\ntwo\tthree four", 9)), calls((" ".join(["word"] * 100), 24)), calls(("a", 1)),
          calls(("abc de fgh ij", 6)), calls(("x" * 20 + " y z", 3)),
          calls((" ".join("".join(r.choice("abcdef") for _ in range(r.randint(1, 9))) for _ in range(150)), 17))]
