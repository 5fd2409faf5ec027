import sys

def main():
    data = sys.stdin.read().split()
    n = int(data[0])
    jobs = sorted(((int(data[2 + 2 * i]), int(data[1 + 2 * i])) for i in range(n)), reverse=True)
    limit = max((d for _, d in jobs), default=0)
    free = list(range(limit + 1))

    def latest_free(slot):
        root = slot
        while free[root] != root:
            root = free[root]
        while free[slot] != root:
            free[slot], slot = root, free[slot]
        return root

    total = 0
    for profit, deadline in jobs:
        slot = latest_free(deadline)
        if slot > 0:
            total += profit
            free[slot] = slot - 1
    print(total)

main()
