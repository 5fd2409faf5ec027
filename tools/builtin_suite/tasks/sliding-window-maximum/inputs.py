"""Test inputs of builtin/sliding-window-maximum; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(606)  # the hard stdio tasks' stream: see shared_rng

EXAMPLE = "8 3\n1 3 -1 -3 5 3 6 7\n"

VISIBLE = [io("5 2\n1 2 3 4 5\n", name="increasing values"), io("3 3\n4 9 2\n", name="one window"),
           io("4 1\n-4 -3 -2 -1\n", name="window of one")]

HIDDEN = [io("8 3\n1 3 -1 -3 5 3 6 7\n"), io("5 2\n5 4 3 2 1\n"), io("6 3\n9 1 1 1 1 1\n"), io("1 1\n-1000000000\n"),
          io("3500 60\n" + " ".join(str(r.randint(-10**9, 10**9)) for _ in range(3500)) + "\n"),
          io("7 4\n2 2 2 2 2 2 2\n"), io("10 3\n10 9 8 7 6 5 4 3 2 1\n"), io("6 2\n1 -1 1 -1 1 -1\n"),
          io("10000 7\n" + " ".join(str(r.randint(0, 100)) for _ in range(10000)) + "\n")]
