"""Test inputs of builtin/letter-histogram; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ("Hello, hello!",)

VISIBLE = [calls(("banana",), name="lowercase word"), calls(("a-b c!",), ("123",), name="non-letters are skipped"),
           calls(("",), name="empty text")]

HIDDEN = [calls(("AaBb",)), calls(("Éé école",)), calls(("The Quick Brown Fox",)), calls(("ΣΑΣ σας",)),
          calls(("x" * 500 + "X" * 500,)), calls(("  \t\n",)), calls(("Mississippi 2024!",)),
          calls(("ABC",)), calls(("naïve Café",))]
