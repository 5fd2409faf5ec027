"""Test inputs of builtin/second-largest-distinct; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ([4, 9, 9, 2],)

VISIBLE = [call([3, 1, 2], name="distinct values"), call([5], name="one element"),
           call([-1, -5], name="negative values")]

HIDDEN = [call([5, 5, 3]), call([7, 7]), call([]), call([1, 2, 2]), call([-3, -3, -8, -8]),
          call([10**15, 10**15, -(10**15)]), call([0, 0, 0, 1]), call(list(range(1000)) * 2), call([2, 2, 2])]
