"""Test inputs of builtin/count-islands; expected values come from reference.py."""

from tools.builtin_suite.cases import calls, shared_rng

r = shared_rng(202)  # the medium assert tasks' stream: see shared_rng

EXAMPLE = (["11000", "11000", "00100", "00011"],)

VISIBLE = [calls((["11000", "11000", "00001", "01001"],), name="separate blocks"), calls((["000", "000"],), name="all water"),
           calls(([],), name="empty grid")]

HIDDEN = [calls((["10", "01"],)), calls((["101", "010", "101"],)), calls((["1"],)), calls((["111", "101", "111"],)),
          calls((["".join(r.choice("0011") for _ in range(40)) for _ in range(40)],)),
          calls((["1" * 60] * 60,)), calls((["10" * 20, "01" * 20] * 10,)), calls((["0110", "1001", "0110"],)),
          calls((["0"],))]
