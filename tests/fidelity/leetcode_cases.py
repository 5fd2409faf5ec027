"""LeetCode cases, judged by rLLM's LeetCode harness (its import preamble + solution + ``check(candidate)``).

``leetcode/<n>`` is record ``n`` of ``shared/datasets/rllm-leetcode-test.json.gz``; ``leetcode/fidelity-*`` are the
records of ``leetcode_extra.json`` (same format), written for the linked-list and tree cases the test split lacks.
Solutions use ``List``, ``ListNode``, ``np``, ``deepcopy``... without importing them, as rLLM's preamble allows.
"""

from __future__ import annotations

from .case import Case, program


def _case(case_id: str, task: int | str, code: str, passes: bool, reason: str) -> Case:
    return Case(case_id, "leetcode", f"leetcode/{task}", program(code), passes, reason)


REVERSE = "fidelity-reverse-list"
INVERT = "fidelity-invert-tree"

CASES: list[Case] = [
    # -- 0 minOperations(nums, k) -> int ---------------------------------------------------------------------
    _case("lc000-np-int64", 0, """
        class Solution:
            def minOperations(self, nums: List[int], k: int) -> int:
                seen = set()
                for ops, x in enumerate(np.array(nums)[::-1], 1):
                    if x <= k:
                        seen.add(int(x))
                    if len(seen) == k:
                        return np.int64(ops)
        """, True, "np without an import (rLLM's preamble binds it) and an np.int64 answer: passes"),
    _case("lc000-float", 0, """
        class Solution:
            def minOperations(self, nums: List[int], k: int) -> int:
                needed = set(range(1, k + 1))
                for i in range(len(nums) - 1, -1, -1):
                    needed.discard(nums[i])
                    if not needed:
                        return float(len(nums) - i)
        """, True, "returns 4.0 where the check says == 4: passes"),
    _case("lc000-dataclass", 0, """
        from dataclasses import dataclass, field

        @dataclass
        class Collector:
            k: int
            seen: set = field(default_factory=set)

            def add(self, x: int) -> bool:
                if x <= self.k:
                    self.seen.add(x)
                return len(self.seen) == self.k

        class Solution:
            def minOperations(self, nums: List[int], k: int) -> int:
                collector = Collector(k)
                for ops, x in enumerate(reversed(nums), 1):
                    if collector.add(x):
                        return ops
        """, True, "a @dataclass helper next to the Solution class: passes"),
    _case("lc000-off-by-one", 0, """
        class Solution:
            def minOperations(self, nums: List[int], k: int) -> int:
                needed = set(range(1, k + 1))
                for i in range(len(nums) - 1, -1, -1):
                    needed.discard(nums[i])
                    if not needed:
                        return len(nums) - i - 1
        """, False, "one operation short: fails"),
    _case("lc000-str-number-wrong", 0, """
        class Solution:
            def minOperations(self, nums: List[int], k: int) -> int:
                needed = set(range(1, k + 1))
                for i in range(len(nums) - 1, -1, -1):
                    needed.discard(nums[i])
                    if not needed:
                        return str(len(nums) - i)
        """, False, "'4' == 4 is False: fails (a comparison of printed forms would accept it)"),
    # -- 78 maxFrequencyElements(nums) -> int -----------------------------------------------------------------
    _case("lc078-pandas", 78, """
        class Solution:
            def maxFrequencyElements(self, nums: List[int]) -> int:
                counts = pd.Series(nums).value_counts()
                return counts[counts == counts.max()].sum()
        """, True, "pd without an import (rLLM binds it) and an np.int64 answer: passes"),
    _case("lc078-np-unique", 78, """
        class Solution:
            def maxFrequencyElements(self, nums: List[int]) -> int:
                _, counts = np.unique(nums, return_counts=True)
                return counts[counts == counts.max()].sum()
        """, True, "np.unique counts, np.int64 answer: passes"),
    # -- 120 modifiedMatrix(matrix) -> List[List[int]] -----------------------------------------------------------
    _case("lc120-deepcopy", 120, """
        class Solution:
            def modifiedMatrix(self, matrix: List[List[int]]) -> List[List[int]]:
                out = deepcopy(matrix)
                for j in range(len(out[0])):
                    top = max(row[j] for row in matrix)
                    for row in out:
                        if row[j] == -1:
                            row[j] = top
                return out
        """, True, "deepcopy without an import (rLLM binds it): passes"),
    _case("lc120-np-rows", 120, """
        class Solution:
            def modifiedMatrix(self, matrix: List[List[int]]) -> List[List[int]]:
                grid = np.array(matrix)
                grid = np.where(grid == -1, grid.max(axis=0), grid)
                return [list(row) for row in grid]
        """, True, "a list of lists of np.int64 == the list of lists of ints: passes"),
    _case("lc120-ndarray-wrong", 120, """
        class Solution:
            def modifiedMatrix(self, matrix: List[List[int]]) -> List[List[int]]:
                grid = np.array(matrix)
                return np.where(grid == -1, grid.max(axis=0), grid)
        """, False, "ndarray == list of lists has no single truth value: ValueError, fails"),
    _case("lc120-tuple-rows-wrong", 120, """
        class Solution:
            def modifiedMatrix(self, matrix: List[List[int]]) -> List[List[int]]:
                tops = [max(col) for col in zip(*matrix)]
                return [tuple(tops[j] if v == -1 else v for j, v in enumerate(row)) for row in matrix]
        """, False, "a list of tuples == a list of lists is False: fails"),
    # -- 69 findMissingAndRepeatedValues(grid) -> List[int] ------------------------------------------------------
    _case("lc069-tuple-wrong", 69, """
        class Solution:
            def findMissingAndRepeatedValues(self, grid: List[List[int]]) -> List[int]:
                n = len(grid)
                counts = Counter(v for row in grid for v in row)
                repeated = next(v for v, c in counts.items() if c == 2)
                missing = next(v for v in range(1, n * n + 1) if v not in counts)
                return (repeated, missing)
        """, False, "(2, 4) == [2, 4] is False: fails"),
    _case("lc069-counter-list", 69, """
        class Solution:
            def findMissingAndRepeatedValues(self, grid: List[List[int]]) -> List[int]:
                n = len(grid)
                counts = Counter(v for row in grid for v in row)
                repeated = next(v for v, c in counts.items() if c == 2)
                missing = next(v for v in range(1, n * n + 1) if v not in counts)
                return [repeated, missing]
        """, True, "Counter from the preamble, a plain list answer: passes"),
    # -- 30 findIndices(nums, indexDifference, valueDifference) -> List[int] ------------------------------------
    _case("lc030-list-subclass", 30, """
        class Pair(list):
            pass

        class Solution:
            def findIndices(self, nums: List[int], indexDifference: int, valueDifference: int) -> List[int]:
                for i in range(len(nums)):
                    for j in range(i, len(nums)):
                        if j - i >= indexDifference and abs(nums[i] - nums[j]) >= valueDifference:
                            return Pair([i, j])
                return Pair([-1, -1])
        """, True, "a list subclass == list: passes"),
    _case("lc030-map-wrong", 30, """
        class Solution:
            def findIndices(self, nums: List[int], indexDifference: int, valueDifference: int) -> List[int]:
                for i in range(len(nums)):
                    for j in range(i, len(nums)):
                        if j - i >= indexDifference and abs(nums[i] - nums[j]) >= valueDifference:
                            return map(int, (i, j))
                return map(int, (-1, -1))
        """, False, "a map object == [0, 3] is False (the check applies no list()): fails"),
    # -- 60 areSimilar(mat, k) -> bool --------------------------------------------------------------------
    _case("lc060-int-bool", 60, """
        class Solution:
            def areSimilar(self, mat: List[List[int]], k: int) -> bool:
                n = len(mat[0])
                shift = k % n
                return int(all(row[shift:] + row[:shift] == row for row in mat))
        """, True, "returns 1/0 where the check says == True / == False: equal in Python, passes"),
    _case("lc060-str-wrong", 60, """
        class Solution:
            def areSimilar(self, mat: List[List[int]], k: int) -> bool:
                n = len(mat[0])
                shift = k % n
                return str(all(row[shift:] + row[:shift] == row for row in mat)).lower()
        """, False, "'true' == True is False: fails"),
    # -- 81 hasTrailingZeros(nums) -> bool ----------------------------------------------------------------
    _case("lc081-re-search", 81, """
        class Solution:
            def hasTrailingZeros(self, nums: List[int]) -> bool:
                return sum(1 for x in nums if re_search(r'0$', bin(x))) >= 2
        """, True, "re_search without an import (rLLM binds re.search under that name): passes"),
    _case("lc081-np-bool", 81, """
        class Solution:
            def hasTrailingZeros(self, nums: List[int]) -> bool:
                return np.count_nonzero(np.array(nums) % 2 == 0) >= 2
        """, True, "np.bool_ == True / == False behaves as bool: passes"),
    # -- 3 maximumOddBinaryNumber(s) -> str ------------------------------------------------------------------
    _case("lc003-str-subclass", 3, """
        class Binary(str):
            pass

        class Solution:
            def maximumOddBinaryNumber(self, s: str) -> str:
                ones = s.count('1')
                return Binary('1' * (ones - 1) + '0' * (len(s) - ones) + '1')
        """, True, "a str subclass == str: passes"),
    _case("lc003-print-heavy", 3, """
        class Solution:
            def maximumOddBinaryNumber(self, s: str) -> str:
                print('0' * 700000)
                ones = s.count('1')
                return '1' * (ones - 1) + '0' * (len(s) - ones) + '1'
        """, True, "prints 1.4 MB over its two calls; rLLM only captures output: passes"),
    # -- 174 compressedString(word) -> str -----------------------------------------------------------------
    _case("lc174-io-stringio", 174, """
        class Solution:
            def compressedString(self, word: str) -> str:
                out = io.StringIO()
                for ch, group in groupby(word):
                    k = len(list(group))
                    while k:
                        out.write(f"{min(9, k)}{ch}")
                        k -= min(9, k)
                return out.getvalue()
        """, True, "io and groupby without imports (rLLM binds both): passes"),
    # -- 119 longestCommonPrefix(arr1, arr2) -> int ------------------------------------------------------------
    _case("lc119-commonprefix", 119, """
        class Solution:
            def longestCommonPrefix(self, arr1: List[int], arr2: List[int]) -> int:
                return max((len(commonprefix([str(a), str(b)])) for a in arr1 for b in arr2), default=0)
        """, True, "os.path.commonprefix as the bare name rLLM binds: passes"),
    # -- 115 isPossibleToSplit(nums) -> bool -------------------------------------------------------------------
    _case("lc115-shuffle-time-copy", 115, """
        class Solution:
            def isPossibleToSplit(self, nums: List[int]) -> bool:
                started = time()
                pool = copy.copy(nums)
                shuffle(pool)
                answer = max(Counter(pool).values()) < 3
                assert time() >= started
                return answer
        """, True, "time(), shuffle and copy without imports (rLLM binds all three): passes"),
    # -- linked list (leetcode_extra.json): 700 nodes compared by is_same_list ---------------------------------
    _case("lc-reverse-list-relink", REVERSE, """
        class Solution:
            def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:
                nodes = []
                while head:
                    nodes.append(head)
                    head = head.next
                if not nodes:
                    return None
                for a, b in zip(nodes[:0:-1], nodes[-2::-1]):
                    a.next = b
                nodes[0].next = None
                return nodes[-1]
        """, True, "returns the relinked 700-node list; is_same_list compares it: passes"),
    _case("lc-reverse-list-new-nodes", REVERSE, """
        class Solution:
            def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:
                out = None
                while head:
                    out = ListNode(head.val, out)
                    head = head.next
                return out
        """, True, "builds a new 700-node list with the preamble's ListNode: passes"),
    _case("lc-reverse-list-recursive", REVERSE, """
        class Solution:
            def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:
                if head is None or head.next is None:
                    return head
                new_head = self.reverseList(head.next)
                head.next.next = head
                head.next = None
                return new_head
        """, True, "recursion 700 deep stays under Python's default limit of 1000: passes"),
    _case("lc-reverse-list-own-node", REVERSE, """
        from dataclasses import dataclass
        from typing import Optional as Opt

        @dataclass(eq=False)
        class Node:
            val: int
            next: "Opt[Node]" = None

        class Solution:
            def reverseList(self, head):
                out = None
                while head:
                    out = Node(head.val, out)
                    head = head.next
                return out
        """, True, "its own @dataclass node class; is_same_list only reads .val/.next: passes"),
    _case("lc-reverse-list-drop-last-wrong", REVERSE, """
        class Solution:
            def reverseList(self, head: Optional[ListNode]) -> Optional[ListNode]:
                prev = None
                while head and head.next:
                    head.next, prev, head = prev, head, head.next
                return prev
        """, False, "drops the last node: fails"),
    # -- binary tree (leetcode_extra.json) ---------------------------------------------------------------------
    _case("lc-invert-tree-own-node", INVERT, """
        from dataclasses import dataclass
        from typing import Any

        @dataclass
        class Node:
            val: Any
            left: Any = None
            right: Any = None

        class Solution:
            def invertTree(self, root):
                if root is None:
                    return None
                return Node(root.val, self.invertTree(root.right), self.invertTree(root.left))
        """, True, "returns its own @dataclass nodes; is_same_tree only reads .val/.left/.right: passes"),
    _case("lc-invert-tree-deque", INVERT, """
        class Solution:
            def invertTree(self, root: Optional[TreeNode]) -> Optional[TreeNode]:
                queue = deque([root] if root else [])
                while queue:
                    node = queue.popleft()
                    node.left, node.right = node.right, node.left
                    queue.extend(child for child in (node.left, node.right) if child)
                return root
        """, True, "deque without an import, iterative: passes"),
    _case("lc-invert-tree-shallow-wrong", INVERT, """
        class Solution:
            def invertTree(self, root: Optional[TreeNode]) -> Optional[TreeNode]:
                if root:
                    root.left, root.right = root.right, root.left
                return root
        """, False, "swaps only the root's children: fails"),
]
