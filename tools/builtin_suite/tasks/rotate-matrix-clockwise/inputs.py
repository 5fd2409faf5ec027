"""Test inputs of builtin/rotate-matrix-clockwise; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ([[1, 2, 3], [4, 5, 6]],)

VISIBLE = [calls(([[1, 2], [3, 4]],), name="2x2", unmodified=True), calls(([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), name="3x3"),
           calls(([],), ([[5]],), name="empty and 1x1")]

HIDDEN = [calls(([[1, 2, 3], [4, 5, 6]],), unmodified=True), calls(([[1], [2], [3]],)), calls(([[1, 2, 3, 4]],)),
          calls(([["a", "b"], ["c", "d"], ["e", "f"]],)), calls(([[r * 8 + c for c in range(8)] for r in range(3)],)),
          calls(([[-1, 0], [0, -1]],), unmodified=True), calls(([[r * 5 + c for c in range(5)] for r in range(5)],)),
          calls(([[None, True]],)), calls(([[1, 2], [3, 4], [5, 6], [7, 8]],))]
