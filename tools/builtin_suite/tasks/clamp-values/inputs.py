"""Test inputs of builtin/clamp-values; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ([-5, 3, 12], 0, 10)

VISIBLE = [call([1, 5, 9], 3, 7, name="values on both sides"), call([], 0, 1, name="empty list"),
           call([4, 4], 4, 4, name="single-point range")]

HIDDEN = [call([1, 5, 9], 7, 3), call([-10, 0, 10], 5, -5), call([], 9, 1), call([2, 3], 3, 2),
          call([-(10**12), 10**12], -1, 1), call(list(range(-20, 21)), 10, -10), call([0], 0, 0),
          call([7, -7, 7], -7, 7), call([100] * 5, 200, 150)]
