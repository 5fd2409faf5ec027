def letter_histogram(text):
    counts = {}
    for ch in text:
        if ch.isalpha():
            key = ch.lower()
            counts[key] = counts.get(key, 0) + 1
    return counts
