"""Test inputs of builtin/run-length-encode; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ("aaabccddd",)

VISIBLE = [call("aaabcc", name="several runs"), call("x", name="single character"),
           call("abc", name="no repeats")]

HIDDEN = [call(""), call("zzzzzzzzzzzz"), call("aabbaa"), call("  11  "), call("ééé€"), call("a" * 1000 + "b"),
          call("abababab"), call("112223333"), call("\n\n\t")]
