"""Test inputs of builtin/union-find-queries; expected values come from reference.py."""

import random

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(606)  # the hard stdio tasks' stream: see shared_rng


def _dsu_ops(r: random.Random, n: int, q: int) -> str:
    lines = [f"{n} {q}"]
    for _ in range(q):
        op = "union" if r.random() < 0.5 else "query"
        lines.append(f"{op} {r.randint(1, n)} {r.randint(1, n)}")
    return "\n".join(lines) + "\n"


EXAMPLE = "4 4\nunion 1 2\nquery 1 2\nquery 2 3\nunion 3 4\n"

VISIBLE = [io("2 2\nunion 1 2\nquery 1 2\n", name="one union"), io("3 1\nquery 1 3\n", name="no unions"),
           io("4 3\nunion 1 2\nunion 3 4\nquery 2 3\n", name="two separate groups")]

HIDDEN = [io("3 3\nunion 1 2\nunion 1 3\nquery 2 3\n"), io("4 4\nunion 1 2\nunion 2 3\nunion 1 4\nquery 3 4\n"),
          io("1 2\nunion 1 1\nquery 1 1\n"), io("5 4\nunion 1 2\nunion 1 2\nunion 2 1\nquery 1 2\n"),
          io(_dsu_ops(r, 50, 200)), io(_dsu_ops(r, 2000, 2400)), io("3 2\nunion 1 2\nunion 3 1\n"),
          io("6 6\nunion 1 2\nunion 3 4\nunion 5 6\nunion 1 3\nunion 1 5\nquery 6 2\n"), io("100000 1\nquery 1 100000\n")]
