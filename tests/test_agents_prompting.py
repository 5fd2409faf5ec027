"""Round trips of a trained model: the directory records how the model is prompted, and bench, train --model and
the server prompt it that way."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from agents.tiny import TinyModelConfig, build_tiny_model  # noqa: E402

SMALL = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=2, max_position_embeddings=512)


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", SMALL)


@pytest.fixture(scope="module")
def trained(tiny_path, tmp_path_factory):
    """A tiny model trained two GRPO+ steps completion-style; returns the run directory."""
    from agents.policy import Policy
    from agents.trainer import TrainConfig, Trainer
    from codegym.tasks.sources import load_tasks

    out = tmp_path_factory.mktemp("run")
    tasks = list(load_tasks("micro:4", seed=0))
    policy = Policy.from_pretrained(tiny_path, device="cpu")
    config = TrainConfig(algo="grpo+", train_tasks=tasks[:3], eval_tasks=tasks[3:], steps=2, eval_every=0,
                         save_every=0, output_dir=str(out), device="cpu", show_progress=False, tensorboard=False,
                         algo_overrides={"group_size": 2, "prompts_per_step": 2, "max_new_tokens": 8,
                                         "context_schedule": ()})
    Trainer(config, policy=policy).train()
    return out


def test_the_final_model_records_completion_style_and_bench_plays_it_that_way(trained, tmp_path):
    from agents.agent_specs import parse_agent_spec
    from agents.prompting import PROMPT_FORMAT_FILE, PromptFormat

    final = trained / "final"
    assert PromptFormat.load(final) == PromptFormat(style="completion")
    assert json.loads((final / PROMPT_FORMAT_FILE).read_text())["style"] == "completion"
    agent = parse_agent_spec(str(final), max_new_tokens=4, device="cpu")
    assert agent.prompt_format.style == "completion"


def test_bench_of_the_saved_directory_plays_completion_style(trained, tmp_path, capsys):
    from agents_cli import cli

    out = tmp_path / "bench"
    assert cli(["bench", "--env", "CodeGen-v0", "--agent", str(trained / "final"), "--tasks", "micro:2",
                "--max-new-tokens", "6", "--device", "cpu", "--output", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["agents"]["agent"]["prompt_style"] == "completion"
    from codegym.tasks.sources import load_tasks

    prompts = {t.task_id: t.prompt for t in load_tasks("micro:2", seed=0)}
    for line in (out / "episodes.jsonl").read_text().splitlines():
        record = json.loads(line)
        # completion style: the action is the task's prompt continued, never a chat answer
        assert record["actions"][0].startswith(prompts[record["task_id"]])


def test_train_from_the_saved_directory_keeps_its_style(trained, tmp_path, capsys):
    from agents_cli import cli

    out = tmp_path / "again"
    assert cli(["train", "--model", str(trained / "final"), "--tasks", "micro:6", "--eval-size", "2",
                "--eval-samples", "1", "--steps", "1", "--eval-every", "0", "--group-size", "2",
                "--prompts-per-step", "1", "--max-new-tokens", "6", "--device", "cpu", "--no-progress",
                "--output", str(out)]) == 0
    assert "(completion style)" in capsys.readouterr().out
    assert json.loads((out / "train_config.json").read_text())["prompt_format"]["style"] == "completion"
    from agents.prompting import PromptFormat

    assert PromptFormat.load(out / "final").style == "completion"


def test_an_explicit_prompt_style_is_recorded_and_noted(tiny_path, tmp_path):
    from agents.policy import Policy
    from agents.prompting import PromptFormat
    from agents.trainer import TrainConfig, Trainer
    from codegym.tasks.sources import load_tasks

    notes = []
    config = TrainConfig(train_tasks=list(load_tasks("micro:2", seed=0)), steps=0, eval_every=0, save_every=0,
                         output_dir=str(tmp_path), device="cpu", show_progress=False, tensorboard=False,
                         prompt_style="chat", stop=("\nprint(",),
                         algo_overrides={"group_size": 2, "prompts_per_step": 1, "max_new_tokens": 4})
    trainer = Trainer(config, policy=Policy.from_pretrained(tiny_path, device="cpu"), echo=notes.append)
    trainer.train()
    assert PromptFormat.load(tmp_path / "final") == PromptFormat(style="chat", stop=("\nprint(",))
    assert any("completion-style by default" in n and "chat" in n for n in notes)


def test_the_server_follows_the_record(trained):
    import urllib.request

    from agents.serve import start_server

    server, thread = start_server(str(trained / "final"), port=0)
    try:
        body = json.dumps({"prompt": "def f(x):\n", "max_tokens": 4, "temperature": 0}).encode()
        request = urllib.request.Request(server.url + "/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["object"] == "text_completion"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    # --prompt-style chat serves the same directory through its chat template
    server, thread = start_server(str(trained / "final"), port=0, prompt_style="chat")
    try:
        body = json.dumps({"messages": [{"role": "user", "content": "hi"}], "max_tokens": 3}).encode()
        request = urllib.request.Request(server.url + "/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert json.load(response)["object"] == "chat.completion"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_stop_sequences_end_the_answer_before_them(tiny_path):
    from agents.policy import Policy

    policy = Policy.from_pretrained(tiny_path, device="cpu")
    free = policy.generate(["def add(a, b):\n"], temperature=0.0, max_new_tokens=16, return_logprobs=True)[0]
    assert len(free.text) >= 6, free.text
    stop = free.text[3:5]
    cut = policy.generate(["def add(a, b):\n"], temperature=0.0, max_new_tokens=16, return_logprobs=True,
                          stop=[stop])[0]
    assert cut.text == free.text[:free.text.index(stop)]
    assert not cut.truncated and len(cut.completion_ids) == len(cut.logprobs) <= len(free.completion_ids)
    # the ids run to the token that completed the stop sequence, as the policy sampled them
    assert cut.completion_ids == free.completion_ids[:len(cut.completion_ids)]
    decoded = policy.tokenizer.decode(cut.completion_ids, skip_special_tokens=True)
    assert decoded.startswith(cut.text + stop)


def test_prompt_format_record_round_trip_and_errors(tmp_path):
    from agents.prompting import PROMPT_FORMAT_FILE, PromptFormat, PromptFormatError

    fmt = PromptFormat(style="chat", show_tests=False, stop=("\ndef ",))
    fmt.save(tmp_path)
    assert PromptFormat.load(tmp_path) == fmt
    assert PromptFormat.load(tmp_path / "missing") is None
    (tmp_path / PROMPT_FORMAT_FILE).write_text('{"style": "poetry"}')
    with pytest.raises(PromptFormatError, match="chat, completion"):
        PromptFormat.load(tmp_path)
    obs = {"prompt": "def f():\n", "tests": "assert f() == 1", "feedback": "failed: f() == 2",
           "previous_code": "def f():\n    return 2\n"}
    chat = PromptFormat(style="chat").prompt(obs)[0]["content"]
    assert "Visible tests" in chat and "failed: f() == 2" in chat and "return 2" in chat
    completion = PromptFormat(style="completion")
    assert completion.prompt(obs).endswith("def f():\n") and completion.prompt(obs).startswith("# ")
    assert completion.action(obs, "    return 1\n") == "def f():\n    return 1\n"
