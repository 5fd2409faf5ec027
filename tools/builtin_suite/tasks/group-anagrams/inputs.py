"""Test inputs of builtin/group-anagrams; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(101)  # the medium call tasks' stream: see shared_rng

EXAMPLE = (["eat", "tea", "tan", "ate", "nat", "bat"],)

VISIBLE = [call(["eat", "tea", "tan", "ate", "nat", "bat"], name="several groups"), call([], name="no words"),
           call(["abc"], name="single word")]

HIDDEN = [call(["aab", "abb", "bab"]), call(["", ""]), call(["ab", "ba", "ab"]), call(["Ab", "bA", "ab"]),
          call(["aabb", "ab", "abab", "bbaa"]), call(["xyz", "zyx", "zzy", "yzz", "xxy"]),
          call(["".join(r.sample("aabbc", 5)) for _ in range(200)]), call(["a", "aa", "aaa"]), call(["é", "e"])]
