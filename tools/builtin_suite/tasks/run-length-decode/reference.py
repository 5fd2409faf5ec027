import re

t = int(input())
for _ in range(t):
    line = input().strip()
    print("".join(ch * int(count) for ch, count in re.findall(r"([A-Za-z])(\d+)", line)))
