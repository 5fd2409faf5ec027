import sys

data = sys.stdin.read().split()
n = int(data[0])
jobs = sorted(((int(data[2 + 2 * i]), int(data[1 + 2 * i])) for i in range(n)), reverse=True)
used = set()
total = 0
for profit, deadline in jobs:
    if deadline not in used:
        used.add(deadline)
        total += profit
print(total)
