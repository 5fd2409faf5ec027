"""Test inputs of builtin/compress-ranges; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(202)  # the medium assert tasks' stream: see shared_rng

EXAMPLE = ([5, 1, 2, 3, 7, 8, 3],)

VISIBLE = [calls(([1, 2, 3, 5, 7, 8],), name="sorted unique"), calls(([9, 4, 5],), name="unsorted"),
           calls(([],), name="empty")]

HIDDEN = [calls(([5, 1, 2, 3, 7, 8, 3],)), calls(([2, 2, 2],)), calls(([-3, -2, -1, 1],)), calls(([0],)),
          calls(([1, 1, 2, 2, 3, 3],)), calls((list(range(-50, 50, 2)) + list(range(-50, 50, 2)),)),
          calls(([10**12, 10**12 + 1, 10**12],)), calls((r.sample(range(-200, 200), 150) * 2,)), calls(([4, 3, 3, 4],))]
