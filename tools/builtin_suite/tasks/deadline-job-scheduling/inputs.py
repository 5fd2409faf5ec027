"""Test inputs of builtin/deadline-job-scheduling; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(606)  # the hard stdio tasks' stream: see shared_rng

EXAMPLE = "4\n2 100\n1 19\n2 27\n1 25\n"

VISIBLE = [io("3\n1 10\n2 20\n3 30\n", name="distinct deadlines"), io("2\n1 5\n1 9\n", name="competing for one slot"),
           io("0\n", name="no jobs")]

HIDDEN = [io("4\n2 100\n1 19\n2 27\n1 25\n"), io("3\n3 5\n3 6\n3 7\n"), io("3\n2 1\n2 1\n2 1\n"),
          io("5\n1 1\n5 10\n5 10\n5 10\n5 10\n"),
          io("2600\n" + "".join(f"{r.randint(1, 1000)} {r.randint(1, 10**9)}\n" for _ in range(2600))),
          io("1\n100000 1000000000\n"), io("4\n4 1\n4 1\n4 1\n4 1\n"),
          io("6\n2 50\n2 40\n3 30\n3 20\n1 60\n1 10\n"), io("2\n1 3\n2 3\n")]
