"""Typed errors of the reward, wrapper and PRM layers: re-exported from :mod:`codegym.errors`, which holds them."""

from __future__ import annotations

from codegym.errors import RewardConfigError

__all__ = ["RewardConfigError"]
