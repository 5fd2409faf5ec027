"""Test inputs of builtin/polygon-area; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ([[0, 0], [4, 0], [4, 3], [2, 1], [0, 3]],)

VISIBLE = [call([[0, 0], [4, 0], [0, 3]], name="triangle"), call([[0, 0], [0, 2], [2, 2], [2, 0]], name="clockwise square"),
           call([[1, 1], [3, 1]], name="too few points")]

HIDDEN = [call([[0, 0], [4, 0], [4, 3], [2, 1], [0, 3]]), call([[0, 0], [3, 0], [0, 3]]), call([[0, 0], [5, 0], [5, 2], [0, 2]]),
          call([]), call([[-2, -2], [2, -2], [0, 3]]), call([[0, 0], [1, 0], [1, 1]]),
          call([[0, 0], [10**6, 0], [10**6, 10**6], [0, 10**6]]), call([[0, 0], [6, 0], [6, 6], [3, 3], [0, 6]]),
          call([[0, 0], [2, 0], [2, 2], [1, 1], [0, 2]][::-1])]
