"""CodeGenTokens-v0: the vocabulary expresses micro-task bodies in a few actions, masks, rewards, SB3."""

from __future__ import annotations

import numpy as np
import pytest

from codegym.envs.tokens import (
    DEDENT,
    EOS,
    NEWLINE,
    CodeGenTokensEnv,
    CodeVocabulary,
    HFTokenizerAdapter,
    bind_task,
)
from codegym.errors import ActionError, EnvConfigError
from codegym.rewards.base import Reward, RewardOutput
from codegym.tasks.micro import generate_micro_tasks


@pytest.fixture(scope="module")
def vocab():
    return CodeVocabulary.default()


def body_of(task):
    return task.reference[len(task.completion_prefix):]


def test_binding_of_a_micro_task():
    task = generate_micro_tasks(3, seed=1, difficulty=1)[2]
    binding = bind_task(task)
    assert binding.function == task.entry_point
    assert len(binding.params) >= 1 and all(p in task.prompt for p in binding.params)


@pytest.mark.parametrize("compact", [False, True])
@pytest.mark.parametrize("level, max_actions", [(0, 20), (1, 12)])
def test_level_0_1_bodies_are_a_handful_of_actions(vocab, level, max_actions, compact):
    """Every reference body of unseen micro tasks is expressible (no <unk>) in a few actions and decodes back,
    with the general and with the compact (levels 0-1, 34 actions) vocabulary."""
    if compact:
        vocab = CodeVocabulary.for_micro_levels((0, 1))
        assert vocab.n_actions <= 40
    lengths = []
    for task in generate_micro_tasks(60, seed=99, difficulty=level):
        binding = bind_task(task)
        actions = vocab.encode_body(body_of(task), binding)
        assert vocab.unk_id not in actions, task.task_id
        decoded, _ = vocab.decode_body(actions, binding)
        assert compile(task.completion_prefix + decoded, "<body>", "exec")
        lengths.append(len(actions))
    assert max(lengths) <= max_actions and np.mean(lengths) <= 8


def test_reference_actions_score_one_and_the_mask_allows_them(vocab, local_executor):
    tasks = generate_micro_tasks(30, seed=4, difficulty=None)  # every level, including loops and conditionals
    env = CodeGenTokensEnv(tasks, executor=local_executor, max_tokens=48, render_mode="ansi")
    for task in tasks:
        env.reset(options={"task_id": task.task_id})
        actions = vocab.encode_body(body_of(task), env._episode.binding)
        for i, action in enumerate(actions):
            assert env.action_masks()[action], (task.task_id, vocab.action_token(action))
            obs, reward, terminated, truncated, info = env.step(action)
            assert not info["illegal_action"]
            assert terminated == (i == len(actions) - 1)
        assert reward == 1.0 and info["status"] == "passed", (task.task_id, info["program"])
        assert info["token_rewards"][-1] == 1.0
    assert "--- code ---" in env.render()


def test_mask_rules(vocab):
    task = generate_micro_tasks(1, seed=0, difficulty=1)[0]
    binding = bind_task(task)
    ids = vocab.ids

    def mask_after(*words):
        return vocab.action_mask([ids[w] for w in words], binding)

    empty = mask_after()
    assert not empty[ids[EOS]] and not empty[ids[NEWLINE]] and not empty[ids[DEDENT]]
    assert empty[ids["return"]] and empty[ids["<arg0>"]] and not empty[ids["<arg3>"]]  # only bound slots
    assert not empty[ids["*"]] and not empty[ids[")"]]  # no operator or closing bracket at a line start
    opened = mask_after("if", "<arg0>", ":", NEWLINE)
    assert not opened[ids[DEDENT]] and not opened[ids[EOS]] and not opened[ids[NEWLINE]]  # the block needs a body
    body = mask_after("if", "<arg0>", ":", NEWLINE, "return", "1", NEWLINE)
    assert body[ids[DEDENT]] and body[ids[EOS]]
    after_return = mask_after("return")
    assert after_return[ids["<arg0>"]] and after_return[ids["("]] and after_return[ids[EOS]]
    assert not after_return[ids["*"]] and not after_return[ids["="]]
    after_operand = mask_after("return", "<arg0>")
    assert after_operand[ids["*"]] and after_operand[ids[EOS]] and after_operand[ids[NEWLINE]]
    assert not after_operand[ids["<arg0>"]] and not after_operand[ids["="]] and not after_operand[ids[":"]]
    in_call = mask_after("return", "abs", "(", "<arg0>")
    assert in_call[ids[")"]] and not in_call[ids[NEWLINE]] and not in_call[ids[EOS]] and not in_call[ids["]"]]
    header = mask_after("for", "v", "in", "<arg0>")
    assert header[ids[":"]] and not header[ids[NEWLINE]]
    assignment = mask_after("total", "=", "0")
    assert assignment[ids[NEWLINE]] and not assignment[ids["="]]
    assert mask_after("v", ".")[ids["upper"]] and not mask_after("v", ".")[ids["<num0>"]]
    assert mask_after("return", "<arg0>", "not").sum() == 1  # only 'in'
    # statements that do nothing are left out: a bare literal line, or a name without assignment or call
    assert not empty[ids["1"]] and not mask_after("v")[ids[NEWLINE]]
    assert mask_after("v", ".", "append", "(", "1", ")")[ids[NEWLINE]]


def test_auto_indent_and_dedent(vocab):
    task = generate_micro_tasks(1, seed=0, difficulty=1)[0]
    binding = bind_task(task)
    words = ["if", "<arg0>", ">", "0", ":", NEWLINE, "return", "1", NEWLINE, DEDENT, "return", "2", NEWLINE, EOS]
    body, ends = vocab.decode_body([vocab.ids[w] for w in words], binding)
    param = binding.params[0]
    assert body == f"    if {param} > 0 :\n        return 1\n    return 2\n"
    assert [e for e in ends if e >= 0] == [0, 1, 2]


def test_illegal_action_is_ignored_and_length_cap_truncates(vocab, local_executor):
    tasks = generate_micro_tasks(2, seed=0, difficulty=0)
    env = CodeGenTokensEnv(tasks, executor=local_executor, max_tokens=3)
    env.reset(seed=0)
    _, reward, terminated, truncated, info = env.step(vocab.ids[EOS])  # EOS before any token: masked
    assert info["illegal_action"] and not terminated and not truncated
    env.step(vocab.ids["return"])
    _, reward, terminated, truncated, info = env.step(vocab.ids["*"])  # no operand yet: masked, ignored
    assert truncated and not terminated and reward == 0.0 and info["illegal_actions"] == 2
    assert info["program"].endswith("    return\n") and info["status"] == "failed"
    env.reset(seed=0)
    with pytest.raises(ActionError):
        env.step(10_000)


def test_observation_layout(vocab):
    tasks = generate_micro_tasks(2, seed=0, difficulty=1)
    env = CodeGenTokensEnv(tasks, executor="local", prompt_tokens=16, max_tokens=8)
    obs, _ = env.reset(seed=0)
    assert obs["tokens"].shape == (24,) and obs["tokens"].dtype == np.int64
    assert obs["tokens"][0] == vocab.ids["<fn>"] and (obs["tokens"][16:] == vocab.pad_id).all()
    obs, *_ = env.step(vocab.ids["return"])
    assert obs["tokens"][16] == vocab.ids["return"] and env.observation_space.contains(obs)


def test_dense_line_rewards_land_on_line_ends(vocab, local_executor):
    class LineCount(Reward):
        """1.0 for the outcome; each line of the program gets 0.1 (a stand-in for a process reward)."""

        def compute(self, evaluation, task, program, **ctx):
            return RewardOutput(1.0 if evaluation.hidden_all_passed else 0.0,
                                line_rewards=[0.1] * len(program.splitlines()))

    task = [t for t in generate_micro_tasks(40, seed=2, difficulty=2) if len(body_of(t).splitlines()) >= 3][0]
    env = CodeGenTokensEnv([task], reward=LineCount(), dense_line_rewards=True, executor=local_executor,
                           max_tokens=48)
    env.reset(seed=0)
    actions = vocab.encode_body(body_of(task), env._episode.binding)
    rewards = [env.step(a)[1] for a in actions]
    newline_steps = [i for i, a in enumerate(actions) if a == vocab.ids[NEWLINE]]
    assert all(rewards[i] == pytest.approx(0.1) for i in newline_steps)
    assert all(r == 0.0 for i, r in enumerate(rewards[:-1]) if i not in newline_steps)
    assert rewards[-1] == pytest.approx(1.0)  # <eos> after the last newline: the outcome only


def test_hf_tokenizer_adapter():
    class CharTokenizer:  # the smallest object with the Hugging Face tokenizer methods the adapter uses
        eos_token_id, pad_token_id = 0, None
        chars = "\x00 abcdefghijklmnopqrstuvwxyz0123456789+-*/=()\n:"

        def __len__(self):
            return len(self.chars)

        def encode(self, text, add_special_tokens=False):
            return [self.chars.index(c) for c in text.lower() if c in self.chars]

        def decode(self, ids):
            return "".join(self.chars[i] for i in ids)

        def convert_ids_to_tokens(self, i):
            return self.chars[i]

    adapter = HFTokenizerAdapter(CharTokenizer())
    tok = CharTokenizer()
    body, ends = adapter.decode_body(tok.encode("  return 1\n") + [0], None)
    assert body == "  return 1\n" and ends[-2] == 0
    assert not adapter.action_mask([], None)[0] and adapter.action_mask([5], None)[0]


def test_bad_kwargs():
    with pytest.raises(EnvConfigError):
        CodeGenTokensEnv([], max_tokens=0)
    with pytest.raises(EnvConfigError):
        CodeGenTokensEnv(generate_micro_tasks(1), tokenizer=object())


def test_default_tasks_load_lazily_and_need_a_completion_prefix():
    from codegym.tasks.model import StdioTest, Task

    env = CodeGenTokensEnv(executor="local")
    assert env.task_pool._tasks is None
    env.reset(seed=0)
    assert len(env.task_pool.tasks) == 500 and {t.metadata["level"] for t in env.task_pool.tasks} == {0, 1}
    stdio = Task(task_id="t/stdio", prompt="Print 1.", hidden_tests=[StdioTest("", "1\n")])
    with pytest.raises(EnvConfigError, match="completion_prefix"):
        CodeGenTokensEnv([stdio]).reset()


def test_unfinished_last_line_is_credited_to_the_final_token(vocab, local_executor):
    class LineCount(Reward):
        def compute(self, evaluation, task, program, **ctx):
            return RewardOutput(1.0 if evaluation.hidden_all_passed else 0.0,
                                line_rewards=[0.1] * len(program.splitlines()))

    task = generate_micro_tasks(1, seed=0, difficulty=1)[0]
    for dense in (False, True):
        env = CodeGenTokensEnv([task], reward=LineCount(), dense_line_rewards=dense, executor=local_executor)
        env.reset(seed=0)
        actions = [a for a in vocab.encode_body(body_of(task), env._episode.binding) if a != vocab.ids[NEWLINE]]
        assert len(actions) >= 3  # e.g. return <arg0> + <num0> <eos>
        steps = [env.step(a) for a in actions]
        rewards, info = [s[1] for s in steps], steps[-1][4]
        assert rewards[:-1] == [0.0] * (len(actions) - 1)
        assert rewards[-1] == pytest.approx(1.1 if dense else 1.0)
        assert info["token_rewards"][-1] == pytest.approx(1.1)  # outcome + the line it ends, in both modes


def test_sb3_make_vec_env_and_unsupported_render_mode():
    """SB3's make_vec_env asks for render_mode='rgb_array': accepted with a warning, rendering returns None."""
    from stable_baselines3.common.env_util import make_vec_env

    import codegym  # noqa: F401

    venv = make_vec_env("CodeGenTokens-v0", n_envs=2, env_kwargs={"tasks": generate_micro_tasks(4)}, seed=0)
    obs = venv.reset()
    assert obs["tokens"].shape[0] == 2
    assert CodeGenTokensEnv(generate_micro_tasks(1), render_mode="rgb_array").render() is None
    venv.close()


def test_program_is_exactly_what_the_agent_wrote(vocab, local_executor):
    tasks = generate_micro_tasks(2, seed=0, difficulty=1)
    env = CodeGenTokensEnv(tasks, executor=local_executor, max_tokens=3)
    env.reset(seed=0)
    env.step(vocab.ids[EOS])  # illegal before any token: ignored
    _, reward, terminated, truncated, info = env.step(vocab.ids[EOS])  # still illegal
    _, reward, terminated, truncated, info = env.step(vocab.ids[EOS])
    assert truncated and reward == 0.0 and info["illegal_actions"] == 3
    assert info["program"] == env.task.completion_prefix  # no body padding: the docstring-only function
    env.reset(seed=0)
    for word in ("if", "<arg0>", ":"):
        _, reward, terminated, truncated, info = env.step(vocab.ids[word])
    assert truncated and info["status"] == "syntax_error"  # an open block is not closed for the agent


def test_illegal_action_reward(vocab, local_executor):
    env = CodeGenTokensEnv(generate_micro_tasks(1, seed=0, difficulty=0), executor=local_executor,
                           illegal_action_reward=-0.05)
    env.reset(seed=0)
    assert env.step(vocab.ids[EOS])[1] == pytest.approx(-0.05)  # masked: penalised, ignored
    assert env.step(vocab.ids["return"])[1] == 0.0


def test_shaped_reward_line_rewards_are_paid_once(vocab, local_executor):
    """ShapedReward's scalar already holds its line rewards: the episode return must equal that scalar, in both
    modes, and ``token_rewards`` must add up to it (the last token carries ``reward - sum(line rewards)``)."""
    from codegym.rewards.shaping import ShapedReward

    class ApproveEveryLine(Reward):
        def compute(self, evaluation, task, program, **ctx):
            return RewardOutput(0.0, line_rewards=[1.0] * len(program.splitlines()))

    shaped = ShapedReward(ApproveEveryLine())
    task = [t for t in generate_micro_tasks(40, seed=2, difficulty=2) if len(body_of(t).splitlines()) >= 3][0]
    for dense in (False, True):
        env = CodeGenTokensEnv([task], reward=shaped, dense_line_rewards=dense, executor=local_executor,
                               max_tokens=48)
        env.reset(seed=0)
        actions = vocab.encode_body(body_of(task), env._episode.binding)
        steps = [env.step(a) for a in actions]
        rewards, info = [s[1] for s in steps], steps[-1][4]
        assert info["status"] == "passed"
        scalar = shaped.compute(info["evaluation"], task, info["program"]).reward
        assert scalar == pytest.approx(1.0 + 0.025)  # all-pass outcome + PSGPO's pass weight * full approval
        assert sum(rewards) == pytest.approx(scalar), dense
        assert sum(info["token_rewards"]) == pytest.approx(scalar)
        if dense:  # the dense steps did pay line rewards on the way (the partial programs fail: weight 0.25)
            newline_steps = [i for i, a in enumerate(actions) if a == vocab.ids[NEWLINE]]
            assert newline_steps and all(rewards[i] > 0 for i in newline_steps)
        assert set(info["hacking"]) >= {"visible_hidden_gap", "embeds_test_literals", "disagrees"}
        assert info["hacking"]["process_score"] == pytest.approx(1.0) and not info["hacking"]["disagrees"]


def test_hidden_test_failures_do_not_reach_info(vocab, local_executor):
    """Visible and hidden tests run in separate requests; info carries hidden outcomes as statuses only."""
    import dataclasses

    from codegym.tasks.model import CallTest

    canary = "CANARY_tokens_9c1e"
    task = generate_micro_tasks(1, seed=4, difficulty=None)[0]
    trap = CallTest(task.entry_point, task.hidden_tests[0].args, expected=canary, name="trap")
    task = dataclasses.replace(task, hidden_tests=[*task.hidden_tests, trap])
    env = CodeGenTokensEnv([task], executor=local_executor, max_tokens=48)
    env.reset(options={"task_id": task.task_id})
    for action in vocab.encode_body(body_of(task), env._episode.binding):
        obs, reward, terminated, truncated, info = env.step(action)
    assert terminated and info["hidden_passed"] == len(task.hidden_tests) - 1
    assert canary not in repr({k: v for k, v in info.items() if k != "program"}) + repr(obs)
    assert reward < 1.0


def test_sb3_docs_page_runs(tmp_path):
    """docs/sb3.md: SB3's check_env, PPO and sb3-contrib's MaskablePPO on CodeGenTokens-v0 (a few hundred steps)."""
    pytest.importorskip("stable_baselines3")
    pytest.importorskip("sb3_contrib")
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/sb3.md", tmp_path) == 3
