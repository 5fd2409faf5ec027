def clamp_values(values, lo, hi):
    return [min(max(v, lo), hi) for v in values]
