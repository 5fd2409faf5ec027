def fizzbuzz_rules(n, rules):
    out = []
    for i in range(1, n + 1):
        for divisor, word in rules:
            if i % divisor == 0:
                out.append(word)
                break
        else:
            out.append(str(i))
    return out
