from collections import OrderedDict


def simulate_lru(capacity, operations):
    cache = OrderedDict()
    results = []
    for op in operations:
        if op[0] == "get":
            results.append(cache.get(op[1], -1))
        else:
            _, key, value = op
            cache[key] = value
            cache.move_to_end(key)
            if len(cache) > capacity:
                cache.popitem(last=False)
    return results
