"""codegym: code generation as reinforcement-learning environments."""

from __future__ import annotations

__version__ = "0.1.0"

# Register every env id (gymnasium.make("CodeGen-v0") and "codegym/CodeGen-v0", gymnasium.make_vec, PettingZoo's
# registry). Idempotent and cheap: entry points are strings, so no env module, task source or executor is loaded here.
from codegym.envs.registration import register_envs as _register_envs  # noqa: E402

_register_envs()
