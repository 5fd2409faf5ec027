"""Smoke tests of each algorithm on each env with the tiny model and micro tasks, and of ``codegym train``."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agents.policy import Policy  # noqa: E402
from agents.tiny import TinyModelConfig, build_tiny_model  # noqa: E402
from agents.trainer import TrainConfig, Trainer  # noqa: E402

SMALL = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=2, max_position_embeddings=512)


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", SMALL)


@pytest.fixture(scope="module")
def tasks():
    from codegym.tasks.sources import load_tasks

    return list(load_tasks("micro:6", seed=0))


def length_reward(evaluation, task, program, **context):
    """A dense-enough reward for smoke tests: a random tiny model never passes, so reward program length."""
    return min(len(program), 200) / 200.0


def _trainer(tiny_path, tasks, tmp_path, algo, env_id="CodeGen-v0", reward=None, resume=False, **overrides):
    torch.manual_seed(0)
    policy = Policy.from_pretrained(tiny_path, device="cpu", value_head=algo == "ppo")
    settings = {"group_size": 2, "prompts_per_step": 2, "max_new_tokens": 12, "learning_rate": 1e-3,
                "context_schedule": ()}
    if algo == "ppo":
        settings = {"group_size": 1, "prompts_per_step": 3, "max_new_tokens": 12, "learning_rate": 1e-3,
                    "updates_per_batch": 2, "minibatches": 2}
    settings.update(overrides)
    config = TrainConfig(algo=algo, env_id=env_id, train_tasks=tasks[:4], eval_tasks=tasks[4:], steps=2,
                         eval_every=2, save_every=2, output_dir=str(tmp_path), device="cpu", show_progress=False,
                         tensorboard=False, algo_overrides=settings, reward=reward, resume=resume)
    return Trainer(config, policy=policy)


@pytest.mark.slow
@pytest.mark.parametrize("algo", ["grpo+", "grpo", "ppo"])
def test_each_algorithm_trains_on_codegen(tiny_path, tasks, tmp_path, algo):
    # a random tiny model rarely stops within 12 tokens; with overlong filtering every sample would be masked
    extra = {"overlong_filtering": False} if algo == "grpo+" else {}
    trainer = _trainer(tiny_path, tasks, tmp_path, algo, reward=length_reward, **extra)
    before = [p.detach().clone() for p in trainer.policy.model.parameters()]
    summary = trainer.train()
    after = list(trainer.policy.model.parameters())
    assert summary["steps"] == 2
    lines = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [r["kind"] for r in lines] == ["eval", "train", "train", "eval"]
    assert all(0.0 <= r["pass@1"] <= 1.0 for r in lines if r["kind"] == "eval")
    train = [r for r in lines if r["kind"] == "train"]
    assert all(r["samples"] == trainer.algo.group_size * trainer.algo.prompts_per_step for r in train)
    assert all(torch.isfinite(torch.tensor(r["grad_norm"])) for r in train)
    if algo == "grpo":
        assert "kl" in train[0] and trainer.reference is not None
    if algo == "ppo":
        assert "loss/value" in train[0]
    if algo in ("ppo", "grpo+"):
        # rewards that differ between samples give non-zero advantages, so the update moves the weights
        assert any(not torch.equal(a, b) for a, b in zip(before, after))
    assert (tmp_path / "learning_curve.png").exists()
    assert (tmp_path / "final" / "config.json").exists()
    assert (tmp_path / "checkpoints" / "step-2" / "trainer_state.pt").exists()


@pytest.mark.slow
def test_resume_continues_from_the_checkpoint(tiny_path, tasks, tmp_path):
    first = _trainer(tiny_path, tasks, tmp_path, "grpo+")
    first.config.steps = 2
    first.train()
    second = _trainer(tiny_path, tasks, tmp_path, "grpo+", resume=True)
    second.config.steps = 3
    summary = second.train()
    assert summary["steps"] == 3
    train_steps = [r["step"] for r in second.history if r["kind"] == "train"]
    assert train_steps == [1, 2, 3]
    saved = dict(second.policy.model.named_parameters())
    reloaded = Policy.from_pretrained(tmp_path / "final", device="cpu")
    for name, param in reloaded.model.named_parameters():
        assert torch.equal(param, saved[name])


@pytest.mark.slow
def test_refine_rollouts_credit_every_turn_with_its_return(tiny_path, tasks, tmp_path):
    from agents.episodes import EnvBatch
    from agents.multiturn import refine_rollouts, returns_to_go

    assert returns_to_go([0.0, 0.0, 1.0], 1.0) == [1.0, 1.0, 1.0]
    assert returns_to_go([0.5, 0.0, 1.0], 0.5) == [0.75, 0.5, 1.0]
    policy = Policy.from_pretrained(tiny_path, device="cpu")
    envs = EnvBatch("CodeRefine-v0", tasks, env_kwargs={"max_turns": 2})
    samples = refine_rollouts(policy, envs, tasks[:2], group_size=2, temperature=1.0, top_p=1.0, max_new_tokens=8)
    envs.close()
    # a random tiny model never passes the visible tests, so every episode uses both turns
    assert len(samples) == 2 * 2 * 2
    assert sorted({s.turn for s in samples}) == [1, 2]
    assert {s.group for s in samples} == {0, 1}
    second_turns = [s for s in samples if s.turn == 2]
    assert all("previous attempt failed" in policy.tokenizer.decode(s.prompt_ids) for s in second_turns)
    trainer = _trainer(tiny_path, tasks, tmp_path, "grpo+", env_id="CodeRefine-v0")
    metrics = trainer.train_step()
    assert metrics["samples"] >= 2 * 2


@pytest.mark.slow
def test_coder_tester_cotraining_step(tiny_path, tasks, tmp_path):
    from agents.multiturn import first_json_test

    assert first_json_test('{"input": [1, 2], "output": 3} trailing') == {"input": [1, 2], "output": 3}
    assert first_json_test("```json\n[{\"input\": [1], \"output\": 2}]\n```") == {"input": [1], "output": 2}
    assert first_json_test("no json here") is None
    trainer = _trainer(tiny_path, tasks, tmp_path, "grpo+", env_id="CoderTester-v0")
    samples = trainer.collect(tasks[:2])
    assert [s.role for s in samples].count("coder") == 4 and [s.role for s in samples].count("tester") == 4
    assert {s.group for s in samples if s.role == "tester"} == {1, 3}
    metrics = trainer.train_step()
    assert "tester_reward_mean" in metrics


@pytest.mark.slow
def test_codegym_train_cli_default_run_small(tmp_path, capsys):
    from agents_cli import cli

    code = cli(["train", "--steps", "2", "--warmup-steps", "2", "--difficulty-filter", "3", "--eval-size", "3",
                 "--eval-samples", "1", "--tasks", "micro:20",
                 "--output", str(tmp_path), "--no-progress", "--group-size", "2", "--prompts-per-step", "2"])
    assert code == 0
    out = capsys.readouterr().out
    assert "held-out pass@1 (end)" in out
    assert (tmp_path / "metrics.jsonl").exists() and (tmp_path / "final" / "tokenizer.json").exists()
    assert json.loads((tmp_path / "train_config.json").read_text())["algo"] == "grpo+"


@pytest.mark.slow
def test_ppo_with_process_rewards_places_dense_rewards(tiny_path, tasks, tmp_path):
    from codegym.rewards import ExecutionLineReward

    trainer = _trainer(tiny_path, tasks, tmp_path, "ppo", reward=ExecutionLineReward())
    samples = trainer.collect(tasks[:3])
    assert all(s.token_rewards is not None and len(s.token_rewards) == len(s.completion_ids) for s in samples)
    stats = trainer.ppo_update(samples)
    assert "loss/value" in stats and stats["grad_norm"] >= 0


@pytest.mark.slow
def test_resume_keeps_the_kl_reference_of_the_warmed_up_policy(tiny_path, tasks, tmp_path):
    from agents.config import TrainConfigError

    def trainer(steps, resume=False):
        t = _trainer(tiny_path, tasks, tmp_path, "grpo", resume=resume, beta=0.04)
        t.config.steps, t.config.warmup_steps, t.config.warmup_learning_rate = steps, 2, 1e-2
        return t

    first = trainer(1)
    first.train()
    reference = {k: v.clone() for k, v in first.reference.state_dict().items()}
    assert (tmp_path / "reference" / "config.json").exists()
    second = trainer(2, resume=True)
    second.train()
    assert second.step == 2
    # the reference is the warmed-up policy of the first run, not the resumed (RL-trained) weights
    for name, value in second.reference.state_dict().items():
        assert torch.equal(value, reference[name]), name
    # a finished run without checkpoints cannot be resumed, only overwritten
    no_checkpoints = tmp_path / "bare"
    bare = _trainer(tiny_path, tasks, no_checkpoints, "grpo+")
    bare.config.save_every = 0
    bare.train()
    with pytest.raises(TrainConfigError, match="no checkpoint to resume from"):
        _trainer(tiny_path, tasks, no_checkpoints, "grpo+", resume=True)
