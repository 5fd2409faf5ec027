def best_line(values):
    take = skip = 0
    for v in values:
        take, skip = skip + v, max(take, skip)
    return max(take, skip)

n = int(input())
a = list(map(int, input().split()))[:n]
if n == 1:
    print(a[0])
else:
    print(max(best_line(a[1:]), best_line(a[:-1])))
