"""codegym in other RL stacks: dataset layouts for trainers and agentic-RL env adapters.

=====================================  =================================================================
module                                 what
=====================================  =================================================================
:mod:`codegym.integrations.export`     chat prompts for tasks; rows in verl's, SkyRL's and TRL's dataset
                                       layouts; parquet writing (``codegym export`` uses it)
:mod:`codegym.integrations.skyrl`      ``CodeGen-v0`` / ``CodeRefine-v0`` as SkyRL-gym ``BaseTextEnv`` s
                                       (needs ``pip install skyrl-gym``)
:mod:`codegym.integrations.trl`        ``CodeRefine-v0`` as a TRL environment (``GRPOTrainer``'s
                                       ``environment_factory``): a ``run_tests`` tool, the episode's
                                       return as ``get_reward``, and its dataset rows
=====================================  =================================================================

The reward functions for TRL and verl live with the rewards, in :mod:`codegym.rewards.adapters`. This package sits
above the envs and below the CLI: it may import any codegym layer, and nothing in codegym imports it but the CLI.
See docs/trl.md, docs/verl.md and docs/agentic_rl.md.
"""
