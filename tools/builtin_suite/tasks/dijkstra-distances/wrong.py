import heapq


def shortest_distances(n, edges, source):
    graph = [[] for _ in range(n)]
    for u, v, w in edges:
        graph[u].append((v, w))
    dist = [None] * n
    dist[source] = 0
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        for v, w in graph[u]:
            if dist[v] is None:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return [-1 if d is None else d for d in dist]
