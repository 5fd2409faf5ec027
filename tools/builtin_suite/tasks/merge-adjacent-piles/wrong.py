n = int(input())
piles = list(map(int, input().split()))[:n]
total = 0
while len(piles) > 1:
    i = min(range(len(piles) - 1), key=lambda k: piles[k] + piles[k + 1])
    merged = piles[i] + piles[i + 1]
    total += merged
    piles[i:i + 2] = [merged]
print(total)
