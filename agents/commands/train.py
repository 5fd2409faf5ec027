"""``codegym train``: train an LLM policy with GRPO+, GRPO or PPO through a codegym env.

With no arguments it builds the tiny local model, warms it up on the reference solutions of generated micro tasks
and trains it with GRPO+ on the CPU in a few minutes, printing held-out pass@1 before and after. Every setting of
the run and of the algorithms is an option below (generated from agents.config; each algorithm's default and its
source are in the help). An OUTPUT that holds an earlier run is refused unless --resume or --overwrite-output-dir.
torch/transformers are imported only when the command runs (pip install 'codegym[agents]').
"""

from __future__ import annotations

import argparse
from typing import Any

from agents.commands.options import add_algorithm_options, add_config_options, given
from agents.config import TrainConfig
from codegym.errors import CodegymError

#: Settings of the CPU demo with the tiny model (applied when --model is not given, to what the user left unset).
#: The papers' learning rate (1e-6) is tuned for 7-14B models; a ~1M-parameter model from scratch needs a much
#: larger step, and short programs need few tokens.
TINY_PRESET: dict[str, Any] = {"learning_rate": 1e-4, "group_size": 8, "prompts_per_step": 8,
                               "max_new_tokens": 48, "context_schedule": ()}
TINY_PPO_PRESET: dict[str, Any] = {"learning_rate": 5e-5, "group_size": 1, "prompts_per_step": 32,
                                   "max_new_tokens": 48, "updates_per_batch": 2, "kl_coef": 0.01}
#: Run-level settings of the tiny-model demo: 120 warm-up steps at lr 2e-3, 400 screened tasks, 15 RL steps.
TINY_RUN: dict[str, Any] = {"steps": 15, "warmup_steps": 120, "warmup_learning_rate": 2e-3,
                            "difficulty_filter": 400}

#: TrainConfig fields the command sets itself (tasks come from --tasks; progress from --no-progress).
_NOT_OPTIONS = ("train_tasks", "eval_tasks", "algo_overrides", "show_progress")


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("train", help="train an LLM policy with GRPO+/GRPO/PPO on a codegym env",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tasks", default="micro:1000", help="training task spec (default micro:1000)")
    p.add_argument("--eval-tasks", default=None,
                   help="held-out task spec (default: for micro, the same spec with another seed; otherwise the "
                        "last 10%% of --tasks)")
    p.add_argument("--eval-size", type=int, default=50, help="held-out tasks to evaluate on (default 50)")
    p.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    run_group = p.add_argument_group("run settings (agents.config.TrainConfig; the tiny model's demo changes "
                                     "steps, warmup and difficulty filter)")
    add_config_options(run_group, TrainConfig, skip=_NOT_OPTIONS)
    algo_group = p.add_argument_group("algorithm settings (agents.config; the tiny model's demo changes lr, "
                                      "group size, prompts per step and max new tokens)")
    add_algorithm_options(algo_group)
    p.set_defaults(func=run)


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


def build_config(args: argparse.Namespace, train_tasks: list, eval_tasks: list) -> TrainConfig:
    """The TrainConfig the options describe: the user's settings over the tiny-model presets (no --model) over
    the dataclass defaults."""
    from agents.config import ALGORITHMS, cli_fields

    run_names = [f.name for f in cli_fields(TrainConfig) if f.name not in _NOT_OPTIONS]
    algo_names = sorted({f.name for cls in ALGORITHMS.values() for f in cli_fields(cls)})
    run = given(args, run_names)
    overrides = given(args, algo_names, dest_prefix="algo__")
    algo = run.get("algo", TrainConfig.algo)
    if run.get("model") is None:
        run = {**TINY_RUN, **run}
        overrides = {**(TINY_PPO_PRESET if algo == "ppo" else TINY_PRESET), **overrides}
    if "max_new_tokens" in given(args, ["max_new_tokens"], "algo__") and "context_schedule" not in overrides:
        overrides["context_schedule"] = ()  # an explicit budget replaces the paper's context schedule
    return TrainConfig(**run, train_tasks=train_tasks, eval_tasks=eval_tasks, algo_overrides=overrides,
                       show_progress=not args.no_progress)


def run(args: argparse.Namespace) -> int:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise CodegymError(f"codegym train needs the agents extra ({exc.name} is missing): "
                           "pip install 'codegym[agents]'") from exc
    from agents.config import PPOConfig
    from agents.reports import summary_table
    from agents.trainer import Trainer

    if args.threads:
        torch.set_num_threads(args.threads)
    elif args.model is None and not torch.cuda.is_available():
        torch.set_num_threads(1)  # a ~1M-parameter model gains nothing from intra-op threads; they only contend
    train_tasks, eval_tasks = load_train_and_eval_tasks(args.tasks, args.eval_tasks, args.eval_size,
                                                        args.seed if args.seed is not None else 0)
    config = build_config(args, train_tasks, eval_tasks)
    trainer = Trainer(config, echo=print)
    algo_name = config.algo + (" (value head)" if isinstance(trainer.algo, PPOConfig) else "")
    print(f"training {trainer.policy.name} ({trainer.policy.prompt_format.style} style) with {algo_name} on "
          f"{config.env_id}: {len(train_tasks)} training tasks, {len(eval_tasks)} held-out; output in "
          f"{config.output_dir}")
    summary = trainer.train()
    print(summary_table(summary, trainer.history))
    return 0
