t = int(input())
for _ in range(t):
    n = int(input())
    steps = 0
    while n >= 10:
        product = 1
        for digit in str(n):
            product *= int(digit)
        n = product
        steps += 1
    print(steps)
