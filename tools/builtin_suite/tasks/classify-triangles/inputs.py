"""Test inputs of builtin/classify-triangles; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "3\n2 2 2\n3 4 5\n1 2 3\n"

VISIBLE = [io("1\n3 3 3\n", name="equilateral"), io("2\n3 4 5\n5 5 8\n", name="scalene and isosceles"),
           io("1\n0 4 4\n", name="non-positive side")]

HIDDEN = [io("1\n1 2 3\n"), io("2\n5 1 4\n2 2 4\n"), io("1\n-3 4 5\n"), io("1\n1000000000 1000000000 1000000000\n"),
          io("3\n1 1 2\n1 1 1\n2 3 4\n"), io("1\n10 3 3\n"), io("2\n7 7 1\n1 7 7\n"),
          io("1\n999999999 1 1000000000\n"), io("1\n0 0 0\n")]
