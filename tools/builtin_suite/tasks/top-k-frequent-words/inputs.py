"""Test inputs of builtin/top-k-frequent-words; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = (["b", "a", "b", "c", "a", "b"], 2)

VISIBLE = [call(["x", "y", "x", "z", "x", "y"], 2, name="distinct frequencies"), call(["a", "b"], 5, name="k larger than vocabulary"),
           call([], 3, name="no words")]

HIDDEN = [call(["b", "a"], 1), call(["pear", "apple", "pear", "apple", "fig"], 2), call(["z", "y", "x"], 3),
          call(["c", "b", "a", "c", "b", "a", "d"], 2), call([f"w{i % 37}" for i in range(1000)], 10),
          call(["one"], 0), call(["é", "e", "é", "e"], 1), call(["b", "b", "a", "a", "c"], 1), call(["B", "a", "B", "a"], 1)]
