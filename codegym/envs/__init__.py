"""codegym's environments.

======================  ==========  ==================================================================
id                      API         module
======================  ==========  ==================================================================
``CodeGen-v0``          Gymnasium   :mod:`codegym.envs.codegen` (single turn)
``CodeRefine-v0``       Gymnasium   :mod:`codegym.envs.refine` (multi-turn refinement)
``CodeGenTokens-v0``    Gymnasium   :mod:`codegym.envs.tokens` (token-level, for SB3)
``CoderTester-v0``      PettingZoo  :mod:`codegym.envs.coder_tester_v0` (AEC and parallel)
======================  ==========  ==================================================================

``import codegym`` registers every id (``gymnasium.make("CodeGen-v0")``,
``pettingzoo.make("aec", "codegym/CoderTester-v0")``, ``codegym.envs.make_multiagent("CoderTester-v0")``); the
Gymnasium ids also under codegym's namespace (``gymnasium.make("codegym/CodeGen-v0")``).
``gymnasium.make_vec(id, num_envs=N)`` works in every vectorization mode: ``CodeGen-v0``'s vector entry point is
:class:`~codegym.envs.vector.BatchedCodeGenVectorEnv`, and ``"sync"``/``"async"`` give gymnasium's own vector envs
(``docs/vector_envs.md``). Env classes are imported lazily from this package, so importing it costs nothing until
an env is used.

Modules: :mod:`~codegym.envs.base` (``CodeEnv``: task pool, executor, reward, limits, rendering) and
:mod:`~codegym.envs.text_env` (``TextCodeEnv``: the text envs' one step path) under :mod:`~codegym.envs.codegen`
and :mod:`~codegym.envs.refine`; :mod:`~codegym.envs.tokens` (grammar, vocabulary, env);
:mod:`~codegym.envs.coder_tester` (env and game) with :mod:`~codegym.envs.coder_tester_v0`; the shared pieces by
concern: :mod:`~codegym.envs.text`, :mod:`~codegym.envs.taskpool`, :mod:`~codegym.envs.executor`,
:mod:`~codegym.envs.scoring`, :mod:`~codegym.envs.split`, :mod:`~codegym.envs.pending`,
:mod:`~codegym.envs.feedback`, :mod:`~codegym.envs.info`, :mod:`~codegym.envs.config`. Errors are in
:mod:`codegym.errors` (``EnvConfigError``, ``EnvStateError``, ``ActionError``, ``MissingActionError``).
"""

from __future__ import annotations

import importlib
from typing import Any

from codegym.envs.registration import ENVS, NAMESPACE, env_ids, make_multiagent, register_envs
from codegym.errors import ActionError, EnvConfigError, EnvStateError, MissingActionError

__all__ = ["ENVS", "NAMESPACE", "env_ids", "make_multiagent", "register_envs", "CodeGenEnv", "CodeRefineEnv",
           "CodeGenTokensEnv", "BatchedCodeGenVectorEnv", "ShareableText", "coder_tester_v0", "extract_code",
           "EnvConfigError", "EnvStateError", "ActionError", "MissingActionError"]

_LAZY = {
    "CodeGenEnv": ("codegym.envs.codegen", "CodeGenEnv"),
    "CodeRefineEnv": ("codegym.envs.refine", "CodeRefineEnv"),
    "CodeGenTokensEnv": ("codegym.envs.tokens.env", "CodeGenTokensEnv"),
    "BatchedCodeGenVectorEnv": ("codegym.envs.vector", "BatchedCodeGenVectorEnv"),
    "ShareableText": ("codegym.envs.vector", "ShareableText"),
    "extract_code": ("codegym.envs.extraction", "extract_code"),
    "coder_tester_v0": ("codegym.envs.coder_tester_v0", None),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attr = _LAZY[name]
        loaded = importlib.import_module(module)
        return loaded if attr is None else getattr(loaded, attr)
    raise AttributeError(f"module 'codegym.envs' has no attribute {name!r}")
