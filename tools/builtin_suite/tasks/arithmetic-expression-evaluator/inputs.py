"""Test inputs of builtin/arithmetic-expression-evaluator; expected values come from reference.py."""

from tools.builtin_suite.cases import calls

EXAMPLE = ("2 * (3 + 4) - -6 / 4",)

VISIBLE = [calls(("1 + 2 - 3",), name="addition and subtraction"), calls(("2 + 3 * 4",), name="precedence"),
           calls(("(2 + 3) * 4",), name="parentheses"), calls(("7 / 2",), name="integer division")]

HIDDEN = [calls(("-(2 + 3) * 2",)), calls(("--4",)), calls(("3 * -2",)), calls(("-7 / 2",)), calls(("+5 - +5",)),
          calls(("((((1))))",)), calls(("100 - 10 - 1",)), calls(("8 / 2 / 2",)),
          calls((" 12*( 3 -  -2 ) / -5 + 1 ",)), calls(("2*" * 60 + "1",)), calls(("-(-(-(1)))",))]
