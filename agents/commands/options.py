"""Command-line options generated from the config dataclasses (:mod:`agents.config`), in the manner of
Hugging Face's ``HfArgumentParser``: one option per field, its type, choices and help text read from the field.

Every generated option defaults to ``None`` ("not given"), so a command can tell the user's settings from the
dataclass defaults (``codegym train`` applies its tiny-model presets only to settings the user left alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import types
import typing
from collections.abc import Sequence
from typing import Any, Literal, Union, get_args, get_origin

from agents.config import ALGORITHMS, cli_fields


def option_strings(f: dataclasses.Field) -> list[str]:
    """``--flag`` (when the field names one) and ``--field-name``."""
    names = [f"--{f.metadata['flag']}"] if f.metadata.get("flag") else []
    canonical = "--" + f.name.replace("_", "-")
    return names + ([canonical] if canonical not in names else [])


def _unwrap_optional(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _json_list(text: str) -> Any:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not JSON ({exc}); e.g. '[[0, 512], [100, 1024]]'") from exc
    if not isinstance(value, list):
        raise argparse.ArgumentTypeError("expected a JSON list, e.g. '[[0, 512], [100, 1024]]'")
    return value


def _kwargs_for(annotation: Any, f: dataclasses.Field) -> dict[str, Any]:
    """argparse keywords for a field of type ``annotation``."""
    annotation = _unwrap_optional(annotation)
    choices = f.metadata.get("choices")
    if annotation is bool:
        return {"action": argparse.BooleanOptionalAction}
    if get_origin(annotation) is Literal:
        return {"choices": [str(a) for a in get_args(annotation)]}
    if get_origin(annotation) is tuple:
        args = get_args(annotation)
        if args == (str, Ellipsis):
            return {"action": "append", "metavar": "TEXT"}
        return {"type": _json_list, "metavar": "JSON"}
    metavar = f.name.upper()
    if annotation in (int, float):
        return {"type": annotation, "metavar": metavar}
    if choices:
        return {"type": str, "choices": list(choices)}
    return {"type": str, "metavar": metavar}


def _help(text: str) -> str:
    return text.replace("%", "%%")  # argparse formats help with %


def add_config_options(parser: Any, cls: type, *, skip: Sequence[str] = (), dest_prefix: str = "") -> list[str]:
    """Add an option for every command-line field of the dataclass ``cls``; returns the field names added.
    Each option's help ends with the field's default."""
    hints = typing.get_type_hints(cls)
    added = []
    for f in cli_fields(cls):
        if f.name in skip:
            continue
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
        text = f.metadata["help"]
        if "(default" not in text:  # a help text that explains its default says it better
            shown = "off" if default is None else json.dumps(default) if isinstance(default, tuple) else default
            text += f" (default: {shown})"
        parser.add_argument(*option_strings(f), dest=dest_prefix + f.name, default=None, help=_help(text),
                            **_kwargs_for(hints[f.name], f))
        added.append(f.name)
    return added


def add_algorithm_options(parser: Any, dest_prefix: str = "algo__") -> list[str]:
    """An option for every field of every algorithm config (:data:`agents.config.ALGORITHMS`); the help lists
    each algorithm's default and its source, and which algorithms have the setting."""
    fields: dict[str, list[tuple[str, dataclasses.Field, Any]]] = {}
    for name, cls in ALGORITHMS.items():
        hints = typing.get_type_hints(cls)
        for f in cli_fields(cls):
            fields.setdefault(f.name, []).append((name, f, hints[f.name]))
    for field_name, owners in fields.items():
        _, first, annotation = owners[0]
        defaults = []
        for algo, f, _ in owners:
            value = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            shown = json.dumps(value) if isinstance(value, tuple) else value
            defaults.append((algo, shown, f.metadata.get("source")))
        if len({(d, s) for _, d, s in defaults}) == 1:
            text = f"default {defaults[0][1]} ({defaults[0][2]})"
        else:
            text = "defaults: " + "; ".join(f"{algo} {d} ({s})" for algo, d, s in defaults)
        if len(owners) < len(ALGORITHMS):
            text += "; only " + ", ".join(algo for algo, _, _ in owners)
        parser.add_argument(*option_strings(first), dest=dest_prefix + field_name, default=None,
                            help=_help(f"{first.metadata['help']}. {text}"), **_kwargs_for(annotation, first))
    return list(fields)


def given(args: argparse.Namespace, names: Sequence[str], dest_prefix: str = "") -> dict[str, Any]:
    """The settings among ``names`` the user gave on the command line."""
    out = {}
    for name in names:
        value = getattr(args, dest_prefix + name)
        if value is not None:
            out[name] = tuple(value) if isinstance(value, list) and name == "stop" else value
    return out
