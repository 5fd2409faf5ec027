"""Test inputs of builtin/meeting-rooms; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(404)  # the hard call tasks' stream: see shared_rng

EXAMPLE = ([[0, 30], [5, 10], [15, 20]],)

VISIBLE = [call([[0, 30], [5, 10], [15, 20]], name="overlapping meetings"), call([[7, 10], [2, 4]], name="separate meetings"),
           call([], name="no meetings")]

HIDDEN = [call([[1, 5], [5, 10]]), call([[1, 5], [5, 10], [10, 15]]), call([[0, 1]] * 4), call([[1, 3], [2, 4], [3, 5], [4, 6]]),
          call([[s, s + r.randint(1, 50)] for s in (r.randint(0, 1000) for _ in range(2000))]),
          call([[0, 10], [10, 20], [5, 15]]), call([[-10, -5], [-5, 0], [-7, -6]]),
          call([[i, i + 1] for i in range(1000)]), call([[1, 100], [2, 3], [3, 4], [4, 5]])]
