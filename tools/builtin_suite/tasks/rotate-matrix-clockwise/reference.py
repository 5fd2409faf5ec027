def rotate_clockwise(matrix):
    if not matrix:
        return []
    return [[row[c] for row in reversed(matrix)] for c in range(len(matrix[0]))]
