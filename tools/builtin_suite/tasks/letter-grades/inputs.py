"""Test inputs of builtin/letter-grades; expected values come from reference.py."""

from tools.builtin_suite.cases import io

EXAMPLE = "3\n95\n72\n40\n"

VISIBLE = [io("3\n95\n85\n75\n", name="top grades"), io("2\n65\n12\n", name="low grades"),
           io("1\n100\n", name="perfect score")]

HIDDEN = [io("1\n90\n"), io("4\n80\n70\n60\n59\n"), io("0\n"), io("1\n0\n"), io("2\n89\n91\n"),
          io("101\n" + "".join(f"{i}\n" for i in range(101))), io("3\n60\n61\n59\n"), io("1\n79\n"),
          io("2\n70\n69\n")]
