"""Test inputs of builtin/temperature-conversion; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "2\nC 100\nF 212\n"

VISIBLE = [io("1\nC 100\n", name="Celsius to Fahrenheit"), io("1\nF 212\n", name="Fahrenheit to Celsius"),
           io("2\nC -40\nF -40\n", name="negative temperatures")]

HIDDEN = [io("1\nF 100\n"), io("3\nC 37\nF 98\nC 0\n"), io("2\nF 0\nF 33\n"), io("1\nC -273\n"),
          io("2\nF 451\nC 451\n"), io("1\nF -459\n"),
          io("50\n" + "".join(f"{'CF'[i % 2]} {i * 7 - 100}\n" for i in range(50))), io("1\nF 50\n"),
          io("1\nC 1\n")]
