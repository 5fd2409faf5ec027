"""Test inputs of builtin/min-path-sum-grid; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(202)  # the medium assert tasks' stream: see shared_rng

EXAMPLE = ([[1, 3, 1], [1, 5, 1], [4, 2, 1]],)

VISIBLE = [calls(([[1, 2, 3], [4, 5, 6], [7, 8, 9]],), name="3x3 grid"), calls(([[5]],), name="single cell"),
           calls(([[1, 2, 3]],), ([[1], [2], [3]],), name="single row or column")]

HIDDEN = [calls(([[1, 2, 9], [9, 9, 1], [1, 1, 1]],)), calls(([[1, 1, 9, 9], [2, 9, 9, 9], [2, 2, 2, 1]],)),
          calls(([[0, -5], [-1, -10]],)), calls(([[1, 100], [2, 1]],)),
          calls(([[r.randint(-9, 9) for _ in range(30)] for _ in range(30)],)),
          calls(([[3, 1, 1], [1, 9, 1], [1, 1, 1]],)), calls(([[10**9] * 4 for _ in range(4)],)),
          calls(([[1, 2], [1, 50], [1, 50], [90, 1]],)), calls(([[0, 0, 0]],))]
