def clamp_values(values, lo, hi):
    if lo > hi:
        lo, hi = hi, lo
    return [min(max(v, lo), hi) for v in values]
