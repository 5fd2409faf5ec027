"""Test inputs of builtin/signed-digit-sum; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = (-4071,)

VISIBLE = [call(1234, name="positive number"), call(7, name="single digit"), call(0, name="zero")]

HIDDEN = [call(-1234), call(-7), call(-10**18), call(10**18 + 9), call(999999999999), call(-90909),
          call(5), call(-1), call(int("9" * 60))]
