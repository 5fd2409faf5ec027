"""Test inputs of builtin/matrix-product; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng

EXAMPLE = "2 2\n1 2\n3 4\n2 2\n5 6\n7 8\n"

VISIBLE = [io("2 2\n1 2\n3 4\n2 2\n5 6\n7 8\n", name="2x2 times 2x2"), io("1 1\n-3\n1 1\n4\n", name="1x1 with a negative"),
           io("3 3\n1 0 0\n0 1 0\n0 0 1\n3 3\n9 8 7\n6 5 4\n3 2 1\n", name="identity")]

HIDDEN = [io("2 3\n1 2 3\n4 5 6\n3 2\n7 8\n9 10\n11 12\n"), io("1 3\n1 2 3\n3 1\n4\n5\n6\n"),
          io("3 1\n1\n2\n3\n1 3\n4 5 6\n"), io("2 2\n1000000000 1000000000\n-1000000000 1\n2 2\n1000000000 0\n0 1000000000\n"),
          io("1 2\n0 0\n2 4\n1 2 3 4\n5 6 7 8\n"),
          io("20 30\n" + "".join(" ".join(str(r.randint(-50, 50)) for _ in range(30)) + "\n" for _ in range(20))
             + "30 25\n" + "".join(" ".join(str(r.randint(-50, 50)) for _ in range(25)) + "\n" for _ in range(30))),
          io("2 2\n1 1\n1 1\n2 3\n1 2 3\n4 5 6\n"), io("3 2\n1 2\n3 4\n5 6\n2 2\n1 0\n0 1\n"),
          io("1 1\n0\n1 1\n0\n")]
