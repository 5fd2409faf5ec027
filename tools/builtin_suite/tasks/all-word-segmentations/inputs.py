"""Test inputs of builtin/all-word-segmentations; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ("catsanddog", ["cat", "cats", "and", "sand", "dog"])

VISIBLE = [calls(("catsanddog", ["cat", "cats", "and", "sand", "dog"]), name="two segmentations"),
           calls(("abc", ["ab", "x"]), name="no segmentation"), calls(("", ["a"]), name="empty text")]

HIDDEN = [calls(("aaaa", ["a", "aa"])), calls(("abab", ["ab"])), calls(("pineapplepenapple", ["apple", "pen", "applepen", "pine", "pineapple"])),
          calls(("aaaaaaaaaaaa", ["a", "aa", "aaa"])), calls(("dogdog", ["dog", "dog"])), calls(("x", [])),
          calls(("nownow", ["no", "now", "wn", "w", "o", "n"])), calls(("éé", ["é"])), calls(("abcd", ["a", "abc", "b", "cd", "bcd"]))]
