import heapq


class Solution:
    def minMeetingRooms(self, meetings):
        ends = []
        for start, end in sorted(meetings):
            if ends and ends[0] <= start:
                heapq.heapreplace(ends, end)
            else:
                heapq.heappush(ends, end)
        return len(ends)
