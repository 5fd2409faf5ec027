import sys
from collections import deque

MOD = 1_000_000_007
data = sys.stdin.read().split()
n, m = int(data[0]), int(data[1])
graph = [[] for _ in range(n + 1)]
for i in range(m):
    u, v = int(data[2 + 2 * i]), int(data[3 + 2 * i])
    graph[u].append(v)
    graph[v].append(u)
dist = [-1] * (n + 1)
ways = [0] * (n + 1)
dist[1], ways[1] = 0, 1
queue = deque([1])
while queue:
    u = queue.popleft()
    for v in graph[u]:
        if dist[v] == -1:
            dist[v] = dist[u] + 1
            ways[v] = ways[u]
            queue.append(v)
        elif dist[v] == dist[u] + 1:
            ways[v] = (ways[v] + ways[u]) % MOD
print(ways[n] % MOD)
