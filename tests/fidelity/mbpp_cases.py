"""MBPP cases on the records of ``tests/fixtures/mbpp_sanitized_fidelity.json`` (the real tasks 4 and 17, as in
``mbpp_sanitized_sample.json``, and the records 9001-9016 written in Google's sanitized format for this corpus),
judged by ``exec(test_imports + code + test_list)``."""

from __future__ import annotations

from .case import Case, program


def _case(case_id: str, task: int, code: str, passes: bool, reason: str) -> Case:
    return Case(case_id, "mbpp", f"mbpp/{task}", program(code), passes, reason)


CASES: list[Case] = [
    # -- real records ----------------------------------------------------------------------------------------
    _case("mbpp4-np-ints", 4, """
        import numpy as np
        def heap_queue_largest(nums, n):
            return list(np.sort(np.array(nums))[::-1][:n])
        """, True, "a list of np.int64 == the list of ints: passes"),
    _case("mbpp4-tuple-wrong", 4, """
        import heapq
        def heap_queue_largest(nums, n):
            return tuple(heapq.nlargest(n, nums))
        """, False, "(85, 75, 65) == [85, 75, 65] is False: fails"),
    _case("mbpp17-math-from-test-imports", 17, """
        def square_perimeter(a):
            return math.fsum([a] * 4)
        """, True, "uses math without importing it: test_imports ran `import math` first, passes"),
    # -- iterables where the test applies set()/sorted()/tuple()/list() -----------------------------------------
    _case("mbpp9001-generator", 9001, """
        def shared_elements(tup1, tup2):
            return (x for x in tup1 if x in tup2)
        """, True, "the test compares set(f(...)): a generator passes"),
    _case("mbpp9001-map", 9001, """
        def shared_elements(tup1, tup2):
            return map(int, set(tup1).intersection(tup2))
        """, True, "set(map object): passes"),
    _case("mbpp9001-frozenset", 9001, """
        def shared_elements(tup1, tup2):
            return frozenset(tup1) & frozenset(tup2)
        """, True, "set(frozenset): passes"),
    _case("mbpp9003-set", 9003, """
        def unique_words(text):
            return set(text.split())
        """, True, "the test compares sorted(f(...)): a set passes"),
    _case("mbpp9003-dict-keys", 9003, """
        from collections import Counter
        def unique_words(text):
            return Counter(text.split()).keys()
        """, True, "sorted(dict_keys): passes"),
    _case("mbpp9004-accumulate", 9004, """
        from itertools import accumulate
        def running_total(nums):
            return accumulate(nums)
        """, True, "the test compares tuple(f(...)): an itertools.accumulate object passes"),
    _case("mbpp9004-generator", 9004, """
        def running_total(nums):
            total = 0
            for n in nums:
                total += n
                yield total
        """, True, "the entry point is a generator function; tuple() of its result passes"),
    _case("mbpp9005-range", 9005, """
        def even_numbers(n):
            return range(0, n + 1, 2)
        """, True, "the test compares list(f(...)): a range passes"),
    _case("mbpp9005-off-by-one", 9005, """
        def even_numbers(n):
            return range(0, n, 2)
        """, False, "range(0, n, 2) misses n itself when n is even: fails"),
    # -- re.Match as a truth value ---------------------------------------------------------------------------
    _case("mbpp9002-match-object", 9002, """
        import re
        def text_match_abc(text):
            return re.search(r'ab*c', text)
        """, True, "returns a re.Match or None; the tests only use its truth value: passes"),
    _case("mbpp9002-re-from-test-imports", 9002, """
        def text_match_abc(text):
            return re.search(r'ab*c', text)
        """, True, "uses re without importing it: test_imports holds `import re`, passes"),
    _case("mbpp9002-found-strings-wrong", 9002, """
        import re
        def text_match_abc(text):
            return 'Found a match!' if re.search(r'ab*c', text) else 'Not matched!'
        """, False, "'Not matched!' is a true value, so `assert not f(...)` fails"),
    _case("mbpp9016-match-object", 9016, """
        import re
        def starts_with_digit(text):
            return re.match(r'[0-9]', text)
        """, True, "re.match's Match/None used as a truth value: passes"),
    # -- names from test_imports only ------------------------------------------------------------------------
    _case("mbpp9006-math-from-test-imports", 9006, """
        def circle_area(r):
            return math.pi * r ** 2
        """, True, "math comes only from test_imports, which run before the program: passes"),
    _case("mbpp9006-np-not-provided", 9006, """
        def circle_area(r):
            return np.pi * r ** 2
        """, False, "np is bound by no MBPP import: NameError, fails"),
    # -- int vs float ----------------------------------------------------------------------------------------
    _case("mbpp9007-binet-float-wrong", 9007, """
        import math
        def fibonacci(n):
            phi = (1 + math.sqrt(5)) / 2
            return round(phi ** n / math.sqrt(5))
        """, False, "Binet's formula in floats is off by 8584 at n=90, and Python's == is exact: fails"),
    _case("mbpp9007-float-loop-wrong", 9007, """
        def fibonacci(n):
            a, b = 0.0, 1.0
            for _ in range(n):
                a, b = b, a + b
            return a
        """, False, "float additions give 2880067194370816000.0 != 2880067194370816120: fails"),
    _case("mbpp9008-float-count", 9008, """
        import math
        def count_digits(n):
            return math.log10(n) // 1 + 1
        """, True, "returns 3.0 where the test says == 3: equal in Python, passes"),
    # -- dict and tuple subclasses ---------------------------------------------------------------------------
    _case("mbpp9009-counter", 9009, """
        from collections import Counter
        def char_frequency(text):
            return Counter(text)
        """, True, "Counter == dict: passes"),
    _case("mbpp9009-defaultdict", 9009, """
        from collections import defaultdict
        def char_frequency(text):
            freq = defaultdict(int)
            for ch in text:
                freq[ch] += 1
            return freq
        """, True, "defaultdict == dict: passes"),
    _case("mbpp9009-ordereddict", 9009, """
        from collections import OrderedDict
        def char_frequency(text):
            freq = OrderedDict()
            for ch in sorted(text):
                freq[ch] = freq.get(ch, 0) + 1
            return freq
        """, True, "OrderedDict == dict: passes"),
    _case("mbpp9010-namedtuple", 9010, """
        from collections import namedtuple
        Bounds = namedtuple('Bounds', ['low', 'high'])
        def min_max(nums):
            return Bounds(min(nums), max(nums))
        """, True, "namedtuple == tuple: passes"),
    _case("mbpp9010-list-wrong", 9010, """
        def min_max(nums):
            return [min(nums), max(nums)]
        """, False, "[1, 3] == (1, 3) is False: fails"),
    # -- output ----------------------------------------------------------------------------------------------
    _case("mbpp9011-print-heavy", 9011, """
        def square(n):
            print('#' * 6000)
            return n * n
        """, True, "prints 6000 bytes in each of 201 calls (1.2 MB); the harness discards output: passes"),
    # -- program structure -----------------------------------------------------------------------------------
    _case("mbpp9012-dataclass-future", 9012, """
        from __future__ import annotations
        from dataclasses import dataclass

        @dataclass
        class Rectangle:
            width: int
            height: int

            def area(self) -> int:
                return self.width * self.height

        def rectangle_area(width, height):
            return Rectangle(width, height).area()
        """, True, "from __future__ import annotations (no test_imports in front) and @dataclass: passes"),
    _case("mbpp9012-dataclass", 9012, """
        from dataclasses import dataclass

        @dataclass(order=True)
        class Rectangle:
            width: int
            height: int

        def rectangle_area(width, height):
            r = Rectangle(width, height)
            return r.width * r.height
        """, True, "@dataclass(order=True) helper: passes"),
    _case("mbpp9013-itertools-star", 9013, """
        from itertools import *
        def even_pair_count(nums):
            return sum(1 for a, b in combinations(nums, 2) if (a + b) % 2 == 0)
        """, True, "from itertools import *: passes"),
    _case("mbpp9013-import-math", 9013, """
        import math
        def even_pair_count(nums):
            evens = sum(1 for x in nums if x % 2 == 0)
            return math.comb(evens, 2) + math.comb(len(nums) - evens, 2)
        """, True, "import math, closed form: passes"),
    # -- numeric types ---------------------------------------------------------------------------------------
    _case("mbpp9014-fraction", 9014, """
        from fractions import Fraction
        def average(nums):
            return Fraction(sum(nums), len(nums))
        """, True, "Fraction(5, 2) == 2.5: passes"),
    _case("mbpp9014-decimal", 9014, """
        from decimal import Decimal
        def average(nums):
            return Decimal(sum(nums)) / Decimal(len(nums))
        """, True, "Decimal('2.5') == 2.5: passes"),
    _case("mbpp9014-np-mean", 9014, """
        import numpy as np
        def average(nums):
            return np.mean(nums)
        """, True, "np.float64 == float: passes"),
    _case("mbpp9015-np-elements", 9015, """
        import numpy as np
        def scale_list(nums, k):
            return list(np.array(nums, dtype=np.int64) * k)
        """, True, "a list of np.int64 == list of ints: passes"),
    _case("mbpp9015-generator-wrong", 9015, """
        def scale_list(nums, k):
            return (x * k for x in nums)
        """, False, "a generator == [2, 4, 6] is False (this test applies no list()): fails"),
    _case("mbpp9015-ndarray-wrong", 9015, """
        import numpy as np
        def scale_list(nums, k):
            return np.array(nums) * k
        """, False, "ndarray == list has no single truth value: ValueError, fails"),
]
