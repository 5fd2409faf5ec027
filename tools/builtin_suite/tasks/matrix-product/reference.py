import sys

data = iter(sys.stdin.read().split())
n, m = int(next(data)), int(next(data))
a = [[int(next(data)) for _ in range(m)] for _ in range(n)]
m2, p = int(next(data)), int(next(data))
b = [[int(next(data)) for _ in range(p)] for _ in range(m2)]
for row in a:
    print(" ".join(str(sum(row[k] * b[k][j] for k in range(m))) for j in range(p)))
