"""Test inputs of builtin/alnum-palindrome; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ("No 'x' in Nixon",)

VISIBLE = [calls(("racecar",), name="plain palindrome"), calls(("abca",), name="not a palindrome"),
           calls(("a,b; a",), name="punctuation is ignored")]

HIDDEN = [calls(("Aa",)), calls(("Was it a car or a cat I saw?",)), calls(("",)), calls(("!!",)),
          calls(("12321",)), calls(("1a2",)), calls(("Ésé",)), calls(("ab" * 400 + "BA" * 400,)),
          calls(("Noon.",)), calls(("race a car",))]
