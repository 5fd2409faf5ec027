"""Loss building blocks shared by GRPO, GRPO+ and PPO, written to read top to bottom (CleanRL style).

Shapes: ``B`` sequences (completions), ``T`` completion tokens per sequence (right-padded), ``mask`` is 1 on real
completion tokens and 0 on padding. Every function here is pure torch and has a hand-computed unit test in
``tests/test_agents_losses.py``.
"""

from __future__ import annotations

import torch

from agents.config import KLEstimator, LossAggregation


def masked_mean(values: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Mean of ``values`` where ``mask`` is 1 (over everything, or along ``dim``); empty rows give 0."""
    mask = mask.to(values.dtype)
    if dim is None:
        return (values * mask).sum() / mask.sum().clamp(min=1.0)
    return (values * mask).sum(dim) / mask.sum(dim).clamp(min=1.0)


def masked_whiten(values: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True,
                  eps: float = 1e-8) -> torch.Tensor:
    """Normalise ``values`` to zero mean and unit variance over the masked entries (PPO advantage whitening,
    Huang et al. 2024, "The N+ Implementation Details of RLHF with PPO")."""
    mean = masked_mean(values, mask)
    var = masked_mean((values - mean) ** 2, mask)
    whitened = (values - mean) * torch.rsqrt(var + eps)
    if not shift_mean:
        whitened = whitened + mean
    return whitened * mask.to(values.dtype)


def group_advantages(rewards: torch.Tensor, group_size: int, scale_by_std: bool = True,
                     eps: float = 1e-4) -> torch.Tensor:
    """GRPO's outcome advantages (Shao et al. 2024, DeepSeekMath, eq. 3 with outcome supervision).

    ``rewards`` is flat ``[n_groups * group_size]`` with the samples of one prompt contiguous. Each sample's
    advantage is ``(r - mean(group)) / (std(group) + eps)`` with the unbiased (n-1) standard deviation, as TRL and
    verl compute it. ``scale_by_std=False`` drops the division (Liu et al. 2025, Dr. GRPO: std scaling biases
    learning towards questions that are too easy or too hard).
    """
    if rewards.dim() != 1 or rewards.numel() % group_size:
        raise ValueError(f"rewards must be flat with a multiple of group_size={group_size} entries, "
                         f"got shape {tuple(rewards.shape)}")
    grouped = rewards.view(-1, group_size)
    centred = grouped - grouped.mean(dim=1, keepdim=True)
    if scale_by_std and group_size > 1:
        centred = centred / (grouped.std(dim=1, keepdim=True) + eps)
    return centred.reshape(-1)


def grouped_advantages(rewards: torch.Tensor, group_ids: torch.Tensor, scale_by_std: bool = True,
                       eps: float = 1e-4) -> torch.Tensor:
    """:func:`group_advantages` for groups of any size given by ``group_ids`` (multi-turn episodes give a variable
    number of samples per group). A group of one sample has no baseline and gets advantage 0."""
    advantages = torch.zeros_like(rewards)
    for gid in torch.unique(group_ids):
        members = group_ids == gid
        group = rewards[members]
        if group.numel() < 2:
            continue
        centred = group - group.mean()
        if scale_by_std:
            centred = centred / (group.std() + eps)
        advantages[members] = centred
    return advantages


def kl_penalty(logprobs: torch.Tensor, ref_logprobs: torch.Tensor, estimator: KLEstimator = "k3") -> torch.Tensor:
    """Per-token estimate of KL(pi || pi_ref) from samples of pi (Schulman 2020, "Approximating KL Divergence").

    ``k1 = log pi - log pi_ref`` (unbiased, can be negative); ``k2 = (k1)^2 / 2``; ``k3 = exp(-k1) - 1 + k1``
    (unbiased and always >= 0; what DeepSeekMath's GRPO uses, eq. 4).
    """
    log_ratio = logprobs - ref_logprobs
    if estimator == "k1":
        return log_ratio
    if estimator == "k2":
        return 0.5 * log_ratio ** 2
    if estimator == "k3":
        return torch.exp(-log_ratio) - 1.0 + log_ratio
    raise ValueError(f"unknown KL estimator {estimator!r}; use 'k1', 'k2' or 'k3'")


def aggregate_token_loss(per_token: torch.Tensor, mask: torch.Tensor, mode: LossAggregation,
                         constant_normaliser: float | None = None) -> torch.Tensor:
    """Reduce a ``[B, T]`` per-token loss to a scalar.

    * ``sequence_mean``: mean over each sequence's tokens, then over sequences (DeepSeekMath's GRPO; long
      completions get less weight per token).
    * ``token_mean``: sum over all tokens / number of tokens (Yu et al. 2025, DAPO "token-level policy gradient
      loss"; used by DeepCoder's GRPO+).
    * ``constant``: sum over all tokens / (B * constant_normaliser), a constant independent of lengths (Liu et al.
      2025, Dr. GRPO: the max completion length), which removes the length bias of both others.
    """
    mask = mask.to(per_token.dtype)
    if mode == "sequence_mean":
        return masked_mean(per_token, mask, dim=1).mean()
    if mode == "token_mean":
        return (per_token * mask).sum() / mask.sum().clamp(min=1.0)
    if mode == "constant":
        normaliser = constant_normaliser if constant_normaliser is not None else per_token.shape[1]
        return (per_token * mask).sum() / (per_token.shape[0] * normaliser)
    raise ValueError(f"unknown loss aggregation {mode!r}; use 'sequence_mean', 'token_mean' or 'constant'")


def clipped_policy_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor,
                        clip_low: float, clip_high: float) -> tuple[torch.Tensor, torch.Tensor]:
    """PPO's clipped surrogate per token (Schulman et al. 2017, eq. 7), with DAPO's decoupled clip range
    ``[1 - clip_low, 1 + clip_high]`` (Yu et al. 2025, "clip-higher").

    ``advantages`` is ``[B, T]`` (or ``[B, 1]``, broadcast). Returns ``(loss [B, T], clipped [B, T])`` where
    ``clipped`` marks tokens whose gradient the clip removed.
    """
    ratio = torch.exp(logprobs - old_logprobs)
    unclipped = ratio * advantages
    clipped = torch.clamp(ratio, 1.0 - clip_low, 1.0 + clip_high) * advantages
    loss = -torch.minimum(unclipped, clipped)
    return loss, (clipped < unclipped).to(logprobs.dtype)


def gae_advantages(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float = 1.0,
                   lam: float = 0.95) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation (Schulman et al. 2016) over each sequence's tokens.

    ``rewards``, ``values``, ``mask``: ``[B, T]``; the value after the last real token is 0 (the episode ends).
    Returns ``(advantages, returns)`` with ``returns = advantages + values``; padding positions are 0.
    """
    mask = mask.to(values.dtype)
    values = values * mask
    rewards = rewards * mask
    advantages = torch.zeros_like(rewards)
    next_advantage = torch.zeros_like(rewards[:, 0])
    next_value = torch.zeros_like(values[:, 0])
    for t in reversed(range(rewards.shape[1])):
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        advantage = delta + gamma * lam * next_advantage
        # padding positions pass the running values through untouched
        advantages[:, t] = advantage * mask[:, t]
        next_advantage = torch.where(mask[:, t] > 0, advantage, next_advantage)
        next_value = torch.where(mask[:, t] > 0, values[:, t], next_value)
    return advantages, (advantages + values) * mask


def clipped_value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor,
                       clip_range: float) -> torch.Tensor:
    """PPO's clipped value loss ``0.5 * max((v - R)^2, (clip(v, v_old +- eps) - R)^2)`` averaged over tokens
    (Huang et al. 2024, "The N+ Implementation Details of RLHF with PPO", detail 9)."""
    clipped = old_values + torch.clamp(values - old_values, -clip_range, clip_range)
    loss = torch.maximum((values - returns) ** 2, (clipped - returns) ** 2)
    return 0.5 * masked_mean(loss, mask)
