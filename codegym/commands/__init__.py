"""Subcommands of the ``codegym`` CLI, one module each.

Each module defines ``register(subparsers)`` that adds its parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code.
"""

SUBCOMMAND_MODULES = ("evaluate", "envs", "train", "bench", "prm", "sandbox", "export")
