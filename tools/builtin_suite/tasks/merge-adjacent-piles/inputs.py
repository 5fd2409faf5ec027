"""Test inputs of builtin/merge-adjacent-piles; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(606)  # the hard stdio tasks' stream: see shared_rng

EXAMPLE = "4\n4 1 1 4\n"

VISIBLE = [io("3\n1 2 3\n", name="three piles"), io("1\n5\n", name="single pile"), io("4\n1 1 1 1\n", name="equal piles")]

HIDDEN = [io("4\n4 1 1 4\n"), io("6\n3 4 2 2 3 4\n"), io("5\n1 10 1 10 1\n"), io("2\n1000000 1000000\n"),
          io("120\n" + " ".join(str(r.randint(1, 10**6)) for _ in range(120)) + "\n"),
          io("7\n5 2 4 6 1 3 7\n"), io("40\n" + " ".join(str(r.randint(1, 20)) for _ in range(40)) + "\n"),
          io("3\n10 1 10\n"), io("5\n2 3 1 3 2\n")]
