"""SkyRL-gym: CodeGen-v0 and CodeRefine-v0 behind skyrl_gym's BaseTextEnv, built and driven the way SkyRL's
generator does it (skyrl/train/generators/skyrl_gym_generator.py: make(env_class, env_config=..., extras=...),
init(chat_history), step(llm_output) until done, get_metrics(), close()), on rows of `codegym export --format
skyrl`."""

from __future__ import annotations

import pytest

skyrl_gym = pytest.importorskip("skyrl_gym")

from skyrl_gym.envs.base_text_env import BaseTextEnv, BaseTextEnvStepOutput  # noqa: E402

from codegym.cli import main  # noqa: E402
from codegym.integrations.skyrl import (  # noqa: E402
    CodeGenTextEnv,
    CodeRefineTextEnv,
    register_skyrl_envs,
    task_from_extras,
)
from codegym.tasks.model import CallTest, Task  # noqa: E402

ADD = Task("toy/add", "Write add(a, b).", entry_point="add",
           visible_tests=[CallTest("add", (1, 2), expected=3)],
           hidden_tests=[CallTest("add", (20, 22), expected=42), CallTest("add", (-5, 5), expected=0)])
GOOD = "Here you go.\n```python\ndef add(a, b):\n    return a + b\n```"
WRONG = "```python\ndef add(a, b):\n    return a - b\n```"


def extras_for(task: Task, **more) -> dict:
    return {"data_source": "codegym", "reward_spec": {"method": "rule", "ground_truth": task.to_json()},
            "extra_info": {"split": "train", "index": 0, "task_id": task.task_id}, **more}


def rollout(env_class: str, prompt: list[dict], extras: dict, answers: list[str], env_config=None):
    """SkyRL's agent loop with a scripted policy: returns (chat history, per-step outputs, metrics)."""
    extras = dict(extras, max_turns=extras.get("max_turns", 1))  # the generator sets env_extras["max_turns"]
    env = skyrl_gym.make(env_class, env_config=env_config if env_config is not None else {}, extras=extras)
    chat_history, _ = env.init([dict(m) for m in prompt])
    outputs, done, turn = [], False, 0
    while not done:
        action = answers[min(turn, len(answers) - 1)]
        step = env.step(action)
        outputs.append(step)
        chat_history += [{"role": "assistant", "content": action}, *step["observations"]]
        done, turn = step["done"], turn + 1
    metrics = env.get_metrics()
    env.close()
    return chat_history, outputs, metrics


@pytest.fixture(scope="module", autouse=True)
def registered():
    assert register_skyrl_envs() == ["codegym_codegen", "codegym_refine"]
    assert register_skyrl_envs() == ["codegym_codegen", "codegym_refine"]  # idempotent


def test_envs_are_skyrl_base_text_envs():
    env = skyrl_gym.make("codegym_codegen", env_config={}, extras=extras_for(ADD))
    assert isinstance(env, BaseTextEnv) and isinstance(env, CodeGenTextEnv) and isinstance(env, skyrl_gym.Env)
    assert isinstance(skyrl_gym.make("codegym_refine", extras=extras_for(ADD)), CodeRefineTextEnv)
    prompt = [{"role": "user", "content": "Write add(a, b)."}]
    history, info = env.init(prompt)
    assert history == prompt and info == {"task_id": "toy/add"}
    step = env.step(GOOD)
    assert set(step) == set(BaseTextEnvStepOutput.__annotations__)
    assert step["reward"] == 1.0 and step["done"] is True and step["observations"] == []
    assert step["metadata"]["passed"] is True and step["metadata"]["hidden_pass_rate"] == 1.0
    assert "def add" in step["metadata"]["program"]
    env.close()


def test_codegen_on_exported_rows(tmp_path):
    import pyarrow.parquet as pq

    assert main(["export", "--format", "skyrl", "--tasks", "builtin", "--limit", "3", "--seed", "1",
                 "--out", str(tmp_path)]) == 0
    rows = pq.read_table(tmp_path / "train.parquet").to_pylist()
    assert {r["env_class"] for r in rows} == {"codegym_codegen"}
    assert all(r["reward_spec"]["method"] == "rule" for r in rows)
    for row in rows:
        # SkyRL's PromptDataset: the prompt and env_class are popped, every other column is an extra
        prompt, env_class = row.pop("prompt"), row.pop("env_class")
        task = task_from_extras(row, {})
        for answer, expected in ((f"```python\n{task.reference}```", 1.0), ("no code, sorry", 0.0)):
            history, outputs, metrics = rollout(env_class, prompt, row, [answer],
                                                env_config={"action_format": "markdown"})
            assert [o["reward"] for o in outputs] == [expected]
            assert history[0] == prompt[0] and history[-1] == {"role": "assistant", "content": answer}
            assert metrics["passed"] is (expected == 1.0) and metrics["turns"] == 1
            assert metrics["format_error"] is (expected == 0.0)


def test_refine_gives_feedback_until_the_program_passes():
    from omegaconf import OmegaConf

    config = OmegaConf.create({"max_turns": 3, "reward": "binary"})  # SkyRL hands env_config as a DictConfig
    prompt = [{"role": "user", "content": "Write add(a, b)."}]
    history, outputs, metrics = rollout("codegym_refine", prompt, extras_for(ADD), [WRONG, GOOD], env_config=config)
    assert [o["reward"] for o in outputs] == [0.0, 1.0]  # reward_mode="final": paid on the last turn
    assert [o["done"] for o in outputs] == [False, True]
    [feedback] = outputs[0]["observations"]
    assert feedback["role"] == "user" and "add(1, 2)" in feedback["content"] and "```python" in feedback["content"]
    assert [m["role"] for m in history] == ["user", "assistant", "user", "assistant"]
    assert metrics == {"turns": 2, "passed": True, "hidden_pass_rate": 1.0, "format_error": False,
                       "total_reward": 1.0}
    from skyrl_gym.metrics import aggregate_for_environment

    aggregated = aggregate_for_environment("codegym_refine", [metrics, dict(metrics, turns=4)])
    assert aggregated["turns"] == 3.0


def test_refine_turn_budget_and_improvement_rewards():
    # no env_config max_turns: SkyRL's generator.max_turns (extras["max_turns"]) decides
    _, outputs, metrics = rollout("codegym_refine", [], extras_for(ADD, max_turns=2), [WRONG])
    assert [o["done"] for o in outputs] == [False, True] and metrics["passed"] is False
    assert [o["reward"] for o in outputs] == [0.0, 0.0]
    config = {"max_turns": 2, "reward_mode": "improvement", "reward": "pass_ratio"}
    half = "```python\ndef add(a, b):\n    return a * b if a != -b else 0\n```"  # fails add(1, 2) == 3
    _, outputs, _ = rollout("codegym_refine", [], extras_for(ADD), [half, GOOD], env_config=config)
    # hidden pass ratio 0.5 (add(-5, 5) == 0 passes) then 1.0; improvement adds r_t - r_{t-1}
    assert [o["reward"] for o in outputs] == pytest.approx([1.0, 1.5])


def test_registered_defaults_and_make_time_overrides():
    from skyrl_gym.metrics import aggregate_for_environment

    try:
        register_skyrl_envs({"max_turns": 2, "reward": "pass_ratio", "executor": "local"})
        env = skyrl_gym.make("codegym_refine", env_config={}, extras=extras_for(ADD, max_turns=5))
        assert isinstance(env, CodeRefineTextEnv) and env.max_turns == 2
        assert skyrl_gym.make("codegym_refine", env_config={"max_turns": 3}, extras=extras_for(ADD)).max_turns == 3
        env.init([])
        assert env.step(WRONG)["metadata"]["turn_reward"] == 0.0
        env.close()
        assert aggregate_for_environment("codegym_refine", [{"turns": 1}, {"turns": 3}]) == {"turns": 2.0}
    finally:
        register_skyrl_envs()
    assert skyrl_gym.make("codegym_refine", extras=extras_for(ADD)).max_turns == 4


def test_empty_prompt_gets_codegyms_chat_prompt_and_task_lookup_by_spec():
    extras = {"extra_info": {"task_id": "builtin/sum-of-integers"}}
    env = skyrl_gym.make("codegym_codegen", env_config={"tasks": "builtin"}, extras=extras)
    history, _ = env.init([])
    assert history[0]["role"] == "user" and "```python" in history[0]["content"]
    env.close()
    from codegym.errors import EnvConfigError

    with pytest.raises(EnvConfigError, match="ground_truth"):
        skyrl_gym.make("codegym_codegen", env_config={}, extras={"extra_info": {}})


def test_docs_agentic_rl_md_runs_as_written(tmp_path):
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/agentic_rl.md", tmp_path) == 2
