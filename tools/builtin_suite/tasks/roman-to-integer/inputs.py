"""Test inputs of builtin/roman-to-integer; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ("MCMXCIV",)

VISIBLE = [call("III", name="additive"), call("IX", name="subtractive pair"), call("MDCLXVI", name="every symbol")]

HIDDEN = [call("MCMXCIV"), call("XL"), call("XC"), call("CD"), call("CM"), call("MMMCMXCIX"), call("I"),
          call("LVIII"), call("MMXXIV"), call("CDXLIV")]
