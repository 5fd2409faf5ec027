def best_line(values):
    take = skip = 0
    for v in values:
        take, skip = skip + v, max(take, skip)
    return max(take, skip)

n = int(input())
a = list(map(int, input().split()))[:n]
print(best_line(a))
