"""Test inputs of builtin/balanced-brackets; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ("f(a[i], {k: v})",)

VISIBLE = [call("([]{})", name="nested"), call("((", name="unclosed"), call("a + b", name="no brackets")]

HIDDEN = [call("([)]"), call(""), call(")("), call("{[}]"), call("(((())))" * 100), call("x[y(z]w)"),
          call("]"), call("{a:[1, (2)]}"), call("(" * 500 + ")" * 499), call("[({})](")]
