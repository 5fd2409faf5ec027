t = int(input())
for _ in range(t):
    unit, value = input().split()
    value = int(value)
    if unit == "C":
        print(f"{value * 9 / 5 + 32:.1f}")
    else:
        print(f"{(value - 32) * 5 // 9:.1f}")
