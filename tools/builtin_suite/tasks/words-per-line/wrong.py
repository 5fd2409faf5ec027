import sys

for line in sys.stdin.read().splitlines():
    if line.strip():
        print(len(line.split()))
