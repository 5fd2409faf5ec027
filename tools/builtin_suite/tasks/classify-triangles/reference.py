t = int(input())
for _ in range(t):
    a, b, c = sorted(map(int, input().split()))
    if a <= 0 or a + b <= c:
        print("invalid")
    elif a == c:
        print("equilateral")
    elif a == b or b == c:
        print("isosceles")
    else:
        print("scalene")
