"""TRL: codegym's reward function scores both of TRL's dataset formats with the default code_mode="auto", and
TRL's real GRPOTrainer trains a tiny local model with it in both formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from codegym.integrations.export import CHAT_INSTRUCTION, dataset_rows, trl_row
from codegym.rewards import RewardConfigError
from codegym.rewards.adapters import program_for, stands_alone, trl_reward_function
from codegym.rewards.base import BinaryPassReward, Reward, RewardOutput
from codegym.tasks.model import CallTest, StdioTest, Task
from codegym.tasks.sources import load_tasks

FIXTURE = Path(__file__).parent / "fixtures" / "humaneval_sample.jsonl"
HUMANEVAL = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "HumanEval.jsonl.gz"

# the keywords TRL's GRPOTrainer passes besides the dataset columns (trl/trainer/grpo_trainer.py _calculate_rewards)
TRL_KWARGS = {"completion_ids": None, "trainer_state": None, "log_extra": lambda *a, **k: None,
              "log_metric": lambda *a, **k: None}


def body_of(task: Task) -> str:
    """HumanEval's canonical solution: the reference minus the prompt it continues."""
    assert task.reference.startswith(task.completion_prefix)
    return task.reference[len(task.completion_prefix):]


def standard(fn, tasks, completions):
    """A call in TRL's standard format: prompts and completions are strings."""
    return fn(prompts=[t.completion_prefix or t.prompt for t in tasks], completions=completions,
              task_id=[t.task_id for t in tasks], **dict(TRL_KWARGS, completion_ids=[[0]] * len(tasks)))


def conversational(fn, tasks, answers):
    """A call in TRL's conversational format: lists of messages."""
    prompts = [[{"role": "user", "content": f"{CHAT_INSTRUCTION}\n\n{t.prompt}"}] for t in tasks]
    completions = [[{"role": "assistant", "content": a}] for a in answers]
    return fn(prompts=prompts, completions=completions, task_id=[t.task_id for t in tasks],
              **dict(TRL_KWARGS, completion_ids=[[0]] * len(tasks)))


@pytest.fixture(scope="module")
def humaneval():
    return load_tasks(FIXTURE)


# -- issue 12: auto scores HumanEval completions in both formats ----------------------------------------------------


def test_standard_format_humaneval_completions_score_one_with_auto(humaneval):
    fn = trl_reward_function(BinaryPassReward(), humaneval)  # code_mode="auto", the default
    assert standard(fn, humaneval, [body_of(t) for t in humaneval]) == [1.0, 1.0]
    assert standard(fn, humaneval, ["    return None\n"] * 2) == [0.0, 0.0]
    # a model that restates the whole function in the standard format is scored on its own text
    assert standard(fn, humaneval, [t.reference for t in humaneval]) == [1.0, 1.0]
    # "completion" (always prefix + text) agrees on bodies
    explicit = trl_reward_function(BinaryPassReward(), humaneval, code_mode="completion")
    assert standard(explicit, humaneval, [body_of(t) for t in humaneval]) == [1.0, 1.0]


def test_conversational_format_scores_one_with_auto(humaneval):
    fn = trl_reward_function(BinaryPassReward(), {t.task_id: t for t in humaneval})
    fenced = [f"Here is the solution.\n```python\n{t.reference}```\n" for t in humaneval]
    tilde = [f"~~~python\n{t.reference}~~~" for t in humaneval]
    assert conversational(fn, humaneval, fenced) == [1.0, 1.0]
    assert conversational(fn, humaneval, tilde) == [1.0, 1.0]
    assert conversational(fn, humaneval, [t.reference for t in humaneval]) == [1.0, 1.0]  # bare program
    assert conversational(fn, humaneval, [body_of(t) for t in humaneval]) == [1.0, 1.0]  # bare body
    assert conversational(fn, humaneval, ["```python\ndef nope():\n    pass\n```"] * 2) == [0.0, 0.0]
    markdown = trl_reward_function(BinaryPassReward(), humaneval, code_mode="markdown")
    assert conversational(markdown, humaneval, tilde) == [1.0, 1.0]
    assert conversational(markdown, humaneval, [t.reference for t in humaneval]) == [0.0, 0.0]


@pytest.mark.skipif(not HUMANEVAL.exists(), reason=f"{HUMANEVAL} not found")
def test_real_humaneval_canonical_solutions_in_both_formats():
    tasks = load_tasks(HUMANEVAL)
    fn = trl_reward_function(BinaryPassReward(), tasks)
    assert standard(fn, tasks, [body_of(t) for t in tasks]) == [1.0] * len(tasks)
    answers = [f"```python\n{t.reference}```" for t in tasks]
    assert conversational(fn, tasks, answers) == [1.0] * len(tasks)


def test_auto_rule_for_tasks_without_a_completion_prefix():
    add = Task("toy/add", "Write add(a, b).", entry_point="add", hidden_tests=[CallTest("add", (1, 2), expected=3)])
    echo = Task("toy/echo", "Echo a line.", hidden_tests=[StdioTest("hi\n", "hi\n")])
    fn = trl_reward_function(BinaryPassReward(), [add, echo])
    good = ["def add(a, b):\n    return a + b\n", "print(input())\n"]
    assert standard(fn, [add, echo], good) == [1.0, 1.0]
    assert program_for(echo, "print(input())", "auto") == "print(input())"
    assert stands_alone(add, good[0]) and not stands_alone(add, "    return a + b\n")
    solution = Task("lc/1", "two sum", entry_point="Solution().twoSum")
    assert stands_alone(solution, "class Solution:\n    def twoSum(self, a, t):\n        return []\n")
    assert not stands_alone(solution, "def twoSum(a, t):\n    return []\n")


def test_errors_name_the_fix(humaneval):
    fn = trl_reward_function(BinaryPassReward(), humaneval)
    with pytest.raises(RewardConfigError, match="task_id"):
        fn(prompts=["p"], completions=["x"])
    with pytest.raises(RewardConfigError, match="string or a list of chat messages"):
        fn(prompts=["p"], completions=[42], task_id=[humaneval[0].task_id])
    with pytest.raises(RewardConfigError, match="code_mode"):
        trl_reward_function(BinaryPassReward(), humaneval, code_mode="python")
    # a tool-call message has no content
    assert fn(prompts=["p"], completions=[[{"role": "assistant", "content": None}]],
              task_id=[humaneval[0].task_id]) == [0.0]


def test_trl_rows_in_both_formats(humaneval):
    row = trl_row(humaneval[0])
    assert row == {"prompt": humaneval[0].completion_prefix, "task_id": humaneval[0].task_id}
    chat = dataset_rows(humaneval, "trl-chat")
    assert [m["role"] for m in chat[0]["prompt"]] == ["user"] and chat[0]["task_id"] == humaneval[0].task_id
    stdio = Task("toy/echo", "Echo a line.", visible_tests=[StdioTest("a\n", "a\n")],
                 hidden_tests=[StdioTest("hi\n", "hi\n")])
    assert "Visible tests" in trl_row(stdio)["prompt"] and trl_row(stdio)["prompt"].startswith(CHAT_INSTRUCTION)


# -- TRL's GRPOTrainer --------------------------------------------------------------------------------------------


class ProgramLengthReward(Reward):
    """A reward a random tiny model gets varied values of (it never passes a test): the program's length. It is
    computed on the program the adapter built (prefix + completion in the standard format)."""

    name = "program_length"

    def compute(self, evaluation, task, program, **context):
        return RewardOutput(min(len(program), 400) / 400.0)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    pytest.importorskip("trl")
    from agents.tiny import TinyModelConfig, build_tiny_model

    tasks = load_tasks("micro:4:1", seed=0)
    small = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                            num_attention_heads=2, max_position_embeddings=512)
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", small, corpus=[t.prompt for t in tasks]), tasks


@pytest.mark.parametrize("layout", ["trl", "trl-chat"])
def test_grpo_trainer_trains_with_codegym_rewards(tiny_model, tmp_path, layout):
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    path, tasks = tiny_model
    calls: list[dict] = []
    binary = trl_reward_function(BinaryPassReward(), tasks)

    def spy(prompts=None, completions=None, **kwargs):
        calls.append({"prompts": prompts, "completions": completions, **kwargs})
        return binary(prompts=prompts, completions=completions, **kwargs)

    spy.__name__ = binary.__name__
    shaped = trl_reward_function(ProgramLengthReward(), tasks)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(path)
    before = [p.detach().clone() for p in model.parameters()]
    config = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4,
                        max_completion_length=12, max_steps=2, learning_rate=1e-3, beta=0.0, logging_steps=1,
                        save_strategy="no", report_to="none", use_cpu=True, bf16=False, seed=0,
                        dataloader_num_workers=0)
    trainer = GRPOTrainer(model=model, reward_funcs=[spy, shaped], args=config,
                          train_dataset=Dataset.from_list(dataset_rows(tasks, layout)),
                          processing_class=AutoTokenizer.from_pretrained(path))
    trainer.train()

    assert trainer.state.global_step == 2
    logged = [h for h in trainer.state.log_history if f"rewards/{binary.__name__}/mean" in h]
    assert len(logged) == 2 and all(h[f"rewards/{shaped.__name__}/mean"] > 0 for h in logged)
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))  # the rewards moved the weights
    # TRL called the reward with this format's shapes and its own keywords, the task_id column aligned
    call = calls[0]
    conversational = layout == "trl-chat"
    assert all(isinstance(c, list) if conversational else isinstance(c, str) for c in call["completions"])
    assert {"completion_ids", "trainer_state", "task_id"} <= set(call)
    assert len(call["task_id"]) == len(call["completions"])
    # the same function, called as this trainer calls it, scores a correct answer in this format 1.0
    by_id = {t.task_id: t for t in tasks}
    task = by_id[call["task_id"][0]]
    answer = task.reference[len(task.completion_prefix):]
    if conversational:
        answer = [{"role": "assistant", "content": f"```python\n{task.reference}```"}]
    extra = {k: v[:1] if isinstance(v, list) else v for k, v in call.items() if k not in ("prompts", "completions")}
    assert binary(prompts=call["prompts"][:1], completions=[answer], **extra) == [1.0]


def test_docs_trl_md_runs_as_written(tmp_path):
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/trl.md", tmp_path) == 5
