"""Test inputs of builtin/smallest-topological-order; expected values come from reference.py."""

import random

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(505)  # the hard assert tasks' stream: see shared_rng


def _random_dag(r: random.Random, n: int, m: int) -> list[list[int]]:
    order = list(range(n))
    r.shuffle(order)
    edges = []
    for _ in range(m):
        a, b = sorted(r.sample(range(n), 2))
        edges.append([order[a], order[b]])
    return edges


EXAMPLE = (4, [[3, 0], [1, 0]])

VISIBLE = [calls((3, [[0, 1], [1, 2]]), name="chain"), calls((3, [[0, 1], [1, 2], [2, 0]]), name="cycle"),
           calls((3, []), name="no edges")]

HIDDEN = [calls((4, [[3, 0], [1, 0]])), calls((3, [[0, 2], [1, 2], [0, 2]])), calls((2, [[0, 0]])), calls((1, [])),
          calls((5, [[0, 4], [4, 1], [2, 3]])), calls((60, _random_dag(r, 60, 150))), calls((6, [[5, 4], [4, 3], [3, 2], [2, 1], [1, 0]])),
          calls((200, _random_dag(r, 200, 400))), calls((4, [[0, 1], [1, 2], [2, 3], [3, 1]])), calls((3, [[2, 1], [0, 1]]))]
