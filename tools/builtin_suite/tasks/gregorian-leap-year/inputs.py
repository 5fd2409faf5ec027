"""Test inputs of builtin/gregorian-leap-year; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = (2024,)

VISIBLE = [call(2024, name="ordinary leap year"), call(2023, name="ordinary common year"),
           call(1900, name="century that is not a leap year")]

HIDDEN = [call(2000), call(1600), call(2100), call(2400), call(4), call(1), call(0), call(-400),
          call(1996), call(10**9)]
