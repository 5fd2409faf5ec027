"""Test inputs of builtin/caesar-shift; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ("Hello, World!", 3)

VISIBLE = [calls(("abc", 1), name="small shift"), calls(("xyz", 3), name="wrap around"),
           calls(("a-b c!", 2), name="punctuation unchanged")]

HIDDEN = [calls(("Hello, World!", 3)), calls(("abc", -1)), calls(("Zebra", 52)), calls(("", 5)),
          calls(("éclair Zoo", 1)), calls(("ABC xyz", -27)), calls(("The Quick Brown Fox" * 20, 13)),
          calls(("123", 4)), calls(("MiXeD", 10**9))]
