"""Test inputs of builtin/capitalize-words-keep-spacing; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ("hello  WORLD",)

VISIBLE = [call("hello world", name="lowercase words"), call("PYTHON cODE", name="mixed case words"),
           call("", name="empty text")]

HIDDEN = [call("  two  spaces "), call(" "), call("éLAN vital"), call("a b  c   d"), call("ALL CAPS  HERE"),
          call("x"), call("  lead"), call("trail  "), call("ñandú ÁRBOL  öl")]
