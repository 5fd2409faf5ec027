"""Test inputs of builtin/circular-street-robbery; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(606)  # the hard stdio tasks' stream: see shared_rng

EXAMPLE = "3\n2 3 2\n"

VISIBLE = [io("4\n1 2 3 1\n", name="small circle"), io("1\n7\n", name="single house"), io("5\n0 0 9 0 0\n", name="one rich house")]

HIDDEN = [io("3\n2 3 2\n"), io("3\n5 1 5\n"), io("2\n4 6\n"), io("6\n10 1 1 10 1 10\n"),
          io("3600\n" + " ".join(str(r.randint(0, 10**9)) for _ in range(3600)) + "\n"),
          io("5\n9 1 1 1 9\n"), io("4\n0 0 0 0\n"), io("7\n1000000000 0 1000000000 0 1000000000 0 1000000000\n"),
          io("1\n0\n")]
