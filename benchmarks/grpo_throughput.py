"""Training throughput of codegym's GRPO against TRL's ``GRPOTrainer`` with the same model and settings.

Both train the same randomly initialised model (saved once, loaded by both) on the same micro tasks with the same
GRPO+ settings -- group size, prompts per step, completion budget, temperature 0.6, lr 1e-6, no KL, clip 0.2/0.28,
token-level loss, truncated completions masked, one update per batch -- and the same codegym reward (binary pass on
the hidden tests, executed by the sandbox; TRL gets it through ``codegym.rewards.adapters.trl_reward_function``).
Generation is Hugging Face ``generate`` on both sides. Throughput is samples (completions) per second over the timed
steps, after untimed warm-up steps.

    python benchmarks/grpo_throughput.py                                     # CPU, tiny model
    python benchmarks/grpo_throughput.py --device cuda --model-size 0.5b     # GPU, ~0.5B random Qwen2-shaped model
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path


def prepare_model(size: str, directory: Path) -> Path:
    """Save one randomly initialised model + tokenizer that both trainers load."""
    import torch

    torch.manual_seed(0)
    if size == "tiny":
        from agents.tiny import build_tiny_model

        return build_tiny_model(directory / "model", overwrite=True)
    from agents.tiny import random_model_of_size

    model, tokenizer = random_model_of_size(size)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(directory / "model")
    tokenizer.save_pretrained(directory / "model")
    return directory / "model"


def run_codegym(path: Path, tasks, args) -> float:
    from agents.config import TrainConfig
    from agents.policy import Policy
    from agents.trainer import Trainer

    policy = Policy.from_pretrained(path, device=args.device,
                                    gradient_checkpointing=args.gradient_checkpointing)
    config = TrainConfig(algo="grpo+", train_tasks=tasks, output_dir=str(Path(args.workdir) / "codegym"),
                         steps=args.steps + args.warmup, eval_every=0, save_every=0, device=args.device,
                         prompt_style="completion", show_progress=False, tensorboard=False, seed=0, overwrite=True,
                         algo_overrides={"group_size": args.group_size, "prompts_per_step": args.prompts_per_step,
                                         "max_new_tokens": args.max_new_tokens, "context_schedule": (),
                                         "learning_rate": 1e-6, "temperature": 0.6})
    trainer = Trainer(config, policy=policy)
    for _ in range(args.warmup):
        trainer.train_step()
    _sync(args.device)
    started = time.perf_counter()
    samples = 0
    for _ in range(args.steps):
        samples += trainer.train_step()["samples"]
    _sync(args.device)
    return samples / (time.perf_counter() - started)


def run_trl(path: Path, tasks, args) -> float:
    import torch
    from datasets import Dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
    from trl import GRPOConfig, GRPOTrainer

    from codegym.rewards.adapters import trl_reward_function
    from codegym.rewards.base import BinaryPassReward

    tokenizer = AutoTokenizer.from_pretrained(path)
    tokenizer.padding_side = "left"
    dtype = torch.bfloat16 if args.device.startswith("cuda") else torch.float32
    model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype)
    batch = args.group_size * args.prompts_per_step
    n_rows = batch * (args.steps + args.warmup + 1)
    rows = [{"prompt": tasks[i % len(tasks)].prompt, "task_id": tasks[i % len(tasks)].task_id}
            for i in range(n_rows // args.group_size)]
    config = GRPOConfig(
        output_dir=str(Path(args.workdir) / "trl"), per_device_train_batch_size=batch, gradient_accumulation_steps=1,
        num_generations=args.group_size, max_completion_length=args.max_new_tokens, temperature=0.6, top_p=1.0,
        learning_rate=1e-6, beta=0.0, epsilon=0.2, epsilon_high=0.28, loss_type="dapo",
        mask_truncated_completions=True, num_iterations=1, max_grad_norm=1.0, max_steps=args.steps + args.warmup,
        logging_steps=1, save_strategy="no", report_to="none", use_cpu=not args.device.startswith("cuda"),
        bf16=args.device.startswith("cuda"), gradient_checkpointing=args.gradient_checkpointing, seed=0,
        shuffle_dataset=False, disable_dropout=True, dataloader_num_workers=0, lr_scheduler_type="constant",
    )
    reward = trl_reward_function(BinaryPassReward(), tasks, code_mode="completion")
    marks: list[float] = []

    class StepTimer(TrainerCallback):
        def on_step_end(self, *a, **k):
            _sync(args.device)
            marks.append(time.perf_counter())

    trainer = GRPOTrainer(model=model, reward_funcs=[reward], args=config, train_dataset=Dataset.from_list(rows),
                          processing_class=tokenizer, callbacks=[StepTimer()])
    trainer.train()
    # marks[i] is the end of step i + 1: time the steps after the warm-up ones
    steps = len(marks) - args.warmup
    if steps < 1:
        raise RuntimeError(f"TRL ran {len(marks)} steps; expected {args.steps + args.warmup}")
    return steps * batch / (marks[-1] - marks[args.warmup - 1])


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model-size", choices=("tiny", "0.5b"), default="tiny")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per trainer")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps first (allocations, caches)")
    parser.add_argument("--group-size", type=int, default=8)
    parser.add_argument("--prompts-per-step", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--gradient-checkpointing", action="store_true")
    parser.add_argument("--only", choices=("both", "codegym", "trl"), default="both")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args(argv)
    if args.warmup < 1:
        parser.error("--warmup must be >= 1 (the first step includes one-off costs)")

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from codegym.tasks.sources import load_tasks

    args.workdir = args.workdir or tempfile.mkdtemp(prefix="codegym-throughput-")
    tasks = list(load_tasks("micro:64", seed=0))
    path = prepare_model(args.model_size, Path(args.workdir))
    results: dict[str, float] = {}
    if args.only in ("both", "codegym"):
        results["codegym"] = run_codegym(path, tasks, args)
        print(f"codegym GRPO: {results['codegym']:.2f} samples/s", flush=True)
    if args.only in ("both", "trl"):
        results["trl"] = run_trl(path, tasks, args)
        print(f"TRL GRPOTrainer: {results['trl']:.2f} samples/s", flush=True)
    settings = {k: v for k, v in vars(args).items() if k != "workdir"}
    print(json.dumps({"settings": settings, "samples_per_s": results}))
    if len(results) == 2:
        print(f"codegym={results['codegym']:.2f} trl={results['trl']:.2f} ratio={results['codegym'] / results['trl']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
