"""codegym bench: agent specs, the OpenAI-compatible server (real HTTP on loopback) and the bench runner."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from agents.agent_specs import AgentSpecError, CallableAgent, OpenAIAgent, parse_agent_spec, split_role  # noqa: E402
from agents.tiny import TinyModelConfig, build_tiny_model  # noqa: E402

SMALL = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                        num_attention_heads=2, max_position_embeddings=512)


def reference_agent(observation):
    """A callable agent for the tests: answers with the micro task's body (it knows the templates' answers)."""
    from codegym.tasks.sources import load_tasks

    tasks = {t.task_id: t for t in load_tasks("micro:3", seed=0)}
    return "```python\n" + tasks[observation["task_id"]].reference + "```"


def wrong_agent(observation, role="coder"):
    return "def nothing():\n    return None\n"


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", SMALL)


def test_spec_parsing_and_errors(tiny_path):
    assert split_role("coder=openai:http://h/v1#m") == ("coder", "openai:http://h/v1#m")
    assert split_role("openai:http://h/v1?a=b#m") == (None, "openai:http://h/v1?a=b#m")
    assert isinstance(parse_agent_spec("test_agents_bench:wrong_agent"), CallableAgent)
    assert isinstance(parse_agent_spec("openai:http://127.0.0.1:9/v1#m"), OpenAIAgent)
    with pytest.raises(AgentSpecError, match="openai:http"):
        parse_agent_spec("openai:127.0.0.1#m")
    with pytest.raises(AgentSpecError, match="cannot import"):
        parse_agent_spec("no_such_module_xyz:f")
    with pytest.raises(AgentSpecError, match="not an existing model directory"):
        parse_agent_spec("./definitely/missing/dir")


def test_callable_agent_must_return_text():
    agent = CallableAgent(lambda obs: 3, "bad")
    with pytest.raises(AgentSpecError, match="str"):
        agent.act([{"prompt": "x"}])


def test_bench_cli_with_callables_reports_success_and_saves_episodes(tmp_path, capsys):
    from agents_cli import cli as main

    assert main(["bench", "--env", "CodeGen-v0", "--agent", "test_agents_bench:reference_agent", "--tasks",
                 "micro:3", "--output", str(tmp_path / "good")]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("CodeGen-v0"))
    assert row.split()[2] == "1.000"  # success rate
    records = [json.loads(line) for line in (tmp_path / "good" / "episodes.jsonl").read_text().splitlines()]
    assert len(records) == 3 and all(r["success"] and r["turns"] == 1 for r in records)
    assert (tmp_path / "good" / "bench.png").exists()

    assert main(["bench", "--env", "CodeRefine-v0", "--agent", "test_agents_bench:wrong_agent", "--tasks",
                 "micro:2", "--max-turns", "2", "--output", str(tmp_path / "bad")]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("CodeRefine-v0"))
    assert row.split()[2] == "0.000" and row.split()[4] == "2.00"  # never succeeds, uses both turns


def test_openai_endpoint_serving_the_tiny_model(tiny_path, tmp_path, capsys):
    from agents_cli import cli as main

    from agents.serve import start_server

    server, thread = start_server(str(tiny_path), port=0, model_name="tiny")
    try:
        assert server.server_address[0] == "127.0.0.1"
        with urllib.request.urlopen(server.url + "/models", timeout=30) as response:
            model = json.load(response)["data"][0]
        assert model["id"] == "tiny" and model["prompt_format"]["style"] == "completion"
        bad = urllib.request.Request(server.url + "/completions", data=b'{"prompt": 3}',
                                     headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(bad, timeout=30)
        assert err.value.code == 400

        agent = parse_agent_spec(f"openai-completions:{server.url}#tiny", max_new_tokens=8)
        answers = agent.act([{"prompt": "def f(x):", "task_id": "t"}] * 2)
        # completion style: the action is the prompt and its continuation
        assert len(answers) == 2 and all(a.startswith("def f(x):") for a in answers)

        assert main(["bench", "--env", "CodeGen-v0", "--agent", f"openai-completions:{server.url}#tiny", "--tasks",
                     "micro:2", "--max-new-tokens", "16", "--samples", "2", "--output", str(tmp_path)]) == 0
        out = capsys.readouterr().out
        assert "pass@2" in out and "agent: tiny" in out
        records = [json.loads(line) for line in (tmp_path / "episodes.jsonl").read_text().splitlines()]
        assert len(records) == 4 and {r["sample"] for r in records} == {0, 1}

        # the tiny model was never prompted through its chat template: the server says so instead of answering
        assert main(["bench", "--env", "CodeGen-v0", "--agent", f"openai:{server.url}#tiny", "--tasks", "micro:1",
                     "--max-new-tokens", "4", "--output", str(tmp_path / "chat")]) == 2
        err_text = capsys.readouterr().err
        assert "completion-style" in err_text and "openai-completions:" in err_text
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
    assert not thread.is_alive()


def unit_test_writer(observation, role="tester"):
    """Writes one correct unit test from the task's visible test (JSON {"input", "output"})."""
    from codegym.tasks.sources import load_tasks

    task = {t.task_id: t for t in load_tasks("micro:3", seed=0)}[observation["task_id"]]
    test = task.visible_tests[0]
    return json.dumps([{"input": list(test.args), "output": test.expected}])


def test_bench_coder_tester_with_one_agent_per_role(tmp_path, capsys):
    from agents_cli import cli as main

    assert main(["bench", "--env", "CoderTester-v0", "--agent", "coder=test_agents_bench:reference_agent",
                 "--agent", "tester=test_agents_bench:unit_test_writer", "--tasks", "micro:2",
                 "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "coder=test_agents_bench:reference_agent" in out
    row = next(line for line in out.splitlines() if line.startswith("CoderTester-v0"))
    assert row.split()[2] == "1.000"  # the reference programs are correct
    records = [json.loads(line) for line in (tmp_path / "episodes.jsonl").read_text().splitlines()]
    assert len(records) == 2 and all(r["role_rewards"]["coder"] == 1.0 for r in records)
    assert all("tester" in r["role_rewards"] for r in records)
