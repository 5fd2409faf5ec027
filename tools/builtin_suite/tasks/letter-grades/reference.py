n = int(input())
for _ in range(n):
    score = int(input())
    for cutoff, letter in ((90, "A"), (80, "B"), (70, "C"), (60, "D")):
        if score >= cutoff:
            print(letter)
            break
    else:
        print("F")
