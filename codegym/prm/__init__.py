"""Process reward models: automatic line labels (mutation verification, binary-search prefixes), a
transformers line scorer, training/evaluation, and the PSGPO value-head initialisation.

Only :mod:`codegym.prm.model` needs torch/transformers, and it imports them when called.
"""

from __future__ import annotations

from codegym.prm.labelling import (
    LabelledProgram,
    label_counts,
    load_labels,
    mutation_labels,
    prefix_search_labels,
    reference_tail_policy,
    save_labels,
)
from codegym.prm.mutations import OPERATORS, Mutant, line_mutants, program_mutants
from codegym.prm.reward import PRMReward, psgpo_reward

__all__ = ["LabelledProgram", "label_counts", "load_labels", "save_labels", "mutation_labels",
           "prefix_search_labels", "reference_tail_policy", "OPERATORS", "Mutant", "line_mutants",
           "program_mutants", "PRMReward", "psgpo_reward"]

_MODEL_NAMES = ("ProcessRewardModel", "init_value_head_from_prm", "tiny_prm", "build_tokenizer", "build_tiny_classifier",
                "split_by_task")


def __getattr__(name: str):  # the model side needs torch/transformers: import it only when asked for
    if name in _MODEL_NAMES:
        from codegym.prm import model

        return getattr(model, name)
    raise AttributeError(f"module 'codegym.prm' has no attribute {name!r}")
