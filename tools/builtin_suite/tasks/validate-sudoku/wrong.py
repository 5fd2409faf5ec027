def is_valid_sudoku(board):
    for r in range(9):
        digits = [d for d in board[r] if d != "."]
        if len(digits) != len(set(digits)):
            return False
    for c in range(9):
        digits = [board[r][c] for r in range(9) if board[r][c] != "."]
        if len(digits) != len(set(digits)):
            return False
    return True
