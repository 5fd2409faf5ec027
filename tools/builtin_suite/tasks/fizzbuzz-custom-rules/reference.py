def fizzbuzz_rules(n, rules):
    out = []
    for i in range(1, n + 1):
        words = "".join(word for divisor, word in rules if i % divisor == 0)
        out.append(words or str(i))
    return out
