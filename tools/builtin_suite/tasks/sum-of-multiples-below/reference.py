def sum_of_multiples(limit, divisors):
    useful = [d for d in divisors if d > 0]
    return sum(n for n in range(1, limit) if any(n % d == 0 for d in useful))
