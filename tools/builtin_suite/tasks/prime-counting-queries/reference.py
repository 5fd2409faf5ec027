import sys
from itertools import accumulate

data = sys.stdin.read().split()
q = int(data[0])
queries = [int(x) for x in data[1:1 + q]]
limit = max(queries + [2])
sieve = bytearray([1]) * (limit + 1)
sieve[0] = sieve[1] = 0
for i in range(2, int(limit ** 0.5) + 1):
    if sieve[i]:
        sieve[i * i::i] = bytearray(len(range(i * i, limit + 1, i)))
prefix = list(accumulate(sieve))  # prefix[n] = number of primes <= n
print("\n".join(str(prefix[n]) for n in queries))
