"""Test inputs of builtin/validate-sudoku; expected values come from reference.py."""

import random

from tools.builtin_suite.cases import calls, rng, shared_rng

r = shared_rng(505)  # the hard assert tasks' stream: see shared_rng


def _box_only_conflict() -> list[str]:
    rows = ["." * 9 for _ in range(9)]
    rows[0] = "5........"
    rows[1] = ".5......."  # same 3x3 box as the first 5, different row and column
    return rows


def _sudoku_board(r: random.Random, holes: int) -> list[str]:
    base = [[(3 * (row % 3) + row // 3 + col) % 9 + 1 for col in range(9)] for row in range(9)]
    digits = list(range(1, 10))
    r.shuffle(digits)
    board = [[str(digits[v - 1]) for v in row] for row in base]
    for _ in range(holes):
        board[r.randrange(9)][r.randrange(9)] = "."
    return ["".join(row) for row in board]


EXAMPLE = (_sudoku_board(rng(1), 40),)

VISIBLE = [calls((_sudoku_board(r, 30),), name="valid board"),
           calls((["55......."] + ["." * 9] * 8,), name="repeat in a row"),
           calls((["5........", "........."] + ["." * 9] * 6 + ["5........"],), name="repeat in a column")]

HIDDEN = [calls((_box_only_conflict(),)), calls((["." * 9] * 9,)), calls((_sudoku_board(r, 0),)),
          calls((["123......", "456......", "789......", "........1"] + ["." * 9] * 5,)),
          calls((["123......", "451......", "789......"] + ["." * 9] * 6,)),
          calls((["........9"] + ["." * 9] * 7 + ["7......9."],)), calls((_sudoku_board(r, 60),)),
          calls((["." * 9] * 4 + ["....3...."] + ["." * 9] * 3 + ["....3...."],)),
          calls((["." * 9] * 6 + ["......1..", "........1"] + ["." * 9],))]
