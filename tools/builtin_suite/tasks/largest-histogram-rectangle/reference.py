def largest_rectangle(heights):
    stack = []
    best = 0
    for i, h in enumerate(list(heights) + [0]):
        start = i
        while stack and stack[-1][1] >= h:
            start, height = stack.pop()
            best = max(best, height * (i - start))
        stack.append((start, h))
    return best
