"""Test inputs of builtin/longest-unique-substring; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(101)  # the medium call tasks' stream: see shared_rng

EXAMPLE = ("abcabcbb",)

VISIBLE = [call("abcabcbb", name="repeating pattern"), call("bbbb", name="one repeated character"),
           call("abcdef", name="all distinct")]

HIDDEN = [call("abba"), call(""), call("tmmzuxt"), call("dvdf"), call("éàéàü"), call("abcdefghijklmnopqrstuvwxyz" * 40),
          call("aab"), call("pwwkew"), call("".join(r.choice("abcdefgh") for _ in range(3000))), call(" a b ")]
