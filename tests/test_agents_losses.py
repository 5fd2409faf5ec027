"""Hand-computed cases for the loss building blocks of GRPO, GRPO+ and PPO (agents.losses, agents.algorithms, agents.config)."""

from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

from agents.algorithms import (  # noqa: E402
    grpo_advantages,
    grpo_loss,
    ppo_advantages,
    ppo_token_rewards,
)
from agents.config import GRPOConfig, GRPOPlusConfig, PPOConfig, TrainConfigError, config_for  # noqa: E402
from agents.losses import (  # noqa: E402
    aggregate_token_loss,
    clipped_policy_loss,
    clipped_value_loss,
    gae_advantages,
    group_advantages,
    kl_penalty,
    masked_whiten,
)


def test_group_advantages_hand_computed():
    # mean 0.25, unbiased std sqrt((0.75^2 + 3 * 0.25^2) / 3) = 0.5
    adv = group_advantages(torch.tensor([1.0, 0.0, 0.0, 0.0]), group_size=4, eps=0.0)
    assert adv.tolist() == pytest.approx([1.5, -0.5, -0.5, -0.5])


def test_group_advantages_default_eps_and_groups_are_independent():
    adv = group_advantages(torch.tensor([1.0, 0.0, 0.0, 0.0, 3.0, 3.0, 3.0, 3.0]), group_size=4)
    assert adv[:4].tolist() == pytest.approx([1.5, -0.5, -0.5, -0.5], rel=1e-3)
    assert adv[4:].tolist() == [0.0, 0.0, 0.0, 0.0]  # identical rewards carry no signal


def test_group_advantages_without_std_scaling_is_dr_grpo():
    adv = group_advantages(torch.tensor([1.0, 0.0, 0.0, 0.0]), group_size=4, scale_by_std=False)
    assert adv.tolist() == pytest.approx([0.75, -0.25, -0.25, -0.25])


def test_group_advantages_rejects_ragged_groups():
    with pytest.raises(ValueError, match="multiple of group_size"):
        group_advantages(torch.tensor([1.0, 0.0, 0.0]), group_size=2)


def test_gae_hand_computed():
    # delta_2 = 1 - 0.7 = 0.3; delta_1 = 0.7 - 0.6 = 0.1; delta_0 = 0.6 - 0.5 = 0.1
    # A_2 = 0.3; A_1 = 0.1 + 0.95 * 0.3 = 0.385; A_0 = 0.1 + 0.95 * 0.385 = 0.46575
    rewards = torch.tensor([[0.0, 0.0, 1.0]])
    values = torch.tensor([[0.5, 0.6, 0.7]])
    adv, ret = gae_advantages(rewards, values, torch.ones(1, 3), gamma=1.0, lam=0.95)
    assert adv[0].tolist() == pytest.approx([0.46575, 0.385, 0.3])
    assert ret[0].tolist() == pytest.approx([0.96575, 0.985, 1.0])


def test_gae_ignores_padding_after_the_sequence():
    rewards = torch.tensor([[0.0, 0.0, 1.0, 5.0, 5.0]])
    values = torch.tensor([[0.5, 0.6, 0.7, 9.0, 9.0]])
    mask = torch.tensor([[1, 1, 1, 0, 0]])
    adv, _ = gae_advantages(rewards, values, mask, gamma=1.0, lam=0.95)
    assert adv[0].tolist() == pytest.approx([0.46575, 0.385, 0.3, 0.0, 0.0])


def test_kl_estimators_hand_computed():
    logp, ref = torch.tensor([math.log(0.5)]), torch.tensor([math.log(0.25)])
    k1 = math.log(2.0)
    assert kl_penalty(logp, ref, "k1").item() == pytest.approx(k1)
    assert kl_penalty(logp, ref, "k2").item() == pytest.approx(0.5 * k1 ** 2)
    assert kl_penalty(logp, ref, "k3").item() == pytest.approx(0.5 - 1.0 + k1)  # exp(-k1) = 0.5
    assert kl_penalty(logp, logp, "k3").item() == 0.0
    with pytest.raises(ValueError):
        kl_penalty(logp, ref, "k9")


def test_clipped_policy_loss_decoupled_clip():
    old = torch.zeros(1, 2)
    new = torch.log(torch.tensor([[1.5, 0.5]]))  # ratios 1.5 and 0.5
    loss, clipped = clipped_policy_loss(new, old, torch.tensor([[1.0, -1.0]]), clip_low=0.2, clip_high=0.28)
    # positive advantage: min(1.5, 1.28) * 1 -> 1.28; negative: min(0.5*-1, 0.8*-1) = -0.8
    assert loss[0].tolist() == pytest.approx([-1.28, 0.8])
    assert clipped[0].tolist() == [1.0, 1.0]


def test_loss_aggregations_hand_computed():
    per_token = torch.tensor([[1.0, 1.0, 1.0, 1.0], [4.0, 0.0, 0.0, 0.0]])
    mask = torch.tensor([[1, 1, 1, 1], [1, 0, 0, 0]])
    assert aggregate_token_loss(per_token, mask, "sequence_mean").item() == pytest.approx((1.0 + 4.0) / 2)
    assert aggregate_token_loss(per_token, mask, "token_mean").item() == pytest.approx(8.0 / 5)
    assert aggregate_token_loss(per_token, mask, "constant", 8).item() == pytest.approx(8.0 / (2 * 8))
    with pytest.raises(ValueError):
        aggregate_token_loss(per_token, mask, "median")


def test_masked_whiten_zero_mean_unit_variance():
    values = torch.tensor([[1.0, 2.0, 3.0, 100.0]])
    mask = torch.tensor([[1, 1, 1, 0]])
    out = masked_whiten(values, mask)
    assert out[0, :3].mean().item() == pytest.approx(0.0, abs=1e-6)
    assert (out[0, :3] ** 2).mean().item() == pytest.approx(1.0, rel=1e-4)
    assert out[0, 3].item() == 0.0


def test_clipped_value_loss_takes_the_pessimistic_branch():
    values, old, returns = torch.tensor([[2.0]]), torch.tensor([[0.0]]), torch.tensor([[0.0]])
    # unclipped (2-0)^2 = 4; clipped (0.2-0)^2 = 0.04; max = 4, times 0.5
    assert clipped_value_loss(values, old, returns, torch.ones(1, 1), 0.2).item() == pytest.approx(2.0)


def test_overlong_filtering_zeroes_truncated_after_group_statistics():
    config = GRPOPlusConfig(group_size=4, advantage_eps=0.0)
    rewards = torch.tensor([1.0, 0.0, 0.0, 0.0])
    truncated = torch.tensor([False, False, False, True])
    adv = grpo_advantages(rewards, truncated, config)
    # the truncated sample still counted in mean and std, so the others keep their values
    assert adv.tolist() == pytest.approx([1.5, -0.5, -0.5, 0.0])
    plain = grpo_advantages(rewards, truncated, GRPOConfig(group_size=4, advantage_eps=0.0))
    assert plain.tolist() == pytest.approx([1.5, -0.5, -0.5, -0.5])


def test_grpo_loss_on_policy_gradient_sign_and_kl():
    logprobs = torch.zeros(2, 3, requires_grad=True)
    mask = torch.ones(2, 3)
    config = GRPOConfig(group_size=2, beta=0.04)
    loss, stats = grpo_loss(logprobs, logprobs.detach(), torch.tensor([1.0, -1.0]), mask, config,
                            ref_logprobs=torch.zeros(2, 3))
    loss.backward()
    # minimising pushes the rewarded sample's log-probs up and the penalised one's down
    assert (logprobs.grad[0] < 0).all() and (logprobs.grad[1] > 0).all()
    assert stats["kl"] == pytest.approx(0.0)
    with pytest.raises(ValueError, match="ref_logprobs"):
        grpo_loss(logprobs, logprobs.detach(), torch.tensor([1.0, -1.0]), mask, config)


def test_ppo_token_rewards_put_score_on_last_token_and_kl_everywhere():
    config = PPOConfig(kl_coef=0.1, kl_estimator="k1")
    logprobs = torch.tensor([[0.0, 0.0, 0.0]])
    ref = torch.tensor([[-1.0, -1.0, 0.0]])
    mask = torch.tensor([[1, 1, 0]])
    dense = torch.tensor([[0.25, 0.0, 0.0]])
    rewards, kl = ppo_token_rewards(torch.tensor([1.0]), mask, logprobs, ref, config, dense)
    assert kl[0].tolist() == pytest.approx([1.0, 1.0, 0.0])
    assert rewards[0].tolist() == pytest.approx([-0.1 + 0.25, -0.1 + 1.0, 0.0])


def test_ppo_advantages_whitened():
    config = PPOConfig(whiten_advantages=True)
    adv, ret = ppo_advantages(torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([[0.5, 0.6, 0.7]]), torch.ones(1, 3),
                              config)
    assert adv.mean().item() == pytest.approx(0.0, abs=1e-6)
    assert ret[0].tolist() == pytest.approx([0.96575, 0.985, 1.0])


def test_configs_carry_paper_defaults_and_validate():
    plus = GRPOPlusConfig()
    assert (plus.beta, plus.entropy_coef, plus.clip_low, plus.clip_high) == (0.0, 0.0, 0.2, 0.28)
    assert (plus.group_size, plus.temperature, plus.learning_rate, plus.max_grad_norm) == (8, 0.6, 1e-6, 1.0)
    assert plus.loss_aggregation == "token_mean" and plus.overlong_filtering
    assert plus.max_new_tokens_at(0) == 16384 and plus.max_new_tokens_at(5000) == 32768
    grpo = GRPOConfig()
    assert (grpo.beta, grpo.kl_estimator, grpo.loss_aggregation) == (0.04, "k3", "sequence_mean")
    ppo = PPOConfig()
    assert (ppo.gamma, ppo.lam) == (1.0, 0.95)
    assert config_for("grpo+", group_size=4).group_size == 4
    with pytest.raises(ValueError, match="no settings"):
        config_for("grpo", not_a_field=1)
    with pytest.raises(ValueError, match="unknown algorithm"):
        config_for("dqn")
    with pytest.raises(TrainConfigError, match="group_size >= 2"):
        config_for("grpo", group_size=1)
    # validation runs on construction and on replace, not only through config_for
    with pytest.raises(TrainConfigError, match="clip_low"):
        GRPOPlusConfig(clip_low=1.5)
    with pytest.raises(TrainConfigError, match="gamma"):
        PPOConfig().replace(gamma=2.0)
    with pytest.raises(TrainConfigError, match="kl_estimator"):
        PPOConfig(kl_estimator="k9")
    assert GRPOPlusConfig(context_schedule=[[0, 8], [5, 16]]).max_new_tokens_at(6) == 16
