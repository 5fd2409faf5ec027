"""Test inputs of builtin/covered-length; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng

EXAMPLE = "3\n1 4\n2 6\n8 9\n"

VISIBLE = [io("2\n1 3\n5 8\n", name="disjoint"), io("0\n", name="no intervals"), io("1\n-5 5\n", name="negative start")]

HIDDEN = [io("3\n1 4\n2 6\n8 9\n"), io("2\n0 10\n2 3\n"), io("2\n0 5\n5 10\n"), io("3\n4 4\n4 4\n1 2\n"),
          io("2\n-1000000000 1000000000\n-1000000000 1000000000\n"),
          io("2200\n" + "".join(f"{a} {a + r.randint(0, 500)}\n" for a in (r.randint(-10**6, 10**6) for _ in range(2200)))),
          io("3\n10 20\n0 15\n18 30\n"), io("2\n5 7\n1 3\n"), io("4\n1 2\n2 3\n3 4\n1 4\n")]
