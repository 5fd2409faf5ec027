n = int(input())
values = list(map(int, input().split()))[:n]
print(min(values), max(values))
