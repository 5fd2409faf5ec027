"""Test inputs of builtin/count-vowel-initial-words; expected values come from reference.py."""

from tools.builtin_suite.cases import call

EXAMPLE = ("An owl ate every apple under Ida's tree",)

VISIBLE = [call("apple banana orange", name="lowercase words"), call("", name="empty sentence"),
           call("  eat   it  ", name="extra whitespace")]

HIDDEN = [call("Apple Banana Orange"), call("I am UP"), call("   "), call("\tEcho\nindia  oscar\t"),
          call("2 apples, 3 eggs"), call("'oh' (ah) umbrella"), call("AEIOU aeiou BCD bcd"),
          call(" ".join(["Umbra", "x"] * 500)), call("yes you")]
