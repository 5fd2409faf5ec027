"""Test inputs of builtin/evaluate-rpn; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = (["4", "13", "5", "/", "+"],)

VISIBLE = [calls((["2", "1", "+", "3", "*"],), name="add and multiply"), calls((["13", "5", "/"],), name="positive division"),
           calls((["-3", "4", "-"],), name="negative literal")]

HIDDEN = [calls((["7", "-2", "/"],)), calls((["-7", "2", "/"],)), calls((["-8", "2", "/"],)),
          calls((["10", "6", "9", "3", "+", "-11", "*", "/", "*", "17", "+", "5", "+"],)), calls((["42"],)),
          calls((["0", "5", "-", "3", "/"],)), calls((["99999999999", "99999999999", "*"],)),
          calls((["1", "2", "-", "3", "4", "-", "*"],)), calls((["-1", "3", "/", "4", "+"],))]
