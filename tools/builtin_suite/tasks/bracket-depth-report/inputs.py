"""Test inputs of builtin/bracket-depth-report; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "3\n(a(b)c)\n((\nx\n"

VISIBLE = [io("1\n(a(b)c)\n", name="nested"), io("1\n(()\n", name="unclosed bracket"), io("1\nabc\n", name="no brackets")]

HIDDEN = [io("1\n)(\n"), io("2\n())(()\n()\n"), io("1\n\n"), io("1\n" + "(" * 300 + ")" * 300 + "\n"),
          io("3\n(x)(y)(z)\n)\n((a)(b))\n"), io("1\na)b(c\n"), io("2\n[({})]\n(()))(\n"),
          io("4\n()\n(())\n((()))\n())\n"), io("1\n" + "()" * 500 + ")(" + "\n")]
