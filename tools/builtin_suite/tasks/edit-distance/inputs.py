"""Test inputs of builtin/edit-distance; expected values come from reference.py."""

from tools.builtin_suite.cases import call, shared_rng

r = shared_rng(404)  # the hard call tasks' stream: see shared_rng

EXAMPLE = ("kitten", "sitting")

VISIBLE = [call("abc", "abcd", name="one insertion"), call("", "abc", name="empty first string"),
           call("same", "same", name="equal strings")]

HIDDEN = [call("kitten", "sitting"), call("abc", "abd"), call("abc", ""), call("", ""), call("flaw", "lawn"),
          call("intention", "execution"), call("".join(r.choice("acgt") for _ in range(300)), "".join(r.choice("acgt") for _ in range(280))),
          call("ümlaut", "umlaut"), call("a" * 200, "b" * 200), call("sunday", "saturday")]
