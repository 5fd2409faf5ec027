"""Test inputs of builtin/count-inversions; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(404)  # the hard call tasks' stream: see shared_rng

EXAMPLE = ([3, 1, 2, 5, 4],)

VISIBLE = [call([3, 1, 2, 5, 4], name="a few inversions"), call([1, 2, 3], name="sorted"), call([], name="empty")]

HIDDEN = [call([2, 2]), call([3, 3, 1, 1]), call([5, 4, 3, 2, 1]), call(list(range(6000, 0, -1))),
          call([r.randint(0, 100) for _ in range(8000)]), call([7]), call([1, 1, 1, 1]),
          call([-1, -1, -2, 0, -2]), call([r.randint(-10**9, 10**9) for _ in range(3000)]),
          call([r.randint(0, 10**6) for _ in range(20000)])]
