"""Test inputs of builtin/prime-counting-queries; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng

EXAMPLE = "3\n10\n2\n1\n"

VISIBLE = [io("1\n10\n", name="small composite bound"), io("2\n100\n1\n", name="several queries"),
           io("1\n0\n", name="zero")]

HIDDEN = [io("1\n2\n"), io("1\n7\n"), io("1\n1000000\n"), io("3\n999983\n999984\n1\n"), io("1\n3\n"),
          io("5\n13\n14\n15\n16\n17\n"), io("2000\n" + "".join(f"{r.randint(0, 1000000)}\n" for _ in range(2000))),
          io("1\n97\n"), io("1\n4\n")]
