"""Test inputs of builtin/grid-shortest-path; expected values come from reference.py."""

import random

from tools.builtin_suite.cases import io, shared_rng

r = shared_rng(303)  # the medium stdio tasks' stream: see shared_rng


def _maze(r: random.Random, rows: int, cols: int, wall: float) -> str:
    cells = [["#" if r.random() < wall else "." for _ in range(cols)] for _ in range(rows)]
    cells[0][0], cells[rows - 1][cols - 1] = "S", "E"
    return f"{rows} {cols}\n" + "".join("".join(row) + "\n" for row in cells)


EXAMPLE = "3 4\nS..#\n.#..\n...E\n"

VISIBLE = [io("1 3\nS.E\n", name="straight corridor"), io("3 4\nS..#\n.#..\n...E\n", name="detour around walls"),
           io("2 2\nSE\n..\n", name="adjacent exit")]

HIDDEN = [io("1 3\nS#E\n"), io("3 3\nS#.\n##.\n..E\n"), io("1 2\nES\n"), io(_maze(r, 60, 80, 0.25)),
          io(_maze(r, 190, 190, 0.1)), io("3 3\n...\n.S.\n..E\n"), io("4 4\nS...\n###.\nE...\n####\n"),
          io("2 3\nS.#\n##E\n"), io("5 5\nS#...\n.#.#.\n.#.#.\n.#.#.\n...#E\n")]
