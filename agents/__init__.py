"""LLM policies and RL algorithms (PPO, GRPO, GRPO+) that train through codegym's environments.

The top layer: agents import codegym, never the reverse (``codegym train`` and ``codegym bench`` reach the CLI
through the ``codegym.commands`` entry-point group). Modules (torch/transformers are imported only by those that
need them; ``agents.config``, ``agents.prompting`` and ``agents.commands`` need neither):

* :mod:`agents.policy` -- :class:`~agents.policy.Policy`, any Hugging Face causal LM with sampling, log-probs,
  stop sequences, LoRA, a value head and an optional vLLM engine.
* :mod:`agents.prompting` -- :class:`~agents.prompting.PromptFormat`: how a model is prompted, saved with it.
* :mod:`agents.tiny` -- :func:`~agents.tiny.build_tiny_model`, a tiny local model + tokenizer for tests and demos.
* :mod:`agents.config` -- the algorithms' configs and the run's (validated, with help and sources; the CLI's
  options are generated from them).
* :mod:`agents.losses`, :mod:`agents.algorithms` -- GRPO, GRPO+ and PPO losses.
* :mod:`agents.episodes` -- :class:`~agents.episodes.EnvBatch`, lockstep episodes through one gymnasium vector env.
* :mod:`agents.rollout`, :mod:`agents.multiturn` -- rollouts on CodeGen-v0, CodeRefine-v0 and CoderTester-v0.
* :mod:`agents.trainer`, :mod:`agents.checkpoints`, :mod:`agents.reports`, :mod:`agents.sft` -- the training loop
  behind ``codegym train``, its files, its reports and the SFT warm-up.
* :mod:`agents.agent_specs`, :mod:`agents.bench`, :mod:`agents.serve` -- ``codegym bench`` and a local
  OpenAI-compatible server.
* :mod:`agents.commands` -- the ``train`` and ``bench`` commands.

See ``docs/agents.md``.
"""
