t = int(input())
for _ in range(t):
    line = input().strip()
    out = []
    for i in range(0, len(line), 2):
        out.append(line[i] * int(line[i + 1]))
    print("".join(out))
