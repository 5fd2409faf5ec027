import sys

data = sys.stdin.read().split()
n = int(data[0])
intervals = sorted((int(data[1 + 2 * i]), int(data[2 + 2 * i])) for i in range(n))
total = 0
cur_l = cur_r = None
for l, r in intervals:
    if cur_r is None or l > cur_r:
        if cur_r is not None:
            total += cur_r - cur_l
        cur_l, cur_r = l, r
    else:
        cur_r = max(cur_r, r)
if cur_r is not None:
    total += cur_r - cur_l
print(total)
