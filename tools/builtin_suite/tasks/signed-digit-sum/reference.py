def signed_digit_sum(n):
    total = sum(int(d) for d in str(abs(n)))
    return -total if n < 0 else total
