"""Lockstep episodes go through one gymnasium vector env, so every wrapper is honoured: a wrapper that adds 1.0 to
the reward shows in training rollouts, multi-turn rollouts, evaluation and the bench; finished episodes sit out."""

from __future__ import annotations

import json

import numpy as np
import pytest

from agents.episodes import EnvBatch, EnvBatchError, HoldFinishedEpisode
from codegym.rewards.base import Reward, RewardOutput
from codegym.tasks.sources import load_tasks
from codegym.wrappers import RewardWrapper

TASKS = list(load_tasks("micro:3", seed=0))
BY_ID = {t.task_id: t for t in TASKS}


class PlusOne(Reward):
    def compute(self, evaluation, task, program, **context):
        return RewardOutput(1.0)


def plus_one(env):
    return RewardWrapper(env, PlusOne(), add=True)


class CountSteps:
    """A wrapper factory whose wrappers count the steps that reach the env."""

    def __init__(self):
        self.steps = 0

    def __call__(self, env):
        import gymnasium as gym

        counter = self

        class Counting(gym.Wrapper):
            def step(self, action):
                counter.steps += 1
                return self.env.step(action)

        return Counting(env)


def reference(live, observations):
    return [BY_ID[o["task_id"]].reference for o in observations]


def test_codegen_batch_plays_each_slot_on_its_task_through_the_batched_env():
    batch = EnvBatch("CodeGen-v0", TASKS)
    ids = [TASKS[1].task_id, TASKS[0].task_id, TASKS[1].task_id]
    episodes = batch.play(ids, reference)
    assert batch.vectorization_mode == "vector_entry_point"
    assert [e[0].observation["task_id"] for e in episodes] == ids
    assert [(len(e), e[0].reward, e[0].info["passed"]) for e in episodes] == [(1, 1.0, True)] * 3
    batch.close()


def test_batched_env_partial_reset_keeps_the_other_slots():
    import gymnasium as gym

    import codegym  # noqa: F401  (registers the ids)

    venv = gym.make_vec("CodeGen-v0", num_envs=3, tasks=TASKS)
    venv.reset(options={"task_id": TASKS[0].task_id})
    obs, _ = venv.reset(options={"task_id": TASKS[2].task_id, "reset_mask": np.array([False, True, False])})
    assert list(obs["task_id"]) == [TASKS[0].task_id, TASKS[2].task_id, TASKS[0].task_id]
    venv.close()


def test_a_reward_wrapper_is_honoured_in_every_batch_mode():
    batch = EnvBatch("CodeGen-v0", TASKS, wrappers=[plus_one])
    episodes = batch.play([t.task_id for t in TASKS], reference)
    assert batch.vectorization_mode == "sync"
    assert [e[0].reward for e in episodes] == [2.0, 2.0, 2.0]
    assert all(e[0].info["env_reward"] == 1.0 for e in episodes)
    batch.close()
    with pytest.raises(EnvBatchError, match="no per-env wrappers"):
        EnvBatch("CodeGen-v0", TASKS, wrappers=[plus_one], vectorization_mode="vector_entry_point").reset(["x"])


def test_finished_refinement_episodes_sit_out_without_reaching_the_env():
    counter = CountSteps()
    batch = EnvBatch("CodeRefine-v0", TASKS, wrappers=[counter], env_kwargs={"max_turns": 3})
    asked = []

    def act(live, observations):
        asked.append(list(live))
        # slot 0 solves its task at once; the others never do
        return [BY_ID[o["task_id"]].reference if i == 0 else "def nothing():\n    pass\n"
                for i, o in zip(live, observations)]

    episodes = batch.play([t.task_id for t in TASKS], act)
    assert asked == [[0, 1, 2], [1, 2], [1, 2]]
    assert [len(e) for e in episodes] == [1, 3, 3]
    assert counter.steps == 1 + 3 + 3  # the finished slot's turns 2 and 3 never reached its env
    assert episodes[1][-1].truncated and episodes[0][0].terminated
    batch.close()


def test_hold_wrapper_parks_a_finished_episode_until_an_explicit_reset():
    import gymnasium as gym

    import codegym  # noqa: F401

    env = HoldFinishedEpisode(gym.make("CodeGen-v0", tasks=TASKS))
    obs, _ = env.reset(options={"task_id": TASKS[0].task_id})
    _, reward, terminated, _, _ = env.step(TASKS[0].reference)
    assert reward == 1.0 and terminated
    assert env.reset()[0] is env.step("anything")[0]  # autoreset and step answered from the held episode
    obs, _ = env.reset(options={"task_id": TASKS[1].task_id})
    assert obs["task_id"] == TASKS[1].task_id
    env.close()


torch = pytest.importorskip("torch")
pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    from agents.policy import Policy
    from agents.tiny import TinyModelConfig, build_tiny_model

    small = TinyModelConfig(vocab_size=512, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                            num_attention_heads=2, max_position_embeddings=512)
    return Policy.from_pretrained(build_tiny_model(tmp_path_factory.mktemp("tiny") / "m", small), device="cpu")


def test_rollouts_and_evaluation_see_the_wrapped_reward(policy):
    from agents.multiturn import refine_rollouts
    from agents.rollout import codegen_rollouts, evaluate_policy

    plain = EnvBatch("CodeGen-v0", TASKS)
    wrapped = EnvBatch("CodeGen-v0", TASKS, wrappers=[plus_one])
    torch.manual_seed(0)
    base = codegen_rollouts(policy, plain, TASKS[:2], 2, 1.0, 1.0, 6)
    torch.manual_seed(0)
    more = codegen_rollouts(policy, wrapped, TASKS[:2], 2, 1.0, 1.0, 6)
    assert [s.text for s in more] == [s.text for s in base]
    assert [s.reward for s in more] == [s.reward + 1.0 for s in base]
    result = evaluate_policy(policy, TASKS[:2], wrapped, 1, 0.0, 6)
    assert result["reward_mean"] >= 1.0
    refine = EnvBatch("CodeRefine-v0", TASKS, wrappers=[plus_one], env_kwargs={"max_turns": 2})
    samples = refine_rollouts(policy, refine, TASKS[:1], 2, 1.0, 1.0, 6)
    # CodeRefine-v0's default reward pays only the last turn; the wrapper adds 1.0 to every turn
    assert all(s.reward >= 1.0 for s in samples) and len(samples) == 4
    for batch in (plain, wrapped, refine):
        batch.close()


def test_trainer_and_bench_honour_wrappers(policy, tmp_path):
    from agents.agent_specs import CallableAgent
    from agents.bench import run_bench
    from agents.trainer import TrainConfig, Trainer

    config = TrainConfig(train_tasks=TASKS[:2], eval_tasks=TASKS[2:], steps=0, eval_every=0, save_every=0,
                         output_dir=str(tmp_path / "run"), device="cpu", show_progress=False, tensorboard=False,
                         wrappers=[plus_one],
                         algo_overrides={"group_size": 2, "prompts_per_step": 2, "max_new_tokens": 6})
    trainer = Trainer(config, policy=policy)
    metrics = trainer.train_step()
    assert metrics["reward_mean"] >= 1.0
    trainer.close()

    agent = CallableAgent(lambda obs: BY_ID[obs["task_id"]].reference, "reference")
    summaries, episodes = run_bench(["CodeGen-v0", "CodeRefine-v0"], {None: agent}, TASKS[:2], 1,
                                    tmp_path / "bench", wrappers=[plus_one])
    assert [s.mean_reward for s in summaries] == [2.0, 2.0]
    assert all(json.loads(line)["success"] for line in episodes.read_text().splitlines())


def test_success_is_the_envs_info_success(tmp_path):
    """Rollouts and the bench read success from the env's info, not a definition of their own: a wrapper that
    vetoes success is obeyed even for correct programs."""
    import gymnasium as gym

    from agents.agent_specs import CallableAgent
    from agents.bench import run_bench

    class Veto(gym.Wrapper):
        def step(self, action):
            obs, reward, terminated, truncated, info = self.env.step(action)
            return obs, reward, terminated, truncated, {**info, "success": False}

    agent = CallableAgent(lambda obs: BY_ID[obs["task_id"]].reference, "reference")
    summaries, _ = run_bench(["CodeGen-v0", "CodeRefine-v0"], {None: agent}, TASKS[:2], 1, tmp_path, wrappers=[Veto])
    assert [(s.success_rate, s.mean_reward) for s in summaries] == [(0.0, 1.0), (0.0, 1.0)]
    summaries, _ = run_bench(["CodeGen-v0"], {None: agent}, TASKS[:2], 1, tmp_path / "plain")
    assert summaries[0].success_rate == 1.0
