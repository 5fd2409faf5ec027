"""Test inputs of builtin/min-and-max; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "5\n3 9 -2 7 0\n"

VISIBLE = [io("5\n3 9 -2 7 0\n", name="mixed signs"), io("1\n42\n", name="single value"),
           io("3\n5 5 5\n", name="all equal")]

HIDDEN = [io("3\n-5 -2 -9\n"), io("1\n-1\n"), io("4\n-1000000000000000000 0 1000000000000000000 7\n"),
          io("2\n-3 -3\n"), io(f"2000\n{' '.join(str(-i - 1) for i in range(2000))}\n"),
          io("3\n0 0 0\n"), io("6\n10 -10 20 -20 30 -30\n"), io("2\n-7 -8\n"), io("3\n2 1 3\n")]
