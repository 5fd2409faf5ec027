q = int(input())
balance = 0
for _ in range(q):
    parts = input().split()
    if parts[0] == "deposit":
        balance += int(parts[1])
    elif parts[0] == "withdraw":
        amount = int(parts[1])
        if amount <= balance:
            balance -= amount
        else:
            print("insufficient funds")
    else:
        print(balance)
