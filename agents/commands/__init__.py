"""``codegym train`` and ``codegym bench``: commands the agents package adds to the ``codegym`` CLI.

codegym never imports agents (agents sit on top of it); the commands reach the CLI through the
``codegym.commands`` entry-point group declared in ``pyproject.toml``, which :mod:`codegym.cli` discovers. Each
module's ``register(subparsers)`` imports neither torch nor transformers, so ``codegym --help`` stays fast and
works without the ``agents`` extra; running a command without it says which extra to install.
"""
