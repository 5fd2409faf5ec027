"""Test inputs of builtin/run-length-decode; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "2\na3b1\nx2y3\n"

VISIBLE = [io("1\na3b1\n", name="single-digit counts"), io("2\nx2y3\nZ1\n", name="several lines"),
           io("1\nq9\n", name="one pair")]

HIDDEN = [io("1\na12\n"), io("1\nb10c2\n"), io("2\nA1B22C3\nz100\n"), io("1\nx20000\n"), io("1\nm1n1o1\n"),
          io("3\na1\nb20\nc300\n"), io("1\nk007\n"), io("1\n" + "".join(f"{'abcde'[i % 5]}{i + 1}" for i in range(30)) + "\n"),
          io("1\nQ11\n")]
