"""Test inputs of builtin/longest-strictly-increasing-subsequence; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(404)  # the hard call tasks' stream: see shared_rng

EXAMPLE = ([10, 9, 2, 5, 3, 7, 101, 18],)

VISIBLE = [call([10, 9, 2, 5, 3, 7, 101, 18], name="mixed values"), call([], name="empty"),
           call([5, 4, 3, 2, 1], name="decreasing")]

HIDDEN = [call([7, 7, 7, 7]), call([1, 2, 2, 3]), call([0, 1, 0, 3, 2, 3]), call([-5, -5, -4, -4, -3]),
          call([r.randint(0, 50) for _ in range(5000)]), call(list(range(5000))), call([2]),
          call([3, 1, 2, 1, 2, 3]), call([r.randint(-10**9, 10**9) for _ in range(3000)]),
          call([r.randint(0, 10**6) for _ in range(20000)])]
