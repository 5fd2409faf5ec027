"""Test inputs of builtin/spiral-order; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ([[1, 2, 3], [4, 5, 6], [7, 8, 9]],)

VISIBLE = [call([[1, 2, 3], [4, 5, 6], [7, 8, 9]], name="3x3"), call([[1, 2], [3, 4]], name="2x2"),
           call([], name="empty matrix")]

HIDDEN = [call([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]]), call([[1], [2], [3], [4]]), call([[1, 2, 3]]),
          call([[7]]), call([[]]), call([[1, 2], [3, 4], [5, 6]]),
          call([[r * 10 + c for c in range(7)] for r in range(5)]), call([[-1, -2], [-3, -4], [-5, -6], [-7, -8]]),
          call([[r * 6 + c for c in range(6)] for r in range(6)])]
