from collections import Counter


class Solution:
    def topKFrequent(self, words, k):
        return [w for w, _ in Counter(words).most_common(k)]
