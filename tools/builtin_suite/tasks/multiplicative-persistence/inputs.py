"""Test inputs of builtin/multiplicative-persistence; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "2\n39\n7\n"

VISIBLE = [io("1\n39\n", name="three steps"), io("1\n7\n", name="single digit"), io("1\n999\n", name="repeated digits")]

HIDDEN = [io("3\n39\n999\n7\n"), io("1\n0\n"), io("1\n10\n"), io("1\n25\n"), io("1\n277777788888899\n"),
          io("2\n77\n679\n"), io("1\n" + "9" * 49 + "\n"), io("4\n4\n40\n400\n68889\n"), io("1\n3778888999\n")]
