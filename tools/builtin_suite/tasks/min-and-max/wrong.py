n = int(input())
values = list(map(int, input().split()))[:n]
lo, hi = values[0], 0
for v in values:
    lo = min(lo, v)
    hi = max(hi, v)
print(lo, hi)
