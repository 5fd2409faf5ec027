def evaluate(expression):
    tokens = []
    i = 0
    while i < len(expression):
        ch = expression[i]
        if ch.isdigit():
            j = i
            while j < len(expression) and expression[j].isdigit():
                j += 1
            tokens.append(int(expression[i:j]))
            i = j
            continue
        if ch in "+-*/()":
            tokens.append(ch)
        i += 1
    pos = 0

    def peek():
        return tokens[pos] if pos < len(tokens) else None

    def take():
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def expr():
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def term():
        value = atom()
        while peek() in ("*", "/"):
            op = take()
            rhs = atom()
            if op == "*":
                value *= rhs
            else:
                q = abs(value) // abs(rhs)
                value = q if (value >= 0) == (rhs >= 0) else -q
        return value

    def atom():
        tok = take()
        if tok == "(":
            value = expr()
            take()
            return value
        return tok

    return expr()
