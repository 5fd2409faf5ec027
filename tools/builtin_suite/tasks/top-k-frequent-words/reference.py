from collections import Counter


class Solution:
    def topKFrequent(self, words, k):
        counts = Counter(words)
        return sorted(counts, key=lambda w: (-counts[w], w))[:k]
