"""Line-level AST mutation operators for making process-reward training data (PRLCoder-style).

Each operator changes one expression or statement that sits on a single line and rewrites only that line's text,
so every other line (comments, docstrings, formatting) stays byte-for-byte the same and line numbers keep their
meaning. Built-in operators: ``flip_comparison`` (``<`` -> ``>=``, ``==`` -> ``!=`` ...), ``off_by_one``
(integer constants +1 / -1), ``swap_operator`` (``+`` <-> ``-``, ``*`` <-> ``//``, ``and`` <-> ``or`` ...),
``change_return`` (``return x`` -> ``return None`` or ``return not (x)``), ``delete_statement`` (replaced with
``pass``). A *teacher* callable (e.g. an LLM) may propose replacement lines too.
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from codegym.parsing import parse_python
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.placement import source_lines

#: ``(program, line) -> replacement texts for that line`` (without indentation; it is kept from the original)
Teacher = Callable[[str, int], Sequence[str]]

OPERATORS = ("flip_comparison", "off_by_one", "swap_operator", "change_return", "delete_statement")

_FLIP_COMPARE: dict[type, type] = {ast.Lt: ast.GtE, ast.GtE: ast.Lt, ast.Gt: ast.LtE, ast.LtE: ast.Gt,
                                   ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In,
                                   ast.Is: ast.IsNot, ast.IsNot: ast.Is}
_SWAP_BINOP: dict[type, type] = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv,
                                 ast.FloorDiv: ast.Mult, ast.Div: ast.Mult, ast.Mod: ast.FloorDiv,
                                 ast.Pow: ast.Mult, ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
                                 ast.LShift: ast.RShift, ast.RShift: ast.LShift, ast.BitXor: ast.BitOr}
_SWAP_BOOLOP: dict[type, type] = {ast.And: ast.Or, ast.Or: ast.And}
_DELETABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr, ast.Return, ast.Break, ast.Continue,
              ast.Raise, ast.Assert, ast.Delete)


@dataclass(frozen=True)
class Mutant:
    """A program that differs from the original on exactly one line."""

    program: str
    line: int  # 1-based line that changed
    operator: str
    description: str


def _replace_segment(line_text: str, col: int, end_col: int, new: str) -> str:
    raw = line_text.encode("utf-8")  # ast offsets are UTF-8 byte offsets
    return (raw[:col] + new.encode("utf-8") + raw[end_col:]).decode("utf-8")


def _inside_fstring(tree: ast.AST) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            ids.update(id(n) for n in ast.walk(node))
    return ids


def _expression_edits(node: ast.AST) -> Iterator[tuple[str, ast.AST, str]]:
    """(operator, mutated copy, description) for one expression node."""
    if isinstance(node, ast.Compare) and type(node.ops[0]) in _FLIP_COMPARE:
        new = copy.deepcopy(node)
        new.ops[0] = _FLIP_COMPARE[type(node.ops[0])]()
        yield "flip_comparison", new, f"{type(node.ops[0]).__name__} -> {type(new.ops[0]).__name__}"
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        for delta in (1, -1):
            new = copy.deepcopy(node)
            new.value = node.value + delta
            yield "off_by_one", new, f"{node.value} -> {node.value + delta}"
    elif isinstance(node, ast.BinOp) and type(node.op) in _SWAP_BINOP:
        new = copy.deepcopy(node)
        new.op = _SWAP_BINOP[type(node.op)]()
        yield "swap_operator", new, f"{type(node.op).__name__} -> {type(new.op).__name__}"
    elif isinstance(node, ast.BoolOp) and type(node.op) in _SWAP_BOOLOP:
        new = copy.deepcopy(node)
        new.op = _SWAP_BOOLOP[type(node.op)]()
        yield "swap_operator", new, f"{type(node.op).__name__} -> {type(new.op).__name__}"


def _bare_or_parenthesised(lines: list[str], line: int, body: str, newline: str, node: ast.expr,
                           new_src: str) -> str:
    """The new line body with the mutated expression written bare when that parses to the same tree as the
    parenthesised form, so mutants do not carry tell-tale extra parentheses a PRM could learn instead of
    correctness."""
    col, end = node.col_offset, node.end_col_offset or 0
    wrapped = _replace_segment(body, col, end, f"({new_src})")
    bare = _replace_segment(body, col, end, new_src)
    if bare == wrapped:
        return bare

    def tree(line_body: str) -> str | None:
        text = "".join(lines[: line - 1]) + line_body + newline + "".join(lines[line:])
        try:
            return ast.dump(parse_python(text))
        except (SyntaxError, ValueError):
            return None

    bare_tree = tree(bare)
    return bare if bare_tree is not None and bare_tree == tree(wrapped) else wrapped


def line_mutants(program: str, line: int, operators: Sequence[str] = OPERATORS,
                 teacher: Teacher | None = None, tree: ast.Module | None = None) -> list[Mutant]:
    """Every distinct, parsable single-line mutant of ``program`` at ``line`` (1-based)."""
    lines = source_lines(program, keepends=True)
    if not 1 <= line <= len(lines):
        return []
    tree = tree or parse_python(program)
    text = lines[line - 1]
    body, newline = (text[:-1], "\n") if text.endswith("\n") else (text, "")
    indent = body[: len(body) - len(body.lstrip())]
    skip = _inside_fstring(tree)
    out: list[tuple[str, str, str]] = []  # (operator, new line body, description)

    statements = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and n.lineno == line]
    single_stmt = len([s for s in statements if s.end_lineno == line]) == 1 and len(statements) == 1
    for node in ast.walk(tree):
        if id(node) in skip or not isinstance(node, ast.expr):
            continue
        if getattr(node, "lineno", None) != line or node.end_lineno != line:
            continue
        for op, new, desc in _expression_edits(node):
            if op in operators:
                out.append((op, _bare_or_parenthesised(lines, line, body, newline, node, ast.unparse(new)), desc))
    if single_stmt:
        stmt = statements[0]
        if "change_return" in operators and isinstance(stmt, ast.Return) and stmt.value is not None:
            value = stmt.value
            boolish = isinstance(value, (ast.Compare, ast.BoolOp)) or (
                isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not)) or (
                isinstance(value, ast.Constant) and isinstance(value.value, bool))
            new_value = f"not ({ast.unparse(value)})" if boolish else "None"
            out.append(("change_return", f"{indent}return {new_value}", f"return -> return {new_value}"))
        docstring = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        if "delete_statement" in operators and isinstance(stmt, _DELETABLE) and not docstring:
            out.append(("delete_statement", f"{indent}pass", "statement -> pass"))
    if teacher is not None:
        for proposal in teacher(program, line):
            out.append(("teacher", indent + str(proposal).strip("\n").lstrip(), "teacher edit"))

    mutants, seen = [], {body}
    for op, new_body, desc in out:
        if new_body in seen:
            continue
        seen.add(new_body)
        candidate = "".join(lines[: line - 1]) + new_body + newline + "".join(lines[line:])
        try:
            parse_python(candidate)
        except (SyntaxError, ValueError):
            continue
        mutants.append(Mutant(candidate, line, op, f"line {line}: {desc}"))
    return mutants


def program_mutants(program: str, operators: Sequence[str] = OPERATORS, teacher: Teacher | None = None,
                    lines: Sequence[int] | None = None) -> list[Mutant]:
    """Mutants of every line of ``program`` (or of ``lines``); an unparsable program has none."""
    try:
        tree = parse_python(program)
    except (SyntaxError, ValueError):
        return []
    unknown = set(operators) - set(OPERATORS)
    if unknown:
        raise RewardConfigError(f"unknown mutation operators {sorted(unknown)}; choose from {', '.join(OPERATORS)}")
    targets = lines if lines is not None else range(1, len(source_lines(program)) + 1)
    out: list[Mutant] = []
    for line in targets:
        out.extend(line_mutants(program, line, operators, teacher, tree))
    return out
