"""``CoderTester-v0``, laid out as PettingZoo's envs are: the env in :mod:`.coder_tester`, the game logic (action
parsing, execution matrix, CURE rewards) in :mod:`.game`, and the versioned entry module
:mod:`codegym.envs.coder_tester_v0` beside this package.

The game's public names are importable from here (``from codegym.envs.coder_tester import cure_rewards``); importing
this package does not import PettingZoo.
"""

from __future__ import annotations

from codegym.envs.coder_tester.game import (
    CureRewards,
    ParsedCodes,
    ParsedTests,
    RoundResult,
    coder_hacking_reports,
    cure_rewards,
    parse_codes,
    parse_tests,
    play_round,
    tester_task,
)

__all__ = ["CureRewards", "ParsedCodes", "ParsedTests", "RoundResult", "coder_hacking_reports", "cure_rewards",
           "parse_codes", "parse_tests", "play_round", "tester_task"]
