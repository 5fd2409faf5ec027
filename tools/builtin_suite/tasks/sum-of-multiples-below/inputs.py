"""Test inputs of builtin/sum-of-multiples-below; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = (20, [3, 5])

VISIBLE = [calls((10, [3]), name="one divisor"), calls((10, [7]), (1, [2]), name="other single divisors"),
           calls((10, [0]), name="zero divisor is ignored")]

HIDDEN = [calls((10, [3, 5])), calls((1000, [3, 5])), calls((20, [2, 4])), calls((50, [0, 7, 11])),
          calls((0, [1])), calls((30, [])), calls((100, [1, 2, 3])), calls((60, [6, 10, 15])),
          calls((5000, [7, 13, 91]))]
