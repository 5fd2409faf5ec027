def min_window(s, t):
    if not t:
        return ""
    need = set(t)
    best = None
    for left in range(len(s)):
        seen = set()
        for right in range(left, len(s)):
            if s[right] in need:
                seen.add(s[right])
            if seen == need:
                if best is None or right - left + 1 < best[1] - best[0]:
                    best = (left, right + 1)
                break
    return "" if best is None else s[best[0]:best[1]]
