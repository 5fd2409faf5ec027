"""Test inputs of builtin/merge-intervals; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(101)  # the medium call tasks' stream: see shared_rng

EXAMPLE = ([[8, 10], [1, 3], [2, 6]],)

VISIBLE = [call([[1, 3], [2, 6], [8, 10]], name="overlapping, sorted"), call([[1, 2], [4, 5]], name="disjoint"),
           call([], name="no intervals")]

HIDDEN = [call([[8, 10], [1, 3], [2, 6]]), call([[1, 3], [3, 5]]), call([[5, 6], [1, 10]]), call([[1, 10], [2, 3]]),
          call([[-5, -1], [-10, -6], [-6, -5]]), call([[4, 4], [4, 4]]), call([[0, 0]]),
          call([[s, s + r.randint(0, 20)] for s in (r.randint(-1000, 1000) for _ in range(300))]),
          call([[3, 4], [1, 2], [5, 6]])]
