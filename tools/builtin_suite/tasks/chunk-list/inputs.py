"""Test inputs of builtin/chunk-list; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ([1, 2, 3, 4, 5], 2)

VISIBLE = [calls(([1, 2, 3, 4], 2), name="even split"), calls(([1, 2, 3], 1), name="size one"),
           calls(([], 3), name="empty list")]

HIDDEN = [calls(([1, 2, 3, 4, 5], 2), unmodified=True), calls(([1, 2], 5)), calls((list(range(10)), 3)),
          calls((["a"], 1)), calls((list(range(1001)), 100)), calls(([[1], [2], [3]], 2), unmodified=True),
          calls(([0] * 7, 7)), calls(([0] * 7, 6)), calls(([None, None, None], 2))]
