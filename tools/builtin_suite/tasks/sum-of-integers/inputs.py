"""Test inputs of builtin/sum-of-integers; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "3\n1 2 3\n"

VISIBLE = [io("3\n1 2 3\n", name="one line of numbers"), io("2\n-5 3\n", name="negative numbers"),
           io("1\n9000000000000000000\n", name="large value")]

HIDDEN = [io("3\n1\n2\n3\n"), io("0\n"), io("4\n1 2\n3 4\n"), io("5\n-1 -2 -3 -4 -5\n"),
          io("2\n  9223372036854775807   9223372036854775807\n"),
          io(f"1000\n{' '.join(str(i) for i in range(1000))}\n"),
          io("6\n1 2 3\n\n4 5 6\n"), io("1\n\n\n-7\n"),
          io("4\n" + "\n".join(str(v) for v in [10**18, -(10**18), 5, -5]) + "\n")]
