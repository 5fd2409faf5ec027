"""Test inputs of builtin/fizzbuzz-custom-rules; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = (6, [[2, "Fizz"], [3, "Buzz"]])

VISIBLE = [calls((5, [[3, "Fizz"]]), name="one rule"), calls((7, [[7, "Seven"]]), (3, [[2, "Even"]]), name="other single rules"),
           calls((0, [[3, "Fizz"]]), name="n is zero")]

HIDDEN = [calls((15, [[3, "Fizz"], [5, "Buzz"]])), calls((12, [[2, "a"], [3, "b"], [4, "c"]])),
          calls((10, [])), calls((-3, [[1, "x"]])), calls((6, [[3, "Buzz"], [2, "Fizz"]])),
          calls((30, [[1, "x"], [1, "y"]])), calls((1, [[1, "One"]])), calls((105, [[3, "Fizz"], [5, "Buzz"], [7, "Bazz"]])),
          calls((20, [[4, ""], [2, "e"]]))]
