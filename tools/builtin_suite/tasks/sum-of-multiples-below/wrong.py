def sum_of_multiples(limit, divisors):
    total = 0
    for d in divisors:
        if d > 0:
            total += sum(range(d, limit, d))
    return total
