"""Test inputs of builtin/dijkstra-distances; expected values come from reference.py."""

import random

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(404)  # the hard call tasks' stream: see shared_rng


def _random_graph(r: random.Random, n: int, m: int, wmax: int) -> list[list[int]]:
    return [[r.randrange(n), r.randrange(n), r.randint(0, wmax)] for _ in range(m)]


EXAMPLE = (4, [[0, 1, 4], [0, 2, 1], [2, 1, 2], [1, 3, 1]], 0)

VISIBLE = [call(3, [[0, 1, 1], [1, 2, 1]], 0, name="unit-weight chain"), call(3, [[0, 1, 5]], 0, name="unreachable node"),
           call(1, [], 0, name="single node")]

HIDDEN = [call(4, [[0, 1, 4], [0, 2, 1], [2, 1, 2], [1, 3, 1]], 0), call(3, [[0, 1, 10], [0, 2, 1], [2, 1, 1]], 0),
          call(3, [[0, 0, 3], [0, 1, 2], [0, 1, 1]], 0), call(4, [[1, 0, 1], [2, 3, 1]], 2),
          call(300, _random_graph(r, 300, 2000, 100), 0), call(5, [[0, 1, 0], [1, 2, 0], [2, 3, 0]], 0),
          call(4, [[0, 1, 1000000000], [0, 2, 1], [2, 3, 1], [3, 1, 1]], 0), call(2, [[1, 0, 1]], 0),
          call(500, _random_graph(r, 500, 2000, 10**6), 17)]
