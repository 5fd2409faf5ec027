"""Test inputs of builtin/largest-histogram-rectangle; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, generated, shared_rng

r = shared_rng(505)  # the hard assert tasks' stream: see shared_rng

EXAMPLE = ([2, 1, 5, 6, 2, 3],)

VISIBLE = [calls(([2, 1, 5, 6, 2, 3],), name="classic example"), calls(([3, 2, 1],), name="decreasing bars"),
           calls(([],), name="no bars")]

HIDDEN = [calls(([1, 2, 3, 4, 5],)), calls(([4],)), calls(([2, 4],)), calls(([0, 0],)), calls(([5, 5, 5, 5],)),
          calls(([r.randint(0, 10**4) for _ in range(6000)],)), calls((list(range(1, 3001)),)),
          calls(([6, 2, 5, 4, 5, 1, 6],)), calls(([1, 0, 1, 0, 7, 7],)),
          generated("[(i * 7919) % 100003 for i in range(50000)]"), generated("[5] * 20000 + list(range(20000))")]
