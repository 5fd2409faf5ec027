import sys

def main():
    data = sys.stdin.read().split()
    n, q = int(data[0]), int(data[1])
    parent = list(range(n + 1))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    groups = n
    out = []
    pos = 2
    for _ in range(q):
        op, a, b = data[pos], int(data[pos + 1]), int(data[pos + 2])
        pos += 3
        if op == "union":
            if find(a) != find(b):
                parent[a] = b
                groups -= 1
        else:
            out.append("YES" if find(a) == find(b) else "NO")
    out.append(str(groups))
    print("\n".join(out))

main()
