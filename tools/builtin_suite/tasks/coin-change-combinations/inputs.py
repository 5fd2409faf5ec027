"""Test inputs of builtin/coin-change-combinations; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = (5, [1, 2, 5])

VISIBLE = [call(10, [5], name="one coin"), call(0, [1, 2], name="zero amount"), call(3, [2], name="impossible")]

HIDDEN = [call(5, [1, 2, 5]), call(4, [1, 2]), call(100, [1, 5, 10, 25, 50]), call(7, [2, 3]), call(11, [5, 7]),
          call(3000, [1, 2, 3, 5, 8, 13]), call(1, []), call(10, [10, 1]), call(500, [3, 7, 11])]
