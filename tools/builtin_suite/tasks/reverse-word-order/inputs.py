"""Test inputs of builtin/reverse-word-order; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ("  the sky\tis blue ",)

VISIBLE = [calls(("one two three",), name="three words"), calls(("hello",), name="one word"),
           calls(("",), name="empty text")]

HIDDEN = [calls(("  a   b  ",)), calls(("x\ty",)), calls(("   ",)), calls(("line one\nline two",)),
          calls(("ünï cödé  wörds",)), calls((" ".join(str(i) for i in range(300)),)),
          calls(("a  b",)), calls(("\n",)), calls(("end. the is This",))]
