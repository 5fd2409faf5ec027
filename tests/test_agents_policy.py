"""The tiny model, the Policy wrapper (generation, log-probabilities, value head) and one GRPO+ update."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agents.policy import Policy, PolicyLoadError  # noqa: E402
from agents.tiny import CHAT_TEMPLATE, TinyModelConfig, build_tiny_model  # noqa: E402

SMALL = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=2, max_position_embeddings=256)


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", SMALL)


@pytest.fixture()
def policy(tiny_path):
    torch.manual_seed(0)
    return Policy.from_pretrained(tiny_path, device="cpu")


def test_tiny_model_loads_by_path_like_any_hf_model(tiny_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_path)
    model = AutoModelForCausalLM.from_pretrained(tiny_path)
    assert tokenizer.chat_template == CHAT_TEMPLATE
    text = tokenizer.apply_chat_template([{"role": "user", "content": "add two numbers"}], tokenize=False,
                                         add_generation_prompt=True)
    assert text == "<|user|>\nadd two numbers<|end|>\n<|assistant|>\n"
    code = "def f(x):\n    return x + 1  # é\n"
    assert tokenizer.decode(tokenizer(code)["input_ids"]) == code  # byte-level: no unknown tokens
    assert sum(p.numel() for p in model.parameters()) < 200_000
    assert model.config.num_hidden_layers == 2


def test_build_tiny_model_keeps_an_existing_directory(tiny_path):
    before = (tiny_path / "config.json").stat().st_mtime_ns
    assert build_tiny_model(tiny_path, SMALL) == tiny_path
    assert (tiny_path / "config.json").stat().st_mtime_ns == before


def test_unknown_model_path_is_a_typed_error(tmp_path):
    with pytest.raises(PolicyLoadError, match="build_tiny_model"):
        Policy.from_pretrained(tmp_path / "missing", device="cpu")


def test_generation_is_batched_grouped_and_its_logprobs_match_the_training_forward(policy):
    from agents.sft import pad_batch

    gens = policy.generate(["def add(a, b):", "Write a function."], num_samples=3, temperature=0.7,
                           max_new_tokens=12)
    assert len(gens) == 6
    assert [g.prompt for g in gens[:3]] == [gens[0].prompt] * 3 and gens[3].prompt != gens[0].prompt
    for g in gens:
        assert 1 <= len(g.completion_ids) <= 12 and len(g.logprobs) == len(g.completion_ids)
        assert g.truncated == (policy.tokenizer.eos_token_id not in g.completion_ids)
        assert all(lp <= 0 for lp in g.logprobs)
    tensors = pad_batch([g.prompt_ids for g in gens], [g.completion_ids for g in gens],
                        policy.tokenizer.pad_token_id, policy.device)
    with torch.no_grad():
        out = policy.forward_completion(*tensors, temperature=0.7)
    for i, g in enumerate(gens):
        assert out["logprobs"][i, : len(g.logprobs)].tolist() == pytest.approx(g.logprobs, abs=1e-4)


def test_greedy_generation_is_deterministic(policy):
    a = policy.generate(["def f(x):"], temperature=0.0, max_new_tokens=8)[0]
    b = policy.generate(["def f(x):"], temperature=0.0, max_new_tokens=8)[0]
    assert a.completion_ids == b.completion_ids


def test_chat_prompts_use_the_template(policy):
    text = policy.format_prompt([{"role": "user", "content": "hi"}])
    assert text.endswith("<|assistant|>\n")
    assert policy.format_prompt("hi") == text


def test_value_head_gives_one_value_per_completion_token(tiny_path):
    from agents.sft import pad_batch

    policy = Policy.from_pretrained(tiny_path, device="cpu", value_head=True)
    tensors = pad_batch([[5, 6, 7], [8]], [[9, 10], [11, 12, 13]], policy.tokenizer.pad_token_id, policy.device)
    out = policy.forward_completion(*tensors, with_values=True)
    assert out["values"].shape == out["logprobs"].shape == (2, 3)
    assert torch.all(out["values"] == 0)  # zero-initialised head
    no_head = Policy.from_pretrained(tiny_path, device="cpu")
    with pytest.raises(ValueError, match="value head"):
        no_head.forward_completion(*tensors, with_values=True)


def test_lora_trains_only_adapters(tiny_path):
    pytest.importorskip("peft")
    from agents.policy import LoraSettings

    policy = Policy.from_pretrained(tiny_path, device="cpu", lora=LoraSettings(r=4, alpha=8))
    trainable = policy.parameters()
    total = sum(p.numel() for p in policy.model.parameters())
    assert 0 < sum(p.numel() for p in trainable) < total
    assert hasattr(policy.model, "disable_adapter")


def test_one_grpo_plus_update_moves_rewarded_up_and_penalised_down(policy, tmp_path):
    from agents.rollout import Sample
    from agents.sft import pad_batch
    from agents.trainer import TrainConfig, Trainer
    from codegym.tasks.model import CallTest, Task

    tok = policy.tokenizer
    prompt = tok("def inc(x):\n", add_special_tokens=False)["input_ids"]
    eos = tok.eos_token_id
    # completions share no token but EOS, so each sequence's change is driven by its own advantage
    completions = ["    return x + 1\n", "pass", "None", "while True:"]
    rewards = [1.0, 0.0, 0.0, 0.0]
    samples = []
    for text, reward in zip(completions, rewards):
        ids = tok(text, add_special_tokens=False)["input_ids"] + [eos]
        samples.append(Sample(task_id="inc", group=0, prompt_ids=prompt, completion_ids=ids,
                              logprobs=[0.0] * len(ids), text=text, reward=reward, truncated=False,
                              passed=reward > 0))
    task = Task("inc", "def inc(x):\n", hidden_tests=[CallTest("inc", (1,), expected=2)], entry_point="inc")
    config = TrainConfig(algo="grpo+", train_tasks=[task], output_dir=str(tmp_path), device="cpu",
                         algo_overrides={"group_size": 4, "prompts_per_step": 1, "learning_rate": 1e-3})
    trainer = Trainer(config, policy=policy)
    tensors = pad_batch([s.prompt_ids for s in samples], [s.completion_ids for s in samples], tok.pad_token_id,
                        policy.device)

    def sequence_logprobs():
        with torch.no_grad():
            out = policy.forward_completion(*tensors, temperature=trainer.algo.temperature)
        return (out["logprobs"] * tensors[3]).sum(1)

    before = sequence_logprobs()
    stats = trainer.grpo_update(samples)
    after = sequence_logprobs()
    assert stats["grad_norm"] > 0, stats
    assert after[0] > before[0]  # rewarded (advantage +1.5)
    assert all(after[i] < before[i] for i in (1, 2, 3)), (before, after)  # penalised (advantage -0.5)


def test_line_rewards_land_on_the_token_that_completes_each_generated_line(policy):
    from agents.rollout import place_line_rewards
    from codegym.rewards.placement import line_rewards_to_tokens

    tok = policy.tokenizer
    prompt = "def f(x):\n"
    body = "    y = x + 1  # é\n    return y\n"
    ids = tok(body, add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
    program = prompt + body
    # line 1 is the prompt's (not generated), lines 2-3 are the body's
    rewards = place_line_rewards(tok, ids, program, len(prompt), program, [5.0, 1.0, -1.0])
    assert len(rewards) == len(ids) and sum(rewards) == 0.0
    assert 5.0 not in rewards  # the prompt's line earns nothing
    # each line's reward is on the token holding its newline: the placement codegym.rewards.placement computes from
    # the tokenizer's own offsets (the spans rebuilt from decoded prefixes agree, the two-byte é included)
    enc = tok(body, return_offsets_mapping=True, add_special_tokens=False)
    offsets = [(len(prompt) + s, len(prompt) + e) for s, e in enc["offset_mapping"]] + [(0, 0)]  # + the EOS
    assert rewards == line_rewards_to_tokens(program, [5.0, 1.0, -1.0], offsets)
    for value, newline in ((1.0, program.index("\n", len(prompt))), (-1.0, len(program) - 1)):
        start, end = offsets[rewards.index(value)]
        assert start <= newline < end
    # a shaped reward's scalar already holds its line rewards: the last token (where the trainer puts the scalar)
    # gives them back, so the sample's return stays the scalar
    shaped = place_line_rewards(tok, ids, program, len(prompt), program, [5.0, 1.0, 0.5], True)
    assert shaped[:-1] == [r if r != -1.0 else 0.5 for r in rewards[:-1]]
    assert shaped[-1] == pytest.approx(-1.5) and sum(shaped) == pytest.approx(0.0)
    assert place_line_rewards(tok, ids, "something else", 0, program, [1.0]) is None


def test_one_owner_builds_the_small_tokenizers():
    """The tiny policy's tokenizer comes from codegym's builder (codegym.prm.model.build_tokenizer, also the PRM's):
    the chat specials and template on top, text round-trips, and no second BPE trainer exists."""
    from pathlib import Path

    from agents.tiny import ROLE_TOKENS, build_tiny_tokenizer

    tok = build_tiny_tokenizer(["def twice(x):\n    return 2 * x\n"], vocab_size=400)
    text = "def twice(x):\n    return 2 * x  # é\n"
    assert tok.decode(tok(text)["input_ids"]) == text
    assert all(tok.convert_tokens_to_ids(t) != tok.unk_token_id for t in ROLE_TOKENS)
    assert tok.chat_template and tok.eos_token == "<|end|>" and tok.padding_side == "left"
    repo = Path(__file__).resolve().parents[1]
    trainers = [p for d in ("codegym", "agents") for p in (repo / d).rglob("*.py") if "BpeTrainer(" in p.read_text()]
    assert [p.relative_to(repo).as_posix() for p in trainers] == ["codegym/prm/model.py"]
