"""The ``codegym`` CLI with the commands ``pyproject.toml`` declares in the ``codegym.commands`` entry-point group.

Entry points are read from installed metadata, which a source checkout only has after ``pip install -e .``; the
tests pass the declared ones explicitly (what an install would register), so they exercise the discovery path
whether or not the checkout was reinstalled since the declaration changed."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def declared_commands() -> list[EntryPoint]:
    """The ``[project.entry-points."codegym.commands"]`` of ``pyproject.toml`` as entry points."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    group = data["project"]["entry-points"]["codegym.commands"]
    return [EntryPoint(name=name, value=value, group="codegym.commands") for name, value in group.items()]


def cli(argv: list[str]) -> int:
    """``codegym ARGV`` with the declared commands."""
    from codegym.cli import main

    return main(argv, plugins=declared_commands())
