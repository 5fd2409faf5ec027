def segmentations(text, words):
    results = []

    def split(start, remaining, pieces):
        if start == len(text):
            results.append(" ".join(pieces))
            return
        for word in sorted(remaining):
            if text.startswith(word, start):
                split(start + len(word), remaining - {word}, pieces + [word])

    split(0, frozenset(words), [])
    return sorted(set(results))
