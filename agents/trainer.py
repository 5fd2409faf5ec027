"""The training loop behind ``codegym train``: an optional supervised warm-up and difficulty filter, then rollouts
through an env, GRPO/GRPO+/PPO updates, periodic held-out evaluation, checkpoints with ``resume``, metrics as JSONL
(and TensorBoard when installed), a learning-curve PNG and a final table.

Output directory layout::

    OUT/train_config.json        the run's settings, its algorithm's and the prompt format
    OUT/metrics.jsonl            one JSON object per training step and per evaluation
    OUT/learning_curve.png       train reward and held-out pass@1 against the step
    OUT/checkpoints/step-N/      model + tokenizer + prompt_format.json (+ value_head.pt) + trainer_state.pt
    OUT/final/                   the trained model, loadable by path (it records how it is prompted)
    OUT/tiny-model/              the tiny model built when no model is given
    OUT/tensorboard/             when tensorboard is installed

A directory that already holds a run is refused unless ``resume`` (continue it) or ``overwrite`` (replace it), as
Hugging Face's ``Trainer`` refuses a non-empty ``output_dir`` without ``overwrite_output_dir``.
"""

from __future__ import annotations

import copy
import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from agents import checkpoints
from agents.algorithms import grpo_advantages, grpo_loss, ppo_advantages, ppo_loss, ppo_token_rewards
from agents.config import (
    MULTI_TURN_ENVS,
    SINGLE_TURN_ENVS,
    GRPOConfig,
    PPOConfig,
    TrainConfig,
    TrainConfigError,
)
from agents.episodes import EnvBatch
from agents.policy import LoraSettings, Policy
from agents.reports import config_to_dict, plot_learning_curve, progress_bar, warmup_progress
from agents.rollout import Sample, codegen_rollouts, difficulty_filter, evaluate_policy
from agents.sft import pad_batch, supervised_warmup
from codegym.tasks.model import Task


class Trainer:
    """Trains a :class:`~agents.policy.Policy` on an env with one of :data:`agents.config.ALGORITHMS`.

    ``echo`` receives one-line progress notes (warm-up, difficulty filter, prompt style); ``codegym train`` passes
    ``print``.
    """

    def __init__(self, config: TrainConfig, policy: Policy | None = None,
                 echo: Callable[[str], None] | None = None) -> None:
        if not config.train_tasks:
            raise TrainConfigError("no training tasks; pass --tasks (e.g. 'micro') or train_tasks=[...]")
        self.config = config
        self.echo = echo or (lambda line: None)
        self.algo = config.algorithm()
        self.out = Path(config.output_dir)
        checkpoints.prepare_output_dir(self.out, config.resume, config.overwrite)
        random.seed(config.seed)
        torch.manual_seed(config.seed)
        is_ppo = isinstance(self.algo, PPOConfig)
        if policy is None:
            policy = self._load_policy(value_head=is_ppo)
        elif is_ppo and policy.value_head is None:
            from agents.policy import ValueHead

            policy.value_head = ValueHead(policy.hidden_size).to(policy.device)
        self.policy = policy
        self._set_prompt_format()
        if is_ppo and (config.prm or self.algo.value_head_from_prm):
            checkpoints.init_value_head_from_prm(policy, config.prm or self.algo.value_head_from_prm)
        self._reference: Any = None
        self._reference_ready = False
        self.optimizer = torch.optim.AdamW(policy.parameters(), lr=self.algo.learning_rate,
                                           weight_decay=self.algo.weight_decay)
        self.step = 0
        self.task_order: list[int] = []
        self.history: list[dict[str, Any]] = []
        self.rng = random.Random(config.seed)
        self._envs: dict[tuple[str, str], EnvBatch] = {}
        self._tb = None
        from codegym.sandbox import default_executor, get_executor

        # one executor for the whole run (a backend name is started once, not per step)
        self.executor = get_executor(config.executor) if config.executor else default_executor()
        self._owns_executor = bool(config.executor)

    # -- setup -----------------------------------------------------------------------------------------------
    def _load_policy(self, value_head: bool) -> Policy:
        cfg = self.config
        model_path = cfg.model
        if model_path is None:
            from agents.tiny import build_tiny_model

            model_path = str(build_tiny_model(self.out / "tiny-model",
                                              corpus=[t.reference or t.prompt for t in cfg.train_tasks[:1000]]))
        lora = LoraSettings(r=cfg.lora_rank, alpha=2 * cfg.lora_rank) if cfg.lora_rank else None
        return Policy.from_pretrained(model_path, device=cfg.device, dtype=cfg.dtype, lora=lora,
                                      gradient_checkpointing=cfg.gradient_checkpointing, value_head=value_head,
                                      engine=cfg.engine)

    def _set_prompt_format(self) -> None:
        """The run's prompt format: the model's (recorded, else inferred), with what the config asks for; it is
        saved with every checkpoint and the final model."""
        recorded = self.policy.prompt_format
        fmt = recorded.with_overrides(self.config.prompt_style, self.config.stop)
        if fmt.style != recorded.style:
            self.echo(f"note: {self.policy.name} is prompted {recorded.style}-style by default; training it "
                      f"{fmt.style}-style as prompt_style asks (the saved models record {fmt.style})")
        self.policy.prompt_format = fmt

    @property
    def reference(self) -> Any:
        """A frozen copy of the policy as RL starts (after any warm-up) for the KL term; None without a KL term and
        with LoRA (the base model with adapters off is the reference, so no copy is held)."""
        if not self._reference_ready:
            self._reference_ready = True
            if self.holds_reference_copy():
                self.set_reference(copy.deepcopy(self.policy.model))
        return self._reference

    def holds_reference_copy(self) -> bool:
        return self._needs_reference() and not hasattr(self.policy.model, "disable_adapter")

    def set_reference(self, model: Any) -> None:
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        self._reference, self._reference_ready = model, True

    def _needs_reference(self) -> bool:
        if isinstance(self.algo, PPOConfig):
            return self.algo.kl_coef > 0
        return self.algo.beta > 0

    def env_batch(self, tasks: Sequence[Task], env_id: str = "CodeGen-v0") -> EnvBatch:
        """The lockstep batch of ``env_id`` over the training tasks (``tasks is config.train_tasks``) or the
        held-out ones; built once per run."""
        key = (env_id, "train" if tasks is self.config.train_tasks else "eval")
        if key not in self._envs:
            kwargs: dict[str, Any] = {}
            if env_id in MULTI_TURN_ENVS:
                from agents.multiturn import DEFAULT_MAX_TURNS

                kwargs["max_turns"] = DEFAULT_MAX_TURNS
            self._envs[key] = EnvBatch(env_id, tasks, executor=self.executor, reward=self._reward(),
                                       wrappers=self.config.wrappers, env_kwargs=kwargs)
        return self._envs[key]

    def _reward(self) -> Any:
        reward = self.config.reward
        if isinstance(reward, str):
            from codegym.rewards import get_reward

            return get_reward(reward)
        return reward

    def next_tasks(self, n: int) -> list[Task]:
        """The next ``n`` training tasks of a shuffled pass over the training set (reshuffled each epoch)."""
        out = []
        while len(out) < n:
            if not self.task_order:
                self.task_order = list(range(len(self.config.train_tasks)))
                self.rng.shuffle(self.task_order)
            out.append(self.config.train_tasks[self.task_order.pop()])
        return out

    # -- before RL -------------------------------------------------------------------------------------------
    def warmup(self) -> list[float]:
        """Supervised warm-up on the training tasks' references (``config.warmup_steps`` steps of batch 32)."""
        cfg = self.config
        self.echo(f"supervised warm-up: {cfg.warmup_steps} steps on {len(cfg.train_tasks)} reference solutions")
        return supervised_warmup(self.policy, cfg.train_tasks, cfg.warmup_steps,
                                 learning_rate=cfg.warmup_learning_rate, batch_size=32, seed=cfg.seed,
                                 progress=warmup_progress(cfg.warmup_steps, cfg.show_progress))

    def screen_tasks(self) -> list[Task]:
        """DeepCoder's offline difficulty filter over the first ``config.difficulty_filter`` training tasks (2
        samples each); trains on the kept ones (in place) when any is kept. Returns the kept tasks."""
        cfg = self.config
        screened = cfg.train_tasks[:cfg.difficulty_filter]
        kept, rates = difficulty_filter(self.policy, screened, self.env_batch(cfg.train_tasks), 2,
                                        self.algo.temperature, self.algo.max_new_tokens_at(0),
                                        gen_batch_size=cfg.gen_batch_size)
        mean_rate = sum(rates) / max(len(rates), 1)
        if kept:
            self.echo(f"difficulty filter: training on {len(kept)} of {len(screened)} screened tasks "
                      f"(mean pass rate {mean_rate:.3f})")
            cfg.train_tasks[:] = kept  # in place: the env batches already hold every task
            self.task_order = []
        else:
            self.echo(f"difficulty filter: no screened task is solved sometimes but not always (mean pass rate "
                      f"{mean_rate:.3f}); training on all {len(cfg.train_tasks)} tasks (warm up longer to fix this)")
        return kept

    # -- rollouts --------------------------------------------------------------------------------------------
    def collect(self, tasks: list[Task]) -> list[Sample]:
        algo, cfg = self.algo, self.config
        budget = algo.max_new_tokens_at(self.step)
        if cfg.env_id in SINGLE_TURN_ENVS:
            return codegen_rollouts(self.policy, self.env_batch(cfg.train_tasks, cfg.env_id), tasks,
                                    algo.group_size, algo.temperature, algo.top_p, budget,
                                    gen_batch_size=cfg.gen_batch_size)
        from agents import multiturn

        if cfg.env_id in MULTI_TURN_ENVS:
            return multiturn.refine_rollouts(self.policy, self.env_batch(cfg.train_tasks, cfg.env_id), tasks,
                                             algo.group_size, algo.temperature, algo.top_p, budget)
        return multiturn.coder_tester_rollouts(self.policy, cfg.train_tasks, tasks, algo.group_size,
                                               algo.temperature, algo.top_p, budget, executor=self.executor)

    # -- updates ---------------------------------------------------------------------------------------------
    def _tensors(self, samples: Sequence[Sample]) -> dict[str, torch.Tensor]:
        pad = self.policy.tokenizer.pad_token_id
        prompt_ids, prompt_mask, completion_ids, completion_mask = pad_batch(
            [s.prompt_ids for s in samples], [s.completion_ids for s in samples], pad, self.policy.device)
        width = completion_ids.shape[1]
        dense = None
        if any(s.token_rewards for s in samples):
            dense = torch.tensor([(s.token_rewards or [0.0] * len(s.completion_ids)) +
                                  [0.0] * (width - len(s.completion_ids)) for s in samples],
                                 device=self.policy.device)
        return {"prompt_ids": prompt_ids, "prompt_mask": prompt_mask, "completion_ids": completion_ids,
                "completion_mask": completion_mask, "dense": dense}

    def _forward(self, t: dict[str, torch.Tensor], rows: slice | torch.Tensor, temperature: float,
                 with_values: bool = False, model: Any = None) -> dict[str, torch.Tensor]:
        return self.policy.forward_completion(t["prompt_ids"][rows], t["prompt_mask"][rows],
                                              t["completion_ids"][rows], t["completion_mask"][rows],
                                              temperature=temperature, with_values=with_values, model=model)

    @torch.no_grad()
    def _reference_logprobs(self, t: dict[str, torch.Tensor], temperature: float) -> torch.Tensor:
        chunks = []
        for rows in self._chunks(t["completion_ids"].shape[0]):
            if self.reference is not None:
                chunks.append(self._forward(t, rows, temperature, model=self.reference)["logprobs"])
            else:
                with self.policy.model.disable_adapter():
                    chunks.append(self._forward(t, rows, temperature)["logprobs"])
        return torch.cat(chunks)

    def _chunks(self, n: int) -> list[slice]:
        size = self.config.micro_batch_size or n
        return [slice(i, min(n, i + size)) for i in range(0, n, size)]

    def grpo_update(self, samples: Sequence[Sample]) -> dict[str, float]:
        """One GRPO/GRPO+ update on a batch of groups (``updates_per_batch`` passes over ``minibatches``)."""
        algo = self.algo
        assert isinstance(algo, GRPOConfig)
        t = self._tensors(samples)
        scores = torch.tensor([s.score for s in samples], dtype=torch.float32, device=self.policy.device)
        truncated = torch.tensor([s.truncated for s in samples], device=self.policy.device)
        group_ids = torch.tensor([s.group for s in samples], device=self.policy.device)
        advantages = grpo_advantages(scores, truncated, algo, group_ids)
        ref = self._reference_logprobs(t, algo.temperature) if algo.beta > 0 else None
        on_policy = algo.updates_per_batch == 1 and algo.minibatches == 1
        old = None
        if not on_policy:  # the sampling policy's log-probs, recomputed with the training forward pass
            with torch.no_grad():
                old = torch.cat([self._forward(t, r, algo.temperature)["logprobs"]
                                 for r in self._chunks(len(samples))])
        stats: dict[str, float] = {}
        n = len(samples)
        for _ in range(algo.updates_per_batch):
            perm = torch.randperm(n) if algo.minibatches > 1 else torch.arange(n)
            for mb in perm.chunk(algo.minibatches):
                self.optimizer.zero_grad(set_to_none=True)
                mask_all = t["completion_mask"][mb]
                total_tokens = float(mask_all.sum())
                for rows_local in self._chunks(len(mb)):
                    rows = mb[rows_local]
                    out = self._forward(t, rows, algo.temperature)
                    logprobs = out["logprobs"]
                    old_lp = logprobs.detach() if old is None else old[rows]
                    mask = t["completion_mask"][rows]
                    loss, s = grpo_loss(logprobs, old_lp, advantages[rows], mask, algo,
                                        ref_logprobs=None if ref is None else ref[rows])
                    # weight each micro-batch by its share of the minibatch's normaliser
                    share = (float(mask.sum()) / max(total_tokens, 1.0) if algo.loss_aggregation == "token_mean"
                             else len(rows) / len(mb))
                    (loss * share).backward()
                    for k, v in s.items():
                        stats[k] = stats.get(k, 0.0) + v * share / algo.updates_per_batch / algo.minibatches
                grad_norm = torch.nn.utils.clip_grad_norm_(self.policy.parameters(), algo.max_grad_norm)
                self.optimizer.step()
                stats["grad_norm"] = float(grad_norm)
        self.policy.sync_engine()
        stats["advantage_abs_mean"] = float(advantages.abs().mean())
        return stats

    def ppo_update(self, samples: Sequence[Sample]) -> dict[str, float]:
        """One PPO update: KL-penalised per-token rewards (+ dense per-line rewards), GAE, clipped losses."""
        algo = self.algo
        assert isinstance(algo, PPOConfig)
        t = self._tensors(samples)
        n = len(samples)
        mask = t["completion_mask"]
        with torch.no_grad():
            outs = [self._forward(t, r, algo.temperature, with_values=True) for r in self._chunks(n)]
            old_logprobs = torch.cat([o["logprobs"] for o in outs])
            old_values = torch.cat([o["values"] for o in outs]) * mask
            ref = self._reference_logprobs(t, algo.temperature) if algo.kl_coef > 0 else None
            scores = torch.tensor([s.score for s in samples], dtype=torch.float32, device=self.policy.device)
            rewards, kl = ppo_token_rewards(scores, mask, old_logprobs, ref, algo, t["dense"])
            advantages, returns = ppo_advantages(rewards, old_values, mask, algo)
        stats: dict[str, float] = {"kl": float((kl.sum(1)).mean())}
        for _ in range(algo.updates_per_batch):
            perm = torch.randperm(n)
            for mb in perm.chunk(algo.minibatches):
                self.optimizer.zero_grad(set_to_none=True)
                for rows_local in self._chunks(len(mb)):
                    rows = mb[rows_local]
                    out = self._forward(t, rows, algo.temperature, with_values=True)
                    loss, s = ppo_loss(out["logprobs"], old_logprobs[rows], out["values"], old_values[rows],
                                       advantages[rows], returns[rows], mask[rows], algo)
                    share = len(rows) / len(mb)
                    (loss * share).backward()
                    for k, v in s.items():
                        stats[k] = stats.get(k, 0.0) + v * share / algo.updates_per_batch / algo.minibatches
                grad_norm = torch.nn.utils.clip_grad_norm_(self.policy.parameters(), algo.max_grad_norm)
                self.optimizer.step()
                stats["grad_norm"] = float(grad_norm)
        self.policy.sync_engine()
        stats["value_mean"] = float(old_values.sum() / mask.sum().clamp(min=1))
        return stats

    def train_step(self) -> dict[str, Any]:
        """Collect one batch and update once; returns the step's metrics."""
        started = time.perf_counter()
        tasks = self.next_tasks(self.algo.prompts_per_step)
        samples = self.collect(tasks)
        rollout_s = time.perf_counter() - started
        if isinstance(self.algo, PPOConfig):
            stats = self.ppo_update(samples)
        else:
            stats = self.grpo_update(samples)
        self.step += 1
        coder = [s for s in samples if s.role == "coder"] or samples
        metrics: dict[str, Any] = {
            "kind": "train", "step": self.step,
            "reward_mean": sum(s.reward for s in samples) / len(samples),
            "pass_rate": sum(s.passed for s in coder) / len(coder),
            "truncated_frac": sum(s.truncated for s in samples) / len(samples),
            "completion_tokens_mean": sum(len(s.completion_ids) for s in samples) / len(samples),
            "samples": len(samples), "rollout_s": rollout_s, "step_s": time.perf_counter() - started,
            "max_new_tokens": self.algo.max_new_tokens_at(self.step - 1),
            **stats,
        }
        if any(s.role == "tester" for s in samples):
            tester = [s for s in samples if s.role == "tester"]
            metrics["tester_reward_mean"] = sum(s.reward for s in tester) / len(tester)
        if any(s.turn > 1 for s in samples):
            metrics["turns_mean"] = sum(s.turn for s in samples) / len(samples)
        return metrics

    # -- evaluation ------------------------------------------------------------------------------------------
    def evaluate(self) -> dict[str, Any]:
        """Held-out pass@1 (unbiased over ``eval_samples`` samples per task) and mean reward."""
        cfg = self.config
        tasks = cfg.eval_tasks or cfg.train_tasks
        temperature = self.algo.temperature if cfg.eval_temperature is None else cfg.eval_temperature
        result = evaluate_policy(self.policy, tasks, self.env_batch(tasks), cfg.eval_samples, temperature,
                                 self.algo.max_new_tokens_at(self.step), gen_batch_size=cfg.gen_batch_size)
        return {"kind": "eval", "step": self.step, **result}

    # -- persistence (agents.checkpoints) -------------------------------------------------------------------
    def save_checkpoint(self) -> Path:
        return checkpoints.save(self)

    def latest_checkpoint(self) -> Path | None:
        return checkpoints.latest(self.out)

    def resume_from(self, path: Path) -> None:
        """Restore weights, optimizer, task order, RNG and metric history from a checkpoint."""
        checkpoints.restore(self, path)

    def _log(self, record: dict[str, Any]) -> None:
        self.history.append(record)
        with open(self.out / "metrics.jsonl", "a") as handle:
            handle.write(json.dumps(record) + "\n")
        if self._tb is not None:
            for key, value in record.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and key != "step":
                    self._tb.add_scalar(f"{record['kind']}/{key}", value, record["step"])

    def _open_tensorboard(self) -> None:
        if not self.config.tensorboard:
            return
        try:
            from torch.utils.tensorboard import SummaryWriter
        except Exception:  # tensorboard not installed: JSONL only
            return
        self._tb = SummaryWriter(str(self.out / "tensorboard"))

    # -- the loop --------------------------------------------------------------------------------------------
    def train(self) -> dict[str, Any]:
        """Run to ``config.steps`` (after the warm-up and difficulty filter of a fresh run); returns a summary with
        the first and last held-out evaluations."""
        cfg = self.config
        latest = self.latest_checkpoint() if cfg.resume else None
        if latest is not None:
            checkpoints.load_reference(self)  # the KL reference is the policy as RL started, not as it resumes
            self.resume_from(latest)
        else:
            if cfg.warmup_steps:
                self.warmup()
            if cfg.difficulty_filter:
                self.screen_tasks()
            checkpoints.save_reference(self)
        (self.out / "train_config.json").write_text(json.dumps(
            {**config_to_dict(cfg), "algorithm": config_to_dict(self.algo),
             "prompt_format": config_to_dict(self.policy.prompt_format)}, indent=2))
        self._open_tensorboard()
        bar = progress_bar(cfg.steps, self.step, cfg.show_progress, f"{self.algo.name} on {cfg.env_id}")
        if self.step == 0 and cfg.eval_every:
            self._log(self.evaluate())
        try:
            while self.step < cfg.steps:
                metrics = self.train_step()
                self._log(metrics)
                if cfg.eval_every and (self.step % cfg.eval_every == 0 or self.step == cfg.steps):
                    self._log(self.evaluate())
                if cfg.save_every and (self.step % cfg.save_every == 0 or self.step == cfg.steps):
                    self.save_checkpoint()
                if bar is not None:
                    bar.update(1)
                    evals = [h for h in self.history if h["kind"] == "eval"]
                    bar.set_postfix(reward=f"{metrics['reward_mean']:.2f}",
                                    eval_pass1=f"{evals[-1]['pass@1']:.2f}" if evals else "-")
        finally:
            if bar is not None:
                bar.close()
            self.close()
        final = self.policy.save(self.out / "final")
        plot_learning_curve(self.history, self.out / "learning_curve.png", title=f"{self.algo.name} {cfg.env_id}")
        evals = [h for h in self.history if h["kind"] == "eval"]
        return {"final_model": str(final), "steps": self.step, "first_eval": evals[0] if evals else None,
                "last_eval": evals[-1] if evals else None, "output_dir": str(self.out)}

    def close(self) -> None:
        """Close the env batches, TensorBoard and an executor this run started."""
        if self._tb is not None:
            self._tb.close()
            self._tb = None
        for envs in self._envs.values():
            envs.close()
        self._envs = {}
        if self._owns_executor:
            self.executor.close()
            self._owns_executor = False
