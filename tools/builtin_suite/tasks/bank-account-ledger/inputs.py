"""Test inputs of builtin/bank-account-ledger; expected values come from reference.py."""

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng

EXAMPLE = "4\ndeposit 50\nwithdraw 80\nwithdraw 20\nbalance\n"

VISIBLE = [io("3\ndeposit 100\nwithdraw 30\nbalance\n", name="deposit and withdraw"), io("2\nwithdraw 5\nbalance\n", name="overdraft refused"),
           io("1\nbalance\n", name="initial balance")]

HIDDEN = [io("3\ndeposit 40\nwithdraw 40\nbalance\n"), io("4\ndeposit 10\nwithdraw 11\nwithdraw 10\nbalance\n"),
          io("2\ndeposit 999999999999\nbalance\n"), io("3\nwithdraw 1\nwithdraw 1\nbalance\n"),
          io("2001\n" + "".join(f"{'deposit' if i % 3 else 'withdraw'} {r.randint(1, 100)}\n" for i in range(2000)) + "balance\n"),
          io("5\ndeposit 5\nbalance\nwithdraw 5\nbalance\nwithdraw 5\n"), io("2\ndeposit 1\nwithdraw 1\n"),
          io("3\ndeposit 7\ndeposit 3\nwithdraw 10\n"), io("1\nwithdraw 3\n")]
