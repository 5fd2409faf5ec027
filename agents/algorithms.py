"""GRPO, GRPO+ and PPO losses, each reading top to bottom; their configs (every default citing its source) are in
:mod:`agents.config`.

The trainer (:mod:`agents.trainer`) collects rollouts, computes advantages with :func:`grpo_advantages` or
:func:`ppo_advantages`, and calls :func:`grpo_loss` / :func:`ppo_loss` on minibatches. Sources:

* GRPO -- Shao et al. 2024, "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models",
  sec. 4.1 and 4.2 (hyper-parameters: lr 1e-6, KL coefficient 0.04, 64 samples per question, max length 1024,
  one policy update per exploration stage).
* DAPO -- Yu et al. 2025, "DAPO: An Open-Source LLM Reinforcement Learning System at Scale" (clip-higher 0.28,
  token-level loss, overlong filtering).
* Dr. GRPO -- Liu et al. 2025, "Understanding R1-Zero-Like Training: A Critical Perspective" (no std scaling,
  constant loss normaliser).
* GRPO+ -- Luo et al. 2025, "DeepCoder: A Fully Open-Source 14B Coder at O3-mini Level" (Agentica/Together AI blog):
  GRPO with no KL and no entropy loss, clip-high, overlong filtering, iterative context lengthening 16K -> 32K.
* PPO -- Schulman et al. 2017; for LMs Ziegler et al. 2019 "Fine-Tuning Language Models from Human Preferences",
  Ouyang et al. 2022 (InstructGPT), Huang et al. 2024 "The N+ Implementation Details of RLHF with PPO".
"""

from __future__ import annotations

import torch

from agents.config import GRPOConfig, PPOConfig
from agents.losses import (
    aggregate_token_loss,
    clipped_policy_loss,
    clipped_value_loss,
    gae_advantages,
    group_advantages,
    grouped_advantages,
    kl_penalty,
    masked_mean,
    masked_whiten,
)


# --------------------------------------------------------------------------------------------------------------
# GRPO / GRPO+
# --------------------------------------------------------------------------------------------------------------
def grpo_advantages(rewards: torch.Tensor, truncated: torch.Tensor, config: GRPOConfig,
                    group_ids: torch.Tensor | None = None) -> torch.Tensor:
    """Per-sample advantages ``[B]`` from per-sample rewards ``[B]``: prompt-contiguous groups of
    ``config.group_size``, or the groups named by ``group_ids`` (any sizes) when given.

    With overlong filtering the truncated samples still count in their group's mean and std (they were sampled
    from the policy), and only afterwards is their advantage set to 0, so they neither push up nor down.
    """
    if group_ids is None:
        advantages = group_advantages(rewards, config.group_size, config.scale_rewards, config.advantage_eps)
    else:
        advantages = grouped_advantages(rewards, group_ids, config.scale_rewards, config.advantage_eps)
    if config.overlong_filtering:
        advantages = torch.where(truncated.bool(), torch.zeros_like(advantages), advantages)
    return advantages


def grpo_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor, mask: torch.Tensor,
              config: GRPOConfig, ref_logprobs: torch.Tensor | None = None,
              entropy: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, float]]:
    """The GRPO objective (DeepSeekMath eq. 3), negated for minimisation.

    ``logprobs`` ``[B, T]`` of the completion tokens under the current policy (with grad); ``old_logprobs`` the
    same under the policy that sampled them; ``advantages`` ``[B]``; ``mask`` ``[B, T]``.
    """
    # 1. clipped surrogate with one advantage per sequence, broadcast over its tokens
    per_token, clipped = clipped_policy_loss(logprobs, old_logprobs, advantages.unsqueeze(1),
                                             config.clip_low, config.clip_high)
    # 2. KL to the reference policy as a loss term (not in the reward), k3 estimator (DeepSeekMath eq. 4)
    kl = None
    if config.beta > 0:
        if ref_logprobs is None:
            raise ValueError("beta > 0 needs ref_logprobs (log-probabilities under the reference model)")
        kl = kl_penalty(logprobs, ref_logprobs, config.kl_estimator)
        per_token = per_token + config.beta * kl
    # 3. optional entropy bonus (off in GRPO+)
    if config.entropy_coef and entropy is not None:
        per_token = per_token - config.entropy_coef * entropy
    # 4. reduce over tokens and sequences
    loss = aggregate_token_loss(per_token, mask, config.loss_aggregation, config.max_new_tokens)
    stats = {"loss/policy": float(loss.detach()), "clip_fraction": float(masked_mean(clipped, mask))}
    if kl is not None:
        stats["kl"] = float(masked_mean(kl.detach(), mask))
    return loss, stats


# --------------------------------------------------------------------------------------------------------------
# PPO
# --------------------------------------------------------------------------------------------------------------
def ppo_token_rewards(scores: torch.Tensor, mask: torch.Tensor, logprobs: torch.Tensor,
                      ref_logprobs: torch.Tensor | None, config: PPOConfig,
                      dense_rewards: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token rewards ``[B, T]``: ``-kl_coef * KL`` on every token, the outcome score on the last real token,
    and any dense (per-line) rewards where they were placed (Ziegler et al. 2019, eq. 2).

    Returns ``(rewards, kl)``.
    """
    mask = mask.to(logprobs.dtype)
    if ref_logprobs is not None and config.kl_coef:
        kl = kl_penalty(logprobs, ref_logprobs, config.kl_estimator) * mask
    else:
        kl = torch.zeros_like(logprobs)
    rewards = -config.kl_coef * kl
    last = (mask.sum(1).long() - 1).clamp(min=0)
    rows = torch.arange(rewards.shape[0], device=rewards.device)
    rewards[rows, last] += scores.to(rewards.dtype) * (mask.sum(1) > 0).to(rewards.dtype)
    if dense_rewards is not None:
        rewards = rewards + dense_rewards.to(rewards.dtype) * mask
    return rewards, kl


def ppo_advantages(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor,
                   config: PPOConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """GAE advantages and returns ``[B, T]``; advantages whitened over the batch when configured."""
    advantages, returns = gae_advantages(rewards, values, mask, config.gamma, config.lam)
    if config.whiten_advantages:
        advantages = masked_whiten(advantages, mask)
    return advantages, returns


def ppo_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, values: torch.Tensor, old_values: torch.Tensor,
             advantages: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor, config: PPOConfig,
             entropy: torch.Tensor | None = None) -> tuple[torch.Tensor, dict[str, float]]:
    """PPO's clipped policy loss plus ``value_coef`` times the clipped value loss (token-averaged)."""
    # 1. clipped surrogate per token with per-token advantages
    per_token, clipped = clipped_policy_loss(logprobs, old_logprobs, advantages, config.clip_low, config.clip_high)
    policy_loss = masked_mean(per_token, mask)
    # 2. clipped value loss against the GAE returns
    value_loss = clipped_value_loss(values, old_values, returns, mask, config.value_clip)
    loss = policy_loss + config.value_coef * value_loss
    # 3. optional entropy bonus
    if config.entropy_coef and entropy is not None:
        loss = loss - config.entropy_coef * masked_mean(entropy, mask)
    stats = {"loss/policy": float(policy_loss.detach()), "loss/value": float(value_loss.detach()),
             "clip_fraction": float(masked_mean(clipped, mask))}
    return loss, stats
