"""The ``codegym`` command line: ``codegym <command> --help`` for each command.

Built-in commands live in :mod:`codegym.commands`; other packages add theirs through the ``codegym.commands``
entry-point group (``agents`` adds ``train`` and ``bench``), discovered with :mod:`importlib.metadata`, so the CLI
never imports a higher layer by name.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint, entry_points

from codegym.commands import COMMAND_GROUP, OPTIONAL_COMMANDS, SUBCOMMAND_MODULES
from codegym.errors import CodegymError


def plugin_commands() -> list[EntryPoint]:
    """The installed entry points of :data:`~codegym.commands.COMMAND_GROUP`."""
    return list(entry_points(group=COMMAND_GROUP))


def build_parser(plugins: Iterable[EntryPoint] | None = None) -> argparse.ArgumentParser:
    """The CLI's parser: built-in commands, then ``plugins`` (default: :func:`plugin_commands`), then a stub for
    each optional command no plugin provides, which says which extra to install."""
    parser = argparse.ArgumentParser(prog="codegym", description="Code generation as RL environments.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    registered = set()
    for name in SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"codegym.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"codegym.commands.{name}":
                continue  # command not built in this installation
            raise
        module.register(sub)
        registered.add(name)
    for entry in sorted(plugin_commands() if plugins is None else plugins, key=lambda e: e.name):
        if entry.name in registered:
            continue
        try:
            register = entry.load()
        except ImportError as exc:
            _unavailable(sub, entry.name, f"its package failed to import ({exc})")
        else:
            register(sub)
        registered.add(entry.name)
    for name in OPTIONAL_COMMANDS:
        if name not in registered:
            _unavailable(sub, name, "it is not installed")
    return parser


def _unavailable(sub: argparse._SubParsersAction, name: str, why: str) -> None:
    """A command that cannot run here: listed in ``--help``; running it says what to install."""
    extra, summary = OPTIONAL_COMMANDS.get(name, ("", f"the {name} command"))
    install = f"pip install 'codegym[{extra}]'" if extra else "reinstall the package that provides it"
    message = f"codegym {name} is unavailable: {why}; {install}"
    # no option prefix: every argument after the command is taken as is, so the message, not argparse, answers
    p = sub.add_parser(name, help=f"{summary} (needs: {install})", description=message, add_help=False,
                       prefix_chars="\0")
    p.add_argument("rest", nargs="*")

    def run(args: argparse.Namespace) -> int:
        raise CodegymError(message)

    p.set_defaults(func=run)


def main(argv: Sequence[str] | None = None, plugins: Iterable[EntryPoint] | None = None) -> int:
    parser = build_parser(plugins)
    args = parser.parse_args(argv)
    if args.version:
        from codegym import __version__

        print(__version__)
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CodegymError as exc:
        print(f"codegym {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"codegym {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
