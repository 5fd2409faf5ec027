"""Typed settings of training: the algorithms' configs and the run's, each field with its help text, default and
source, validated on construction. ``codegym train``'s options are generated from these dataclasses
(:mod:`agents.commands.options`), so a setting is declared exactly once.

* :class:`AlgorithmConfig` -- what every algorithm shares (sampling, batch, optimiser, clipping, context
  schedule); :class:`GRPOConfig`, :class:`GRPOPlusConfig` and :class:`PPOConfig` add and re-default fields.
* :data:`ALGORITHMS` -- the one list of algorithms: CLI name -> config class.
* :class:`TrainConfig` -- run-level settings of :class:`agents.trainer.Trainer`.

Every hyperparameter names where its default comes from (CleanRL style; ``help`` and ``source`` in the field's
metadata, TRL style):

* GRPO -- Shao et al. 2024, "DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models".
* DAPO -- Yu et al. 2025, "DAPO: An Open-Source LLM Reinforcement Learning System at Scale" (clip-higher 0.28,
  token-level loss, overlong filtering).
* Dr. GRPO -- Liu et al. 2025, "Understanding R1-Zero-Like Training: A Critical Perspective" (no std scaling,
  constant loss normaliser).
* GRPO+ -- Luo et al. 2025, "DeepCoder: A Fully Open-Source 14B Coder at O3-mini Level" (Agentica/Together AI blog):
  GRPO with no KL and no entropy loss, clip-high, overlong filtering, iterative context lengthening 16K -> 32K.
* PPO -- Schulman et al. 2017; for LMs Ziegler et al. 2019 "Fine-Tuning Language Models from Human Preferences",
  Ouyang et al. 2022 (InstructGPT), Huang et al. 2024 "The N+ Implementation Details of RLHF with PPO".

This module imports neither torch nor transformers (the CLI reads it to build ``codegym train --help``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from codegym.errors import CodegymError

LossAggregation = Literal["sequence_mean", "token_mean", "constant"]
KLEstimator = Literal["k1", "k2", "k3"]


class TrainConfigError(CodegymError, ValueError):
    """A training setting that cannot work; the message says which and what to use instead."""


def hparam(default: Any = dataclasses.MISSING, *, help: str, source: str | None = None,  # noqa: A002
           default_factory: Any = dataclasses.MISSING, cli: bool = True, flag: str | None = None,
           choices: tuple[str, ...] | None = None) -> Any:
    """A dataclass field with its help text (``metadata["help"]``) and where its default comes from
    (``metadata["source"]``). ``cli=False`` keeps it out of the generated command line; ``flag`` is the option's
    short name (``--lr`` for ``learning_rate``; the field's own name stays an alias); ``choices`` limits a string."""
    metadata = {"help": help, "source": source, "cli": cli, "flag": flag, "choices": choices}
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def redefault(base: type, name: str, default: Any = dataclasses.MISSING, *, source: str,
              default_factory: Any = dataclasses.MISSING) -> Any:
    """A subclass's new default for ``base``'s field ``name``: the same help text, its own source."""
    meta = dict(next(f for f in dataclasses.fields(base) if f.name == name).metadata)
    meta["source"] = source
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata=meta)
    return field(default=default, metadata=meta)


def _require(ok: bool, message: str) -> None:
    if not ok:
        raise TrainConfigError(message)


@dataclass
class AlgorithmConfig:
    """Settings every algorithm shares; validated on construction (``dataclasses.replace`` validates too)."""

    name = "base"  # the algorithm's key in ALGORITHMS (a class attribute, not a setting)

    group_size: int = hparam(1, help="samples per prompt", source="subclass")
    prompts_per_step: int = hparam(16, help="prompts per policy update", source="subclass")
    learning_rate: float = hparam(1e-6, help="AdamW learning rate", source="subclass", flag="lr")
    weight_decay: float = hparam(0.0, help="AdamW weight decay", source="none of the papers uses it")
    max_grad_norm: float = hparam(1.0, help="global gradient-norm clip",
                                  source="standard for LM RL; TRL and verl default 1.0")
    clip_low: float = hparam(0.2, help="lower clip range epsilon of the probability ratio",
                             source="PPO, Schulman et al. 2017 sec. 6.1")
    clip_high: float = hparam(0.2, help="upper clip range of the ratio (DAPO's clip-higher raises it)",
                              source="PPO, Schulman et al. 2017 sec. 6.1")
    kl_estimator: KLEstimator = hparam("k3", help="per-token KL estimator: k1, k2 or k3",
                                       source="subclass")
    updates_per_batch: int = hparam(1, help="passes (epochs) over each batch", source="subclass")
    minibatches: int = hparam(1, help="minibatches per pass (one optimiser step each)",
                              source="one update per pass unless set")
    max_new_tokens: int = hparam(1024, help="completion budget in tokens (before context_schedule)",
                                 source="subclass")
    context_schedule: tuple[tuple[int, int], ...] = hparam(
        default_factory=tuple, help="iterative context lengthening: JSON [[step, max_new_tokens], ...], each "
        "entry applying from its step on", source="DeepCoder (GRPO+ only)")
    temperature: float = hparam(1.0, help="sampling temperature of rollouts",
                                source="1.0 samples the policy itself")
    top_p: float = hparam(1.0, help="nucleus sampling threshold of rollouts", source="no truncation")
    entropy_coef: float = hparam(0.0, help="entropy bonus weight", source="off: DeepCoder 'No Entropy Loss'")
    overlong_filtering: bool = hparam(False, help="zero the advantage of truncated samples",
                                      source="DAPO sec. 3.4 (GRPO+ turns it on)")

    def __post_init__(self) -> None:
        self.context_schedule = tuple((int(s), int(t)) for s, t in self.context_schedule)
        name = self.name
        _require(self.group_size >= 1 and self.prompts_per_step >= 1,
                 f"{name}: group_size and prompts_per_step must be >= 1")
        _require(self.learning_rate > 0, f"{name}: learning_rate must be > 0 (the tiny model uses 1e-4)")
        _require(self.weight_decay >= 0 and self.entropy_coef >= 0,
                 f"{name}: weight_decay and entropy_coef must be >= 0")
        _require(self.max_grad_norm > 0, f"{name}: max_grad_norm must be > 0 (1.0 is the usual clip)")
        _require(0 <= self.clip_low < 1 and self.clip_high >= 0,
                 f"{name}: clip_low must be in [0, 1) and clip_high >= 0 (PPO uses 0.2 / 0.2, DAPO 0.2 / 0.28)")
        _require(self.kl_estimator in get_args(KLEstimator),
                 f"{name}: kl_estimator must be one of {', '.join(get_args(KLEstimator))}")
        _require(self.updates_per_batch >= 1 and self.minibatches >= 1,
                 f"{name}: updates_per_batch and minibatches must be >= 1")
        _require(self.max_new_tokens >= 1, f"{name}: max_new_tokens must be >= 1")
        _require(all(s >= 0 and t >= 1 for s, t in self.context_schedule),
                 f"{name}: context_schedule entries are [step >= 0, max_new_tokens >= 1]")
        _require(self.temperature >= 0, f"{name}: temperature must be >= 0 (0 decodes greedily)")
        _require(0 < self.top_p <= 1, f"{name}: top_p must be in (0, 1]")

    def max_new_tokens_at(self, step: int) -> int:
        """The completion budget at training step ``step`` under :attr:`context_schedule`."""
        budget = self.max_new_tokens
        for start, tokens in sorted(self.context_schedule):
            if step >= start:
                budget = tokens
        return budget

    def replace(self, **changes: Any) -> AlgorithmConfig:
        return dataclasses.replace(self, **changes)


@dataclass
class GRPOConfig(AlgorithmConfig):
    """Group Relative Policy Optimisation (DeepSeekMath)."""

    name = "grpo"

    group_size: int = redefault(AlgorithmConfig, "group_size", 64,
                                source='DeepSeekMath sec. 4.2: "we sample 64 outputs for each question"')
    prompts_per_step: int = redefault(AlgorithmConfig, "prompts_per_step", 16,
                                      source="DeepSeekMath's 1024 samples per batch = 16 prompts x 64")
    learning_rate: float = redefault(AlgorithmConfig, "learning_rate", 1e-6,
                                     source='DeepSeekMath sec. 4.2: "The learning rate of the policy model is 1e-6"')
    kl_estimator: KLEstimator = redefault(AlgorithmConfig, "kl_estimator", "k3", source="DeepSeekMath eq. 4")
    updates_per_batch: int = redefault(AlgorithmConfig, "updates_per_batch", 1,
                                       source='DeepSeekMath sec. 4.2: "a single update following each exploration '
                                              'stage"')
    max_new_tokens: int = redefault(AlgorithmConfig, "max_new_tokens", 1024,
                                    source='DeepSeekMath sec. 4.2: "the max length is set to 1024"')
    beta: float = hparam(0.04, help="KL coefficient of the loss term to the reference model",
                         source='DeepSeekMath sec. 4.2: "The KL coefficient is 0.04"')
    loss_aggregation: LossAggregation = hparam(
        "sequence_mean", help="sequence_mean (DeepSeekMath eq. 3), token_mean (DAPO) or constant (Dr. GRPO)",
        source="DeepSeekMath eq. 3")
    scale_rewards: bool = hparam(True, help="divide advantages by the group's std (Dr. GRPO turns it off)",
                                 source="DeepSeekMath outcome supervision")
    advantage_eps: float = hparam(1e-4, help="stabiliser of (r - mean) / (std + eps)",
                                  source="TRL (1e-4); verl uses 1e-6; not in the paper")

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(self.group_size >= 2, f"{self.name} needs group_size >= 2: advantages are relative to the other "
                                       "samples of a prompt (use ppo for one sample per prompt)")
        _require(self.beta >= 0, f"{self.name}: beta must be >= 0 (0 turns the KL term off)")
        _require(self.loss_aggregation in get_args(LossAggregation),
                 f"{self.name}: loss_aggregation must be one of {', '.join(get_args(LossAggregation))}")
        _require(self.advantage_eps >= 0, f"{self.name}: advantage_eps must be >= 0")


@dataclass
class GRPOPlusConfig(GRPOConfig):
    """DeepCoder's GRPO+: GRPO + DAPO's clip-higher, token-level loss and overlong filtering, no KL, no entropy."""

    name = "grpo+"

    group_size: int = redefault(GRPOConfig, "group_size", 8, source="DeepCoder: 8 samples per prompt")
    learning_rate: float = redefault(GRPOConfig, "learning_rate", 1e-6, source="DeepCoder: constant lr 1e-6")
    beta: float = redefault(GRPOConfig, "beta", 0.0, source='DeepCoder "No KL Loss"')
    clip_high: float = redefault(GRPOConfig, "clip_high", 0.28, source='DeepCoder "Clip High (from DAPO)"')
    loss_aggregation: LossAggregation = redefault(GRPOConfig, "loss_aggregation", "token_mean",
                                                  source="DAPO's token-level loss")
    overlong_filtering: bool = redefault(GRPOConfig, "overlong_filtering", True,
                                         source='DeepCoder "Overlong Filtering (from DAPO)"')
    temperature: float = redefault(GRPOConfig, "temperature", 0.6,
                                   source="DeepCoder's recommended decoding temperature, also used in training")
    max_new_tokens: int = redefault(GRPOConfig, "max_new_tokens", 16384, source="DeepCoder: 16K first")
    context_schedule: tuple[tuple[int, int], ...] = redefault(
        GRPOConfig, "context_schedule", default_factory=lambda: ((0, 16384), (1000, 32768)),
        source="DeepCoder's iterative context lengthening 16K -> 32K")


@dataclass
class PPOConfig(AlgorithmConfig):
    """PPO for language models with a learned value head and a per-token KL penalty in the reward."""

    name = "ppo"

    group_size: int = redefault(AlgorithmConfig, "group_size", 1,
                                source="PPO needs no group; one sample per prompt (Ziegler et al. 2019)")
    prompts_per_step: int = redefault(AlgorithmConfig, "prompts_per_step", 64, source="TRL PPOTrainer batch 64")
    learning_rate: float = redefault(AlgorithmConfig, "learning_rate", 1e-5,
                                     source="Ziegler et al. 2019 / TRL ~1e-5 for small models")
    kl_estimator: KLEstimator = redefault(AlgorithmConfig, "kl_estimator", "k1", source="Ziegler et al. 2019 eq. 2")
    updates_per_batch: int = redefault(AlgorithmConfig, "updates_per_batch", 4,
                                       source="Ziegler et al. 2019 / N+ details: 4 PPO epochs per batch")
    max_new_tokens: int = redefault(AlgorithmConfig, "max_new_tokens", 512, source="short programs")
    kl_coef: float = hparam(0.05, help="per-token KL penalty in the reward",
                            source="TRL 0.05 (InstructGPT 0.02; Ziegler et al. 2019 eq. 2)")
    gamma: float = hparam(1.0, help="GAE discount", source="Ziegler et al. 2019; N+ details")
    lam: float = hparam(0.95, help="GAE lambda", source="Ziegler et al. 2019; N+ details")
    value_clip: float = hparam(0.2, help="clip range of the value loss", source="N+ details, detail 9")
    value_coef: float = hparam(0.1, help="value loss weight", source="TRL PPOTrainer vf_coef 0.1")
    whiten_advantages: bool = hparam(True, help="whiten advantages over the batch", source="N+ details, detail 7")
    value_head_from_prm: str | None = hparam(None, help="initialise the value head from this saved PRM directory",
                                             source="off", cli=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        _require(0 <= self.gamma <= 1 and 0 <= self.lam <= 1, "ppo: gamma and lam must be in [0, 1]")
        _require(self.kl_coef >= 0 and self.value_clip >= 0 and self.value_coef >= 0,
                 "ppo: kl_coef, value_clip and value_coef must be >= 0")


#: The algorithms, by the name ``codegym train --algo`` takes; the first is the default.
ALGORITHMS: dict[str, type[AlgorithmConfig]] = {"grpo+": GRPOPlusConfig, "grpo": GRPOConfig, "ppo": PPOConfig}


def config_for(algo: str, **overrides: Any) -> AlgorithmConfig:
    """The config of ``algo`` (a key of :data:`ALGORITHMS`) with ``overrides`` applied and validated."""
    if algo not in ALGORITHMS:
        raise TrainConfigError(f"unknown algorithm {algo!r}; use one of {', '.join(ALGORITHMS)}")
    cls = ALGORITHMS[algo]
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise TrainConfigError(f"{algo} has no settings {', '.join(unknown)}; its settings: {', '.join(sorted(known))}")
    return cls(**overrides)


#: Env ids training supports, by kind.
SINGLE_TURN_ENVS = ("CodeGen-v0",)
MULTI_TURN_ENVS = ("CodeRefine-v0",)
MULTI_AGENT_ENVS = ("CoderTester-v0",)
TRAIN_ENVS = SINGLE_TURN_ENVS + MULTI_TURN_ENVS + MULTI_AGENT_ENVS

PromptStyleChoice = Literal["auto", "chat", "completion"]
Engine = Literal["hf", "vllm"]


@dataclass
class TrainConfig:
    """Run-level settings of :class:`~agents.trainer.Trainer` (the algorithm's own settings are its config's:
    :attr:`algo` names it, :attr:`algo_overrides` changes its fields)."""

    algo: str = hparam(next(iter(ALGORITHMS)), help="algorithm", choices=tuple(ALGORITHMS))
    env_id: str = hparam(SINGLE_TURN_ENVS[0], help="env to train on", flag="env", choices=TRAIN_ENVS)
    model: str | None = hparam(None, help="HF model directory or hub name (default: build the tiny local model "
                                          "under OUTPUT/tiny-model)")
    output_dir: str = hparam("runs/train", help="output directory", flag="output")
    overwrite: bool = hparam(False, help="replace an earlier run in OUTPUT (like HF TrainingArguments' "
                                         "overwrite_output_dir; without it a used OUTPUT is refused)",
                             flag="overwrite-output-dir")
    resume: bool = hparam(False, help="continue from the latest checkpoint in OUTPUT")
    steps: int = hparam(200, help="RL steps")
    eval_every: int | None = hparam(None, help="evaluate held-out pass@1 every N steps (default steps/3; 0: never)")
    eval_samples: int = hparam(4, help="samples per held-out task for pass@1 (unbiased estimate over them)")
    eval_temperature: float | None = hparam(None, help="temperature of evaluation samples (default: the "
                                                       "algorithm's; 0 decodes greedily)")
    save_every: int | None = hparam(None, help="checkpoint every N steps (default steps/3; 0: only at the end)")
    warmup_steps: int = hparam(0, help="supervised warm-up steps (batch 32) on the training references before RL")
    warmup_learning_rate: float = hparam(1e-5, help="learning rate of the supervised warm-up")
    difficulty_filter: int = hparam(0, help="screen the first N training tasks (2 samples each) and train only on "
                                            "those solved sometimes but not always (DeepCoder's offline difficulty "
                                            "filtering; 0: off)")
    seed: int = hparam(0, help="random seed (task order, sampling, initialisation)")
    device: str = hparam("auto", help="cpu, cuda, cuda:1 or auto")
    dtype: str = hparam("auto", help="auto (bf16 on a GPU that supports it), float32, bfloat16, float16")
    lora_rank: int = hparam(0, help="train LoRA adapters of this rank (alpha 2x rank; 0: full fine-tuning)",
                            flag="lora")
    gradient_checkpointing: bool = hparam(False, help="recompute activations in the backward pass to save memory")
    engine: Engine = hparam("hf", help="generation engine: hf or vllm")
    prompt_style: PromptStyleChoice = hparam("auto", help="chat, completion, or auto: the model's recorded prompt "
                                                          "format (else chat when it has a chat template)")
    stop: tuple[str, ...] | None = hparam(None, help="stop sequences besides EOS, repeatable (default: the "
                                                     "model's recorded ones)")
    micro_batch_size: int | None = hparam(None, help="sequences per forward/backward (gradient accumulation)")
    gen_batch_size: int | None = hparam(None, help="rows per generate call (default: all)")
    executor: str | None = hparam(None, help="sandbox backend: local (default), docker, ray")
    reward: Any = hparam(None, help="reward by registry name (codegym.rewards.REWARDS), e.g. exec_lines: per-line "
                                    "process rewards PPO places on the token ending each line (default: binary "
                                    "pass); a Reward object from Python")
    prm: str | None = hparam(None, help="PPO: initialise the value head from this saved PRM directory")
    show_progress: bool = hparam(True, help="progress bars", cli=False)
    tensorboard: bool = hparam(True, help="TensorBoard scalars when tensorboard is installed", cli=False)
    train_tasks: list[Any] = hparam(default_factory=list, help="training tasks", cli=False)
    eval_tasks: list[Any] = hparam(default_factory=list, help="held-out tasks (default: the training tasks)",
                                   cli=False)
    algo_overrides: dict[str, Any] = hparam(default_factory=dict, help="algorithm settings", cli=False)
    wrappers: list[Any] = hparam(default_factory=list, help="per-env gymnasium wrappers of the training and "
                                                            "evaluation envs", cli=False)

    def __post_init__(self) -> None:
        _require(self.algo in ALGORITHMS, f"unknown algorithm {self.algo!r}; use one of {', '.join(ALGORITHMS)}")
        _require(self.env_id in TRAIN_ENVS, f"cannot train on {self.env_id!r}; use one of {', '.join(TRAIN_ENVS)}")
        _require(self.steps >= 0, "steps must be >= 0")
        if self.eval_every is None:
            self.eval_every = max(1, self.steps // 3)
        if self.save_every is None:
            self.save_every = max(1, self.steps // 3)
        _require(self.eval_every >= 0 and self.save_every >= 0, "eval_every and save_every must be >= 0")
        _require(self.eval_samples >= 1, "eval_samples must be >= 1")
        _require(self.warmup_steps >= 0 and self.difficulty_filter >= 0,
                 "warmup_steps and difficulty_filter must be >= 0")
        _require(self.lora_rank >= 0, "lora_rank must be >= 0 (0: no LoRA)")
        _require(not (self.resume and self.overwrite), "resume and overwrite exclude each other: resume continues "
                                                        "the run in OUTPUT, overwrite replaces it")
        _require(self.engine in get_args(Engine), f"engine must be one of {', '.join(get_args(Engine))}")
        _require(self.prompt_style in get_args(PromptStyleChoice),
                 f"prompt_style must be one of {', '.join(get_args(PromptStyleChoice))}")
        if self.stop is not None:
            self.stop = tuple(self.stop)
        for name in ("micro_batch_size", "gen_batch_size"):
            value = getattr(self, name)
            _require(value is None or value >= 1, f"{name} must be >= 1 (or None for the whole batch)")
        self.algorithm()  # validates algo_overrides now rather than at the first step

    def algorithm(self) -> AlgorithmConfig:
        """The algorithm's config with :attr:`algo_overrides` applied."""
        return config_for(self.algo, **self.algo_overrides)


def cli_fields(cls: type) -> list[dataclasses.Field]:
    """The fields of ``cls`` the command line exposes."""
    return [f for f in dataclasses.fields(cls) if f.metadata.get("cli", True)]


__all__ = ["AlgorithmConfig", "GRPOConfig", "GRPOPlusConfig", "PPOConfig", "ALGORITHMS", "config_for",
           "TrainConfig", "TrainConfigError", "LossAggregation", "KLEstimator", "hparam", "redefault", "cli_fields",
           "SINGLE_TURN_ENVS", "MULTI_TURN_ENVS", "MULTI_AGENT_ENVS", "TRAIN_ENVS"]
