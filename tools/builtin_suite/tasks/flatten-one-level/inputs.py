"""Test inputs of builtin/flatten-one-level; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ([1, [2, 3], [[4]], "ab"],)

VISIBLE = [calls(([[1, 2], [3]],), name="list of lists"), calls(([1, [2, 3], 4],), name="mixed elements"),
           calls(([],), name="empty list", unmodified=True)]

HIDDEN = [calls(([[1, [2]], 3],), unmodified=True), calls(([[[1]], [[2, 3]]],)), calls(([[], [[]], []],)),
          calls((["ab", ["cd"], [["ef"]]],)), calls(([None, [None], [[None]]],)),
          calls(([list(range(50)), [list(range(3))]],), unmodified=True), calls(([[1], 2, [3, [4, [5]]]],)),
          calls(([(1, 2), [3]],)), calls(([[True, False], [[0]]],))]
