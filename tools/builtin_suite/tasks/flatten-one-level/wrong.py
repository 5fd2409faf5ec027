def flatten_once(items):
    out = []
    for item in items:
        if isinstance(item, list):
            out.extend(flatten_once(item))
        else:
            out.append(item)
    return out
