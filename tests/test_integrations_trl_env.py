"""TRL's multi-turn environment interface: ``CodeRefine-v0`` behind ``GRPOTrainer(environment_factory=...)``.

The environment is driven directly with real programs on real tasks (the built-in suite, with hidden tests that
carry a canary, and HumanEval), its tool goes through transformers' schema extraction, and TRL's real GRPOTrainer
trains a tiny local model with it: once generating with the model (which makes no valid tool call), once with
scripted tool calls that TRL parses and executes itself.
"""

from __future__ import annotations

import dataclasses
import inspect
import json

import pytest

from codegym.errors import ActionError, EnvConfigError, EnvStateError, UnknownTaskError
from codegym.integrations.trl import TOOL_INSTRUCTION, CodeRefineToolEnv, ToolEnvFactory, tool_env_rows
from codegym.tasks.builtin import load_builtin
from codegym.tasks.model import CallTest

CANARY = "CANARY_trl_tool_5b2e"
TASK_ID = "builtin/fizzbuzz-custom-rules"
WRONG = "def fizzbuzz_rules(n, rules):\n    return []\n"


@pytest.fixture(scope="module")
def canary_task():
    """A built-in task plus a hidden test whose arguments and expected value carry the canary."""
    task = next(t for t in load_builtin() if t.task_id == TASK_ID)
    canary = CallTest("fizzbuzz_rules", (2, [[2, CANARY]]), expected=["1", CANARY], name="canary")
    return dataclasses.replace(task, hidden_tests=[*task.hidden_tests, canary])


def visible_only(task, visible_text: str) -> str:
    """Right on the visible tests (read from what reset returned), and on every other call an error whose message
    holds the call's arguments -- the hidden canary among them, if the tool ever let a hidden run's output out."""
    solve = task.reference.replace("def fizzbuzz_rules", "def _solve")
    return (f"{solve}\n_VISIBLE = {visible_text!r}\n\n\ndef fizzbuzz_rules(n, rules):\n"
            "    if f'({n!r}, {rules!r})' in _VISIBLE:\n        return _solve(n, rules)\n"
            "    raise RuntimeError(f'unexpected call {n!r} {rules!r}')\n")


# -- the environment, driven as TRL drives it ----------------------------------------------------------------------


def test_wrong_then_right_program_on_a_builtin_task(canary_task, local_executor):
    rows = tool_env_rows([canary_task])
    assert rows[0]["task_id"] == TASK_ID and rows[0]["prompt"][0]["content"].startswith(TOOL_INSTRUCTION)
    assert "Visible tests" not in rows[0]["prompt"][0]["content"]  # reset supplies them, as the env runs them
    with ToolEnvFactory([canary_task], max_turns=3, executor=local_executor) as factory:
        env = factory()
        shown = env.reset(**rows[0])  # TRL passes every column of the row
        assert shown.startswith("\n\n") and "candidate(5, [[3, 'Fizz']])" in shown and "3 runs" in shown
        results = [shown]

        wrong = env.run_tests(WRONG)
        results.append(wrong)
        assert "visible tests passed: 1/3" in wrong and "candidate(5, [[3, 'Fizz']])" in wrong
        assert "2 runs left" in wrong and env.turns == 1 and not env.done and env.get_reward() == 0.0

        # passes the visible tests, fails the hidden ones: the episode ends, the hidden tests decide the reward
        gamed = env.run_tests(visible_only(canary_task, shown))
        results.append(gamed)
        assert "visible tests passed: 3/3" in gamed and "episode is over" in gamed
        assert env.done and env.get_reward() == 0.0 and env.info["hidden_passed"] < env.info["hidden_total"]
        with pytest.raises(EnvStateError, match="episode is over.*passed every visible test"):
            env.run_tests(canary_task.reference)
        assert env.turns == 2

        # the row's task again (TRL reuses environments across batches): the reference earns 1.0
        results.append(env.reset(**rows[0]))
        assert env.turns == 0 and env.get_reward() == 0.0 and env.task_id == TASK_ID
        results.append(env.run_tests(f"Here it is:\n```python\n{canary_task.reference}```"))  # fenced: auto
        assert env.get_reward() == 1.0 and env.done and env.info["hidden_passed"] == env.info["hidden_total"]
    assert not any(CANARY in text for text in results), "hidden test data reached a tool result"


def test_turns_run_out(canary_task, local_executor):
    with ToolEnvFactory([canary_task], max_turns=2, executor=local_executor) as factory:
        env = factory()
        env.reset(task_id=TASK_ID)
        assert "1 run left" in env.run_tests(WRONG)
        last = env.run_tests("def fizzbuzz_rules(n, rules):\n    return 1 / 0\n")
        assert "ZeroDivisionError" in last and "last run (2 of 2)" in last and env.done
        with pytest.raises(EnvStateError, match="all 2 runs are used"):
            env.run_tests(canary_task.reference)
        assert env.turns == 2 and env.get_reward() == 0.0 and CANARY not in last


@pytest.mark.filterwarnings("ignore:CodeRefine-v0.*no hidden tests:UserWarning")  # four HumanEval tasks
def test_humaneval_task(humaneval_path, local_executor):
    from codegym.tasks.sources import load_tasks

    tasks = [t for t in load_tasks(str(humaneval_path)) if t.task_id in ("HumanEval/0", "HumanEval/2")]
    task = tasks[0]
    rows = {row["task_id"]: row for row in tool_env_rows(tasks)}
    with ToolEnvFactory(str(humaneval_path), executor=local_executor) as factory:  # a spec, loaded once
        env = factory()
        shown = env.reset(**rows["HumanEval/0"])
        # CodeRefine-v0 makes the first assertion of check() visible; the other six stay hidden
        first = "assert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True"
        assert first in shown
        hidden = [line.strip() for line in task.hidden_tests[0].code.splitlines()
                  if line.strip().startswith("assert ") and line.strip() != first]
        assert len(hidden) == 6
        wrong = env.run_tests("def has_close_elements(numbers, threshold):\n    return False\n")
        assert "visible tests passed: 0/1" in wrong and first in wrong and env.get_reward() == 0.0
        right = env.run_tests(task.reference)
        assert "visible tests passed: 1/1" in right and env.get_reward() == 1.0 and env.info["hidden_passed"] == 6
        for text in (shown, wrong, right):
            assert not any(line in text for line in hidden), "a hidden assertion reached the model"
        # another task of the same spec in the same environment
        env.reset(**rows["HumanEval/2"])
        env.run_tests(tasks[1].reference)
        assert env.task_id == "HumanEval/2" and env.get_reward() == 1.0


def test_factory_shares_tasks_and_executor_and_honours_wrappers(canary_task, local_executor):
    from codegym.rewards import RLTFReward
    from codegym.wrappers import RewardWrapper

    factory = ToolEnvFactory([canary_task], executor=local_executor,
                             wrappers=[lambda env: RewardWrapper(env, RLTFReward())])
    first, second = factory(), factory()
    assert first is not second and factory.environments == [first, second]
    assert first.env.get_wrapper_attr("executor") is local_executor is second.env.get_wrapper_attr("executor")
    first.reset(task_id=TASK_ID)
    first.run_tests("def fizzbuzz_rules(n, rules):\n    return [str(i) for i in range(1, n + 1)]\n")
    # the outermost wrapper's reward: RLTF's -0.3 + 1.3 * pass ratio, where the env alone would give 0.0
    assert -0.3 < first.get_reward() < 1.0
    factory.close()
    assert factory.environments == []

    # a backend name: one executor for every environment, created and closed by the factory
    with ToolEnvFactory([canary_task], executor="local") as owned:
        a, b = owned(), owned()
        executor = a.env.get_wrapper_attr("executor")
        assert executor is b.env.get_wrapper_attr("executor") and executor is not local_executor
        a.reset(task_id=TASK_ID)
        assert "3/3" in a.run_tests(canary_task.reference)


def test_errors_say_what_to_do(canary_task, local_executor):
    with pytest.raises(EnvConfigError, match="max_turns"):  # gymnasium.make's keyword check, at construction
        ToolEnvFactory([canary_task], max_turn=2, executor=local_executor)
    with pytest.raises(EnvConfigError, match="backend"):
        ToolEnvFactory([canary_task], executor="dokcer")
    with pytest.raises(EnvConfigError, match="wrappers"):
        CodeRefineToolEnv([canary_task], wrappers=["TimeLimit"], executor=local_executor)
    with CodeRefineToolEnv([canary_task], executor=local_executor) as env:
        with pytest.raises(EnvStateError, match="before reset"):
            env.run_tests(WRONG)
        with pytest.raises(EnvConfigError, match="task_id.*tool_env_rows"):
            env.reset(prompt=[{"role": "user", "content": "hi"}])
        with pytest.raises(UnknownTaskError, match="HumanEval/0"):
            env.reset(task_id="HumanEval/0")
        env.reset(task_id=TASK_ID)
        with pytest.raises(ActionError, match="str"):  # a tool call whose argument is not text
            env.run_tests({"code": WRONG})
        assert env.turns == 0 and not env.done  # a refused call costs no run


# -- the tool as TRL and transformers see it ---------------------------------------------------------------------


def test_tool_schema_and_discovery(canary_task, local_executor):
    from transformers.utils import get_json_schema

    with CodeRefineToolEnv([canary_task], executor=local_executor) as env:
        schema = get_json_schema(env.run_tests)
    function = schema["function"]
    assert function["name"] == "run_tests" and "visible tests" in function["description"]
    assert function["parameters"]["required"] == ["code"]
    assert function["parameters"]["properties"]["code"]["type"] == "string"
    assert function["parameters"]["properties"]["code"]["description"].startswith("The complete Python program")
    # TRL exposes every public function of the class but reset and get_reward (grpo_trainer.py): only run_tests
    public = [name for name, _ in inspect.getmembers(CodeRefineToolEnv, predicate=inspect.isfunction)
              if not name.startswith("_")]
    assert sorted(public) == ["get_reward", "reset", "run_tests"]


# -- TRL's GRPOTrainer ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tool_model(tmp_path_factory):
    """The tiny local model with a chat template that renders tool calls (its own renders none, and TRL refuses
    it for tools): Qwen3's, whose tool-call format TRL parses itself."""
    pytest.importorskip("trl")
    from transformers import AutoTokenizer
    from trl.chat_template_utils import qwen3_chat_template

    from agents.tiny import TinyModelConfig, build_tiny_model

    tasks = [t for t in load_builtin() if t.task_id in (TASK_ID, "builtin/signed-digit-sum")]
    # the tool's schema in the system prompt makes prompts ~1k tokens of this small vocabulary
    small = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                            num_attention_heads=2, max_position_embeddings=4096)
    path = build_tiny_model(tmp_path_factory.mktemp("tiny") / "model", small, corpus=[t.prompt for t in tasks])

    def tokenizer():
        tok = AutoTokenizer.from_pretrained(path)
        tok.chat_template = qwen3_chat_template
        return tok

    return path, tokenizer, tasks


EXPERIMENTAL = "ignore:You are using 'environment_factory':UserWarning"


def grpo(path, tokenizer, tasks, tmp_path, factory, reward_funcs, **config):
    from datasets import Dataset
    from transformers import AutoModelForCausalLM
    from trl import GRPOConfig, GRPOTrainer

    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4,
                      learning_rate=1e-2, beta=0.0, logging_steps=1, save_strategy="no", report_to="none",
                      use_cpu=True, bf16=False, seed=0, dataloader_num_workers=0, **config)
    return GRPOTrainer(model=AutoModelForCausalLM.from_pretrained(path), args=args, reward_funcs=reward_funcs,
                       train_dataset=Dataset.from_list(tool_env_rows(tasks)), processing_class=tokenizer(),
                       environment_factory=factory)


@pytest.mark.filterwarnings(EXPERIMENTAL)
def test_grpo_trainer_trains_with_the_environment(tool_model, tmp_path, local_executor, monkeypatch):
    """The tiny model generates (noise: no valid tool call); TRL resets an environment per rollout and scores
    every rollout with get_reward, next to a reward function on the final answer."""
    from codegym.rewards.adapters import trl_reward_function
    from codegym.rewards.base import BinaryPassReward

    path, tokenizer, tasks = tool_model
    got: list[tuple[str | None, float]] = []
    original = CodeRefineToolEnv.get_reward

    def spy(self):
        got.append((self.task_id, original(self)))
        return got[-1][1]

    monkeypatch.setattr(CodeRefineToolEnv, "get_reward", spy)
    final_answer = trl_reward_function(BinaryPassReward(), tasks)
    with ToolEnvFactory(tasks, max_turns=2, executor=local_executor) as factory:
        trainer = grpo(path, tokenizer, tasks, tmp_path, factory, [final_answer], max_completion_length=12,
                       max_steps=2)
        assert [tool.__name__ for tool in trainer.tools] == ["run_tests"]
        trainer.train()
        assert trainer.state.global_step == 2
        logged = [h for h in trainer.state.log_history if "rewards/CodeRefineToolEnv/mean" in h]
        assert len(logged) == 2 and all(f"rewards/{final_answer.__name__}/mean" in h for h in logged)
        # get_reward scored every rollout of both steps, each on its row's task; no tool call, so 0.0
        assert len(got) == 8 and {task_id for task_id, _ in got} <= {t.task_id for t in tasks}
        assert all(value == 0.0 for _, value in got) and len(factory.environments) == 4


@pytest.mark.filterwarnings(EXPERIMENTAL)
def test_grpo_trainer_executes_tool_calls(tool_model, tmp_path, local_executor):
    """Scripted generations in Qwen3's tool-call format (the tiny model cannot write them): TRL parses each call,
    runs run_tests, appends the result and generates again; get_reward then separates the right program from
    the wrong one, and the update moves the weights."""
    import torch

    path, tokenizer, tasks = tool_model
    seen: list = []

    def record(completions, **kwargs):
        seen.extend(completions)
        return [0.0] * len(completions)

    with ToolEnvFactory(tasks, max_turns=2, executor=local_executor) as factory:
        trainer = grpo(path, tokenizer, tasks, tmp_path, factory, [record], max_completion_length=1024,
                       max_steps=1)
        tok = trainer.processing_class
        before = [p.detach().clone() for p in trainer.model.parameters()]

        def scripted(prompt_ids, images, multimodal_fields, num_generations, has_tool_images=False):
            replies = []
            for i, ids in enumerate(prompt_ids):
                text = tok.decode(ids)
                if "<tool_response>" in text:  # after the tool's result: the final answer
                    replies.append("Done.<|im_end|>")
                    continue
                task = next(t for t in tasks if t.prompt.rstrip() in text)
                code = task.reference if i % 2 == 0 else "def nothing():\n    return None\n"
                call = json.dumps({"name": "run_tests", "arguments": {"code": code}})
                replies.append(f"<tool_call>\n{call}\n</tool_call><|im_end|>")
            return [tok.encode(r, add_special_tokens=False) for r in replies], None

        trainer._generate_single_turn = scripted  # the generation step only; parsing and tools are TRL's
        trainer.train()
        log = trainer.state.log_history[0]
        assert log["tools/call_frequency"] == 1.0 and log["tools/failure_frequency"] == 0.0
        assert log["rewards/CodeRefineToolEnv/mean"] == 0.5 and log["loss"] != 0.0
        assert sorted(env.get_reward() for env in factory.environments) == [0.0, 0.0, 1.0, 1.0]
        assert all(env.turns == 1 for env in factory.environments)
    assert any(not torch.equal(a, b) for a, b in zip(before, trainer.model.parameters()))
    tool_results = [m["content"] for completion in seen for m in completion if m["role"] == "tool"]
    assert len(tool_results) == 4
    assert sum("Every visible test passed" in r for r in tool_results) == 2
    assert sum("visible tests passed: 0/" in r for r in tool_results) == 2
