"""Test inputs of builtin/knapsack-01; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(404)  # the hard call tasks' stream: see shared_rng

EXAMPLE = ([1, 3, 4, 5], [1, 4, 5, 7], 7)

VISIBLE = [call([1, 3, 4, 5], [1, 4, 5, 7], 7, name="mixed items"), call([5], [10], 4, name="item too heavy"),
           call([], [], 10, name="no items")]

HIDDEN = [call([1], [10], 5), call([2, 3], [3, 5], 10), call([3, 4, 5], [30, 50, 60], 8), call([1, 1, 1], [5, 5, 5], 0),
          call([r.randint(1, 60) for _ in range(120)], [r.randint(0, 500) for _ in range(120)], 1500),
          call([4, 2], [5, 3], 6), call([10, 20, 30], [60, 100, 120], 50), call([1, 2], [1, 10], 4), call([7], [0], 100)]
