"""Checking env arguments: unknown keywords (with the valid ones and the closest match) and value checks.

Every factory of a registered id -- the ``gymnasium.make`` entry points, ``BatchedCodeGenVectorEnv``,
``coder_tester_v0.env`` / ``parallel_env`` -- calls :func:`check_kwargs` before building the env, so a misspelled
keyword is an :class:`~codegym.errors.EnvConfigError` that lists what the env takes instead of Python's bare
``TypeError``. Constructing an env class directly keeps Python's own ``TypeError`` for an unknown keyword.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from codegym.errors import EnvConfigError


def accepted_kwargs(factory: Callable[..., Any]) -> list[str]:
    """The keyword arguments ``factory`` (an env class or function) accepts, in signature order."""
    target = factory.__init__ if inspect.isclass(factory) else factory
    return [name for name, p in inspect.signature(target).parameters.items()
            if name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def check_kwargs(factory: Callable[..., Any], kwargs: Mapping[str, Any], env_id: str,
                 also: Iterable[str] = ()) -> None:
    """Raise :class:`EnvConfigError` when ``kwargs`` holds a keyword ``factory`` does not take (nor ``also``, the
    keywords a wrapper adds, such as a vector env's ``num_envs``): the message lists every valid keyword, the
    closest one, and which other codegym env takes the keyword when one does."""
    valid = [*dict.fromkeys([*accepted_kwargs(factory), *also])]
    unknown = [k for k in kwargs if k not in valid]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, valid, n=1, cutoff=0.6)
        # a near miss of this env's own keyword is the likely mistake; otherwise another env may be the one meant
        notes = [f"did you mean {close[0]!r}?"] if close else _elsewhere(name, env_id)
        hints.append(f"{name!r}" + (f" ({'; '.join(notes)})" if notes else ""))
    plural = "s" if len(unknown) > 1 else ""
    raise EnvConfigError(f"{env_id} got unknown keyword argument{plural} {', '.join(hints)}. "
                         f"{env_id} takes: {', '.join(valid)}")


def _elsewhere(name: str, env_id: str) -> list[str]:
    """Which other registered envs take keyword ``name`` or one close to it, e.g. ``"CodeRefine-v0 takes
    'max_turns'"`` (only computed on the error path)."""
    from codegym.envs.registration import ENVS, NAMESPACE, load_entry_point

    base = env_id.removeprefix(f"{NAMESPACE}/")
    found = []
    for info in ENVS:
        if info.env_id == base:
            continue
        try:
            other = accepted_kwargs(load_entry_point(info.env_class))
        except (ImportError, AttributeError, ValueError, TypeError):  # an optional dependency is missing
            continue
        match = [name] if name in other else difflib.get_close_matches(name, other, n=1, cutoff=0.85)
        if match:
            found.append(f"{info.env_id} takes {match[0]!r}")
    return found


def check_int(name: str, value: Any, minimum: int = 1) -> int:
    """``value`` when it is an int (not a bool) >= ``minimum``, else :class:`EnvConfigError`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise EnvConfigError(f"{name} must be an int >= {minimum}, not {value!r}")
    return value


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> Any:
    """``value`` when it is one of ``choices``, else :class:`EnvConfigError` naming them (and the closest)."""
    if value in choices:
        return value
    close = difflib.get_close_matches(str(value), [str(c) for c in choices], n=1) if isinstance(value, str) else []
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise EnvConfigError(f"{name} must be one of {', '.join(map(str, choices))}, not {value!r}{hint}")


def check_float(name: str, value: Any) -> float:
    """``value`` (any real number, numpy's included) as a finite float, else :class:`EnvConfigError`."""
    import math
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise EnvConfigError(f"{name} must be a finite number, not {value!r}")
    return float(value)
