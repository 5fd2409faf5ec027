"""Test inputs of builtin/integer-to-base; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = (-255, 16)

VISIBLE = [call(10, 2, name="binary"), call(255, 16, name="hexadecimal letters"), call(-8, 8, name="negative number")]

HIDDEN = [call(0, 2), call(0, 36), call(35, 36), call(-(2**64), 16), call(1, 2), call(36**5, 36), call(-1, 3),
          call(123456789, 7), call(10**30, 36)]
