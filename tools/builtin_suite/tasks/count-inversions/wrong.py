def count_inversions(nums):
    def sort(lo, hi):
        if hi - lo <= 1:
            return nums[lo:hi], 0
        mid = (lo + hi) // 2
        left, a = sort(lo, mid)
        right, b = sort(mid, hi)
        merged, count, i, j = [], a + b, 0, 0
        while i < len(left) and j < len(right):
            if left[i] < right[j]:
                merged.append(left[i])
                i += 1
            else:
                merged.append(right[j])
                count += len(left) - i
                j += 1
        merged.extend(left[i:])
        merged.extend(right[j:])
        return merged, count

    return sort(0, len(nums))[1]
