"""Subcommands of the ``codegym`` CLI, one module each.

Each module defines ``register(subparsers)`` that adds its parser and sets ``func`` to a callable taking the parsed
arguments and returning an exit code.

Other packages add commands through the ``codegym.commands`` entry-point group (:data:`COMMAND_GROUP`): each entry
point names a ``register`` function, e.g. ``train = "agents.commands.train:register"`` in ``pyproject.toml``.
codegym never imports them by name; :data:`OPTIONAL_COMMANDS` only says which extra provides a command, so
``codegym --help`` lists it and running it without that extra says what to install.
"""

SUBCOMMAND_MODULES = ("evaluate", "envs", "prm", "sandbox", "export")

#: Entry-point group of commands that other packages add to the ``codegym`` CLI.
COMMAND_GROUP = "codegym.commands"

#: Commands the optional extras add: name -> (extra, one-line help).
OPTIONAL_COMMANDS: dict[str, tuple[str, str]] = {
    "train": ("agents", "train an LLM policy with GRPO+/GRPO/PPO on a codegym env"),
    "bench": ("agents", "benchmark an agent (model, endpoint or callable) on env ids"),
}
