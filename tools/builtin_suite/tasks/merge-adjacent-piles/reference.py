from itertools import accumulate

n = int(input())
a = list(map(int, input().split()))[:n]
prefix = [0] + list(accumulate(a))
cost = [[0] * n for _ in range(n)]
for length in range(2, n + 1):
    for i in range(n - length + 1):
        j = i + length - 1
        cost[i][j] = min(cost[i][k] + cost[k + 1][j] for k in range(i, j)) + prefix[j + 1] - prefix[i]
print(cost[0][n - 1])
