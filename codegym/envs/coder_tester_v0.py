"""``CoderTester-v0`` (PettingZoo): ``env()`` (AEC, wrapped), ``raw_env`` and ``parallel_env()``.

The versioned entry module, as PettingZoo lays out its envs (``chess_v6.py`` beside ``chess/chess.py``); the env is
:mod:`codegym.envs.coder_tester.coder_tester`.
"""

from __future__ import annotations

from codegym.envs.coder_tester.coder_tester import CheckedParallelEnv, env, parallel_env, raw_env

__all__ = ["env", "raw_env", "parallel_env", "CheckedParallelEnv"]
