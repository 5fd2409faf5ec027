t = int(input())
for _ in range(t):
    line = input()
    depth = best = 0
    for ch in line:
        if ch == "(":
            depth += 1
            best = max(best, depth)
        elif ch == ")":
            depth -= 1
    print(best if depth == 0 else -1)
