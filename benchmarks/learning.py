"""Proof that the RL loop learns: tiny model -> short supervised warm-up -> GRPO+ on micro tasks, on the CPU.

After the warm-up, DeepCoder's offline difficulty filter screens ``--filter-tasks`` training tasks and GRPO+ trains
on the ones the warmed-up model solves sometimes but not always (the others give all-equal groups, zero advantage).

The warm-up trains next-token prediction on the reference solutions of the *training* micro tasks (seed 0); pass@1
is measured on *held-out* micro tasks (a different generator seed, prompts that appear in the training set removed)
before and after RL, as the mean success of ``--eval-samples`` samples per task at the training temperature (the
unbiased pass@1 estimate DeepCoder reports). The last line printed is ``before=<pass@1> after=<pass@1>``.

    python benchmarks/learning.py                 # ~10 minutes on 2 CPU cores (measured 608 s; longer on a busy box)
    python benchmarks/learning.py --rl-steps 5    # quick look
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", default="runs/learning", help="output directory (model, metrics, curve)")
    parser.add_argument("--train-tasks", type=int, default=2000, help="training micro tasks (seed 0)")
    parser.add_argument("--eval-tasks", type=int, default=100, help="held-out micro tasks (seed 1)")
    parser.add_argument("--difficulty", default=None, help="micro difficulty level (default: all levels)")
    parser.add_argument("--warmup-steps", type=int, default=150, help="supervised warm-up steps (batch 32)")
    parser.add_argument("--warmup-lr", type=float, default=2e-3)
    parser.add_argument("--rl-steps", type=int, default=80)
    parser.add_argument("--lr", type=float, default=1e-4, help="GRPO+ learning rate for the tiny model")
    parser.add_argument("--filter-tasks", type=int, default=1000,
                        help="training tasks screened by DeepCoder's offline difficulty filter (0: no filter)")
    parser.add_argument("--filter-samples", type=int, default=2)
    parser.add_argument("--group-size", type=int, default=8, help="samples per prompt (DeepCoder: 8)")
    parser.add_argument("--prompts-per-step", type=int, default=16)
    parser.add_argument("--max-new-tokens", type=int, default=48)
    parser.add_argument("--eval-samples", type=int, default=4, help="samples per held-out task for pass@1")
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (1 is fastest on a busy box)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    from agents.config import TrainConfig
    from agents.policy import Policy
    from agents.rollout import difficulty_filter, evaluate_policy
    from agents.sft import supervised_warmup
    from agents.tiny import build_tiny_model
    from agents.trainer import Trainer
    from codegym.tasks.sources import load_tasks

    spec = "micro" + (f":{{n}}:{args.difficulty}" if args.difficulty else ":{n}")
    train = list(load_tasks(spec.format(n=args.train_tasks), seed=0))
    seen = {t.prompt for t in train}
    held_out = [t for t in load_tasks(spec.format(n=args.eval_tasks + 50), seed=1) if t.prompt not in seen]
    held_out = held_out[: args.eval_tasks]
    out = Path(args.output)
    started = time.perf_counter()

    model_dir = build_tiny_model(out / "tiny-model", corpus=[t.reference or t.prompt for t in train[:1000]],
                                 overwrite=True)
    policy = Policy.from_pretrained(model_dir, device="cpu")
    print(f"tiny model: {sum(p.numel() for p in policy.model.parameters()):,} parameters; "
          f"{len(train)} training tasks, {len(held_out)} held-out tasks", flush=True)

    losses = supervised_warmup(policy, train, args.warmup_steps, learning_rate=args.warmup_lr, batch_size=32,
                               seed=args.seed, progress=_every(20, "warm-up"))
    print(f"warm-up: {args.warmup_steps} steps, loss {losses[0]:.3f} -> {losses[-1]:.3f} "
          f"({time.perf_counter() - started:.0f}s)", flush=True)

    config = TrainConfig(
        algo="grpo+", env_id="CodeGen-v0", output_dir=str(out / "grpo+"), train_tasks=train, eval_tasks=held_out,
        steps=args.rl_steps, eval_every=0, save_every=0, seed=args.seed, device="cpu", prompt_style="completion",
        eval_samples=args.eval_samples, tensorboard=False, overwrite=True,
        algo_overrides={"learning_rate": args.lr, "group_size": args.group_size,
                        "prompts_per_step": args.prompts_per_step, "max_new_tokens": args.max_new_tokens,
                        "context_schedule": ()},
    )
    trainer = Trainer(config, policy=policy)
    temperature = trainer.algo.temperature

    def held_out_pass1() -> float:
        envs = trainer.env_batch(held_out)
        result = evaluate_policy(policy, held_out, envs, args.eval_samples, temperature, args.max_new_tokens)
        return result["pass@1"]

    before = held_out_pass1()
    print(f"held-out pass@1 after warm-up: {before:.3f} ({time.perf_counter() - started:.0f}s)", flush=True)
    if args.filter_tasks:
        screened = train[: args.filter_tasks]
        kept, rates = difficulty_filter(policy, screened, trainer.env_batch(train), args.filter_samples,
                                        temperature, args.max_new_tokens)
        print(f"difficulty filter: {len(kept)}/{len(screened)} training tasks solved sometimes but not always "
              f"(mean pass rate {sum(rates) / len(rates):.3f}) ({time.perf_counter() - started:.0f}s)", flush=True)
        if kept:
            trainer.config.train_tasks[:] = kept  # the env pool keeps every task; rollouts draw from the kept
            trainer.task_order = []
    for step in range(args.rl_steps):
        metrics = trainer.train_step()
        trainer._log(metrics)
        print(f"rl step {step + 1}/{args.rl_steps}: train reward {metrics['reward_mean']:.3f} "
              f"({metrics['step_s']:.1f}s)", flush=True)
    after = held_out_pass1()
    elapsed = time.perf_counter() - started
    (out / "result.json").write_text(json.dumps({"before": before, "after": after, "seconds": elapsed,
                                                 "args": vars(args)}, indent=2))
    print(f"total {elapsed:.0f}s; metrics in {out / 'grpo+' / 'metrics.jsonl'}", flush=True)
    print(f"before={before:.3f} after={after:.3f}")
    return 0


def _every(n: int, label: str):
    def report(step: int, loss: float) -> None:
        if (step + 1) % n == 0:
            print(f"{label} step {step + 1}: loss {loss:.3f}", flush=True)
    return report


if __name__ == "__main__":
    sys.exit(main())
