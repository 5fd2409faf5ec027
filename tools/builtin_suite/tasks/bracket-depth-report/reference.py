t = int(input())
for _ in range(t):
    line = input()
    depth = best = 0
    ok = True
    for ch in line:
        if ch == "(":
            depth += 1
            best = max(best, depth)
        elif ch == ")":
            depth -= 1
            if depth < 0:
                ok = False
                break
    print(best if ok and depth == 0 else -1)
