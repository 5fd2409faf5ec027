"""``codegym train``: train an LLM policy with GRPO+, GRPO or PPO through a codegym env.

With no arguments it builds the tiny local model, warms it up on the reference solutions of generated micro tasks
and trains it with GRPO+ on the CPU in a few minutes, printing held-out pass@1 before and after.
torch/transformers are imported only when the command runs (``pip install codegym[agents]``).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from codegym.errors import CodegymError

ALGOS = ("grpo+", "grpo", "ppo")
ENVS = ("CodeGen-v0", "CodeRefine-v0", "CoderTester-v0")

#: Settings of the CPU demo with the tiny model. The papers' learning rate (1e-6) is tuned for 7-14B models; a
#: ~1M-parameter model from scratch needs a much larger step, and short programs need few tokens.
TINY_PRESET: dict[str, Any] = {"learning_rate": 1e-4, "group_size": 8, "prompts_per_step": 8,
                               "max_new_tokens": 48, "context_schedule": ()}
TINY_PPO_PRESET: dict[str, Any] = {"learning_rate": 5e-5, "group_size": 1, "prompts_per_step": 32,
                                   "max_new_tokens": 48, "updates_per_batch": 2, "kl_coef": 0.01}


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("train", help="train an LLM policy with GRPO+/GRPO/PPO on a codegym env",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--algo", choices=ALGOS, default="grpo+", help="algorithm (default grpo+)")
    p.add_argument("--env", dest="env_id", choices=ENVS, default="CodeGen-v0", help="env id (default CodeGen-v0)")
    p.add_argument("--model", default=None,
                   help="HF model directory or hub name (default: build the tiny local model under OUTPUT)")
    p.add_argument("--tasks", default="micro:1000", help="training task spec (default micro:1000)")
    p.add_argument("--eval-tasks", default=None,
                   help="held-out task spec (default: for micro, the same spec with another seed; otherwise the "
                        "last 10%% of --tasks)")
    p.add_argument("--eval-size", type=int, default=50, help="held-out tasks to evaluate on (default 50)")
    p.add_argument("--steps", type=int, default=None, help="RL steps (default 15 for the tiny model, else 200)")
    p.add_argument("--warmup-steps", type=int, default=None,
                   help="supervised warm-up steps (batch 32) on the training references before RL (default 120 "
                        "for the tiny model, else 0)")
    p.add_argument("--difficulty-filter", type=int, default=None, metavar="N",
                   help="screen the first N training tasks with 2 samples each and train only on those solved "
                        "sometimes but not always (DeepCoder's offline difficulty filtering; default 400 for the "
                        "tiny model, else off)")
    p.add_argument("--eval-every", type=int, default=None, help="evaluate every N steps (default steps/3)")
    p.add_argument("--eval-samples", type=int, default=4, help="samples per held-out task for pass@1")
    p.add_argument("--save-every", type=int, default=None, help="checkpoint every N steps (default steps/3)")
    p.add_argument("--output", default="runs/train", help="output directory (default runs/train)")
    p.add_argument("--resume", action="store_true", help="continue from the latest checkpoint in OUTPUT")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto", help="cpu, cuda, cuda:1 or auto")
    p.add_argument("--dtype", default="auto", help="auto (bf16 on GPU), float32, bfloat16, float16")
    p.add_argument("--lora", type=int, default=0, metavar="RANK", help="train LoRA adapters of this rank")
    p.add_argument("--gradient-checkpointing", action="store_true")
    p.add_argument("--engine", choices=("hf", "vllm"), default="hf", help="generation engine")
    p.add_argument("--prompt-style", choices=("auto", "chat", "completion"), default="auto",
                   help="chat: chat template + fenced answer; completion: continue the prompt (default: "
                        "completion for the tiny model, chat for models with a chat template)")
    p.add_argument("--group-size", type=int, default=None, help="samples per prompt")
    p.add_argument("--prompts-per-step", type=int, default=None)
    p.add_argument("--lr", type=float, default=None, help="learning rate")
    p.add_argument("--max-new-tokens", type=int, default=None)
    p.add_argument("--temperature", type=float, default=None)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="any other algorithm setting, e.g. --set beta=0.01 --set loss_aggregation=constant")
    p.add_argument("--reward", default=None,
                   help="reward by registry name (codegym.rewards.REWARDS), e.g. exec_lines: per-line process "
                        "rewards that PPO places on the token ending each line (default: binary pass)")
    p.add_argument("--prm", default=None, help="PPO: initialise the value head from this saved PRM directory")
    p.add_argument("--micro-batch-size", type=int, default=None, help="sequences per forward/backward")
    p.add_argument("--executor", default=None, help="sandbox backend: local (default), docker, ray")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run)


def _parse_set(items: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            raise CodegymError(f"--set takes KEY=VALUE, got {item!r}")
        key, value = item.split("=", 1)
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


def load_train_and_eval_tasks(spec: str, eval_spec: str | None, eval_size: int, seed: int) -> tuple[list, list]:
    """Training tasks and disjoint held-out tasks (prompts seen in training are removed from the held-out set)."""
    from codegym.tasks.sources import load_tasks

    train = list(load_tasks(spec, seed=seed))
    if eval_spec is not None:
        held = list(load_tasks(eval_spec, seed=seed + 1))
    elif spec.split(":")[0] == "micro":
        # the same generator with another seed: same distribution, different tasks
        parts = spec.split(":")
        difficulty = parts[2] if len(parts) > 2 and parts[2] else None
        held_spec = f"micro:{eval_size * 2}" + (f":{difficulty}" if difficulty else "")
        held = list(load_tasks(held_spec, seed=seed + 1))
    else:
        if len(train) < 2:
            raise CodegymError(f"--tasks {spec} has {len(train)} task(s); give --eval-tasks or more tasks")
        cut = max(1, len(train) // 10)
        train, held = train[:-cut], train[-cut:]
    seen = {t.prompt for t in train}
    held = [t for t in held if t.prompt not in seen][:eval_size]
    if not held:
        raise CodegymError("no held-out tasks left after removing training prompts; pass --eval-tasks")
    return train, held


def run(args: argparse.Namespace) -> int:
    try:
        import torch
    except ImportError as exc:
        raise CodegymError("codegym train needs torch and transformers: pip install 'codegym[agents]'") from exc
    from agents.algorithms import PPOConfig
    from agents.policy import LoraSettings, Policy
    from agents.sft import supervised_warmup
    from agents.tiny import build_tiny_model
    from agents.trainer import TrainConfig, Trainer, config_to_dict, summary_table

    tiny = args.model is None
    if args.threads:
        torch.set_num_threads(args.threads)
    elif tiny and not torch.cuda.is_available():
        torch.set_num_threads(1)  # a ~1M-parameter model gains nothing from intra-op threads; they only contend
    steps = args.steps if args.steps is not None else (15 if tiny else 200)
    warmup = args.warmup_steps if args.warmup_steps is not None else (120 if tiny else 0)
    screen = args.difficulty_filter if args.difficulty_filter is not None else (400 if tiny else 0)
    overrides: dict[str, Any] = {}
    if tiny:
        overrides.update(TINY_PPO_PRESET if args.algo == "ppo" else TINY_PRESET)
    for flag, key in (("group_size", "group_size"), ("prompts_per_step", "prompts_per_step"),
                      ("lr", "learning_rate"), ("max_new_tokens", "max_new_tokens"),
                      ("temperature", "temperature")):
        value = getattr(args, flag)
        if value is not None:
            overrides[key] = value
    overrides.update(_parse_set(args.set))
    if args.max_new_tokens is not None and "context_schedule" not in overrides:
        overrides["context_schedule"] = ()  # an explicit budget replaces the paper's context schedule

    train_tasks, eval_tasks = load_train_and_eval_tasks(args.tasks, args.eval_tasks, args.eval_size, args.seed)
    from pathlib import Path

    out = Path(args.output)
    model_path = args.model
    if tiny:
        model_path = str(build_tiny_model(out / "tiny-model", corpus=[t.reference or t.prompt
                                                                     for t in train_tasks[:1000]]))
    is_ppo = args.algo == "ppo"
    policy = Policy.from_pretrained(model_path, device=args.device, dtype=args.dtype,
                                    lora=LoraSettings(r=args.lora, alpha=2 * args.lora) if args.lora else None,
                                    gradient_checkpointing=args.gradient_checkpointing, value_head=is_ppo,
                                    engine=args.engine)
    style = args.prompt_style
    if style == "auto":
        style = "completion" if tiny or not getattr(policy.tokenizer, "chat_template", None) else "chat"
    every = max(1, steps // 3)
    config = TrainConfig(algo=args.algo, env_id=args.env_id, model=model_path, output_dir=str(out),
                         train_tasks=train_tasks, eval_tasks=eval_tasks, steps=steps,
                         eval_every=args.eval_every if args.eval_every is not None else every,
                         eval_samples=args.eval_samples,
                         eval_temperature=overrides.get("temperature", 0.6 if args.algo == "grpo+" else 1.0),
                         save_every=args.save_every if args.save_every is not None else every,
                         resume=args.resume, seed=args.seed, device=args.device, dtype=args.dtype,
                         prompt_style=style, micro_batch_size=args.micro_batch_size, executor=args.executor,
                         reward=_reward(args.reward), prm=args.prm,
                         algo_overrides=overrides, show_progress=not args.no_progress)
    resuming = args.resume and any((out / "checkpoints").glob("step-*/trainer_state.pt"))
    if warmup and not resuming:
        # before the Trainer exists, so that a KL reference model is the warmed-up policy
        print(f"supervised warm-up: {warmup} steps on {len(train_tasks)} reference solutions")
        supervised_warmup(policy, train_tasks, warmup, learning_rate=2e-3 if tiny else 1e-5, batch_size=32,
                          style=style, seed=args.seed, progress=_warmup_bar(warmup, not args.no_progress))
    trainer = Trainer(config, policy=policy)
    if screen and not resuming:
        from agents.trainer import difficulty_filter

        screened = train_tasks[:screen]
        kept, rates = difficulty_filter(policy, screened, trainer.env_batch(train_tasks), 2,
                                        trainer.algo.temperature, trainer.algo.max_new_tokens_at(0), style)
        mean_rate = sum(rates) / max(len(rates), 1)
        if kept:
            print(f"difficulty filter: training on {len(kept)} of {len(screened)} screened tasks "
                  f"(mean pass rate {mean_rate:.3f})")
            train_tasks[:] = kept  # in place: the trainer's env pool already holds every task
            trainer.task_order = []
        else:
            print(f"difficulty filter: no screened task is solved sometimes but not always (mean pass rate "
                  f"{mean_rate:.3f}); training on all {len(train_tasks)} tasks (warm up longer to fix this)")
    (out / "train_config.json").write_text(json.dumps(config_to_dict(config), indent=2, default=str))
    algo_name = config.algo + (" (value head)" if isinstance(trainer.algo, PPOConfig) else "")
    print(f"training {policy.name} with {algo_name} on {config.env_id}: {len(train_tasks)} training tasks, "
          f"{len(eval_tasks)} held-out; output in {out}")
    summary = trainer.train()
    print(summary_table(summary, trainer.history))
    return 0


def _reward(name: str | None) -> Any:
    if name is None:
        return None
    from codegym.rewards import get_reward

    return get_reward(name)


def _warmup_bar(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = tqdm(total=total, desc="warm-up", unit="step", dynamic_ncols=True)

    def update(step: int, loss: float) -> None:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}")
        if step + 1 == total:
            bar.close()
    return update
