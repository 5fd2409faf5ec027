t = int(input())
for _ in range(t):
    first, second = input().split()
    h1, m1 = map(int, first.split(":"))
    h2, m2 = map(int, second.split(":"))
    print(((h2 * 60 + m2) - (h1 * 60 + m1)) % 1440)
