from functools import lru_cache


def segmentations(text, words):
    vocab = set(words)

    @lru_cache(maxsize=None)
    def split(start):
        if start == len(text):
            return ("",)
        out = []
        for end in range(start + 1, len(text) + 1):
            piece = text[start:end]
            if piece in vocab:
                for rest in split(end):
                    out.append(piece if not rest else piece + " " + rest)
        return tuple(out)

    return sorted(split(0))
