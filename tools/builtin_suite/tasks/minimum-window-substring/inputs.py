"""Test inputs of builtin/minimum-window-substring; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(505)  # the hard assert tasks' stream: see shared_rng

EXAMPLE = ("ADOBECODEBANC", "ABC")

VISIBLE = [calls(("ADOBECODEBANC", "ABC"), name="distinct characters"), calls(("abc", "d"), name="no window"),
           calls(("abc", ""), name="empty t")]

HIDDEN = [calls(("aa", "aa")), calls(("ab", "aa")), calls(("AaBbAa", "AA")), calls(("xyzzyx", "zz")),
          calls(("abcabdebac", "aab")), calls(("".join(r.choice("abcd") for _ in range(600)), "abdda")),
          calls(("a", "a")), calls(("bba", "ab")), calls(("acbbaca", "aba"))]
