"""Setup code that benchmark solutions silently rely on.

LeetCode solutions are written against the judge's implicit environment: ``List``/``Optional`` without an
import, ``Counter``/``deque``/``heappush``/``bisect_left``/``inf`` as bare names, and the ``ListNode``/``TreeNode``
classes. LeetCodeDataset (Xia et al., 2025, arXiv:2504.14655) -- the source of rLLM/DeepCoder's LeetCode split --
makes that explicit with a fixed preamble of imports, ``inf``, the two node classes and the helpers its tests call
(``list_node``, ``tree_node``, ``is_same_list``, ``is_same_tree``). rLLM's LeetCode harness
(``rllm/rewards/code_utils/utils.py``: ``BASE_IMPORTS + BASE_LEETCODE_IMPORTS``, prepended to the solution by
``firejail_exec.code_exec_firejail``) binds, besides the standard-library names, ``deepcopy``/``copy``,
``np``/``pd`` (numpy, pandas), ``time`` (the function), ``io``/``os``/``sys``, ``commonprefix``, ``re_search``,
``randrange``/``shuffle``, and ``Counter``/``OrderedDict``/``deque``/``defaultdict`` from :mod:`collections`.
:data:`LEETCODE_PREAMBLE` provides every name rLLM's does (and more, from its star imports), with ``np`` and ``pd``
as lazy module proxies: see :class:`_LazyModule` in the preamble text.

LiveCodeBench (Jain et al., 2024) and APPS (Hendrycks et al., 2021) likewise prepend a block of standard-library
imports to call-based solutions; :data:`COMPETITIVE_PREAMBLE` provides those names and raises the recursion limit
as LiveCodeBench's harness does, because recursive DFS solutions are common and correct there.
"""

from __future__ import annotations

_STAR_IMPORTS = """\
import bisect
import collections
import datetime
import functools
import heapq
import itertools
import math
import operator
import random
import re
import string
import sys
from bisect import *
from collections import *
from functools import *
from heapq import *
from itertools import *
from math import *
from operator import *
from string import *
from typing import *

# ``from math import *`` replaced the builtin three-argument ``pow(base, exp, mod)`` with ``math.pow``; the
# judges these solutions were written for have the builtin, so restore it.
pow = __import__("builtins").pow
"""

LEETCODE_PREAMBLE = _STAR_IMPORTS + '''
import copy
import io
import os
from collections import ChainMap, Counter, OrderedDict, defaultdict, deque
from copy import deepcopy
from os.path import commonprefix
from random import randrange, shuffle
from re import search as re_search
from time import time

# ``from typing import *`` above rebound Counter/OrderedDict/ChainMap to typing's generic aliases; rLLM's preamble
# ends with ``from collections import deque, defaultdict, Counter, OrderedDict``, so solutions see the classes
# (``type(c) is Counter`` holds there). The collections import just above restores them.

inf = float("inf")


class _LazyModule(type(sys)):
    """``np``/``pd`` as rLLM's preamble binds them (``import numpy as np``, ``import pandas as pd``), imported on
    first use. Importing numpy costs about 75 ms and pandas about 300 ms (``python -X importtime``) against a
    few ms for a whole LeetCode test, and almost no solution uses them; so the module is imported on the first
    attribute access, after which this proxy carries the module's attributes and the name in the program's
    globals is rebound to the module itself."""

    def __init__(self, module_name, bound_name, namespace):
        super().__init__(module_name)
        self.__dict__["_lazy_target"] = (bound_name, namespace)

    def _lazy_load(self):
        bound_name, namespace = self.__dict__["_lazy_target"]
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as rLLM's harness runs it
        module = __import__("importlib").import_module(self.__name__)
        self.__dict__.update(module.__dict__)
        if namespace.get(bound_name) is self:
            namespace[bound_name] = module
        return module

    def __getattr__(self, attr):
        return getattr(self._lazy_load(), attr)

    def __dir__(self):
        return dir(self._lazy_load())


np = _LazyModule("numpy", "np", globals())
pd = _LazyModule("pandas", "pd", globals())


class ListNode:
    """LeetCode's singly linked list node."""

    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next


class TreeNode:
    """LeetCode's binary tree node."""

    def __init__(self, val=0, left=None, right=None):
        self.val = val
        self.left = left
        self.right = right


def list_node(values):
    """Build a linked list from a Python list; ``None`` for an empty list."""
    head = None
    for value in reversed(list(values)):
        head = ListNode(value, head)
    return head


def is_same_list(first, second):
    """True when two linked lists hold the same values in the same order."""
    while first is not None and second is not None:
        if first.val != second.val:
            return False
        first, second = first.next, second.next
    return first is None and second is None


def tree_node(values):
    """Build a binary tree from LeetCode's level-order list, where ``None`` marks a missing child."""
    values = list(values)
    if not values or values[0] is None:
        return None
    root = TreeNode(values[0])
    frontier = deque([root])
    position = 1
    while frontier and position < len(values):
        node = frontier.popleft()
        if position < len(values) and values[position] is not None:
            node.left = TreeNode(values[position])
            frontier.append(node.left)
        position += 1
        if position < len(values) and values[position] is not None:
            node.right = TreeNode(values[position])
            frontier.append(node.right)
        position += 1
    return root


def is_same_tree(first, second):
    """True when two binary trees have the same shape and values (iterative: deep trees are common)."""
    pending = [(first, second)]
    while pending:
        a, b = pending.pop()
        if a is None and b is None:
            continue
        if a is None or b is None or a.val != b.val:
            return False
        pending.append((a.left, b.left))
        pending.append((a.right, b.right))
    return True
'''

COMPETITIVE_PREAMBLE = _STAR_IMPORTS + """
sys.setrecursionlimit(50000)
"""
