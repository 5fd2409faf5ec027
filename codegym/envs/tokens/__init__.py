"""``CodeGenTokens-v0``: token-level code generation for Stable-Baselines3, in three modules.

* :mod:`codegym.envs.tokens.grammar` -- special tokens, token classes and :class:`LineGrammar`, the action mask;
* :mod:`codegym.envs.tokens.vocabulary` -- task slot bindings, the :class:`Tokenizer` protocol,
  :class:`CodeVocabulary` (the default) and :class:`HFTokenizerAdapter`;
* :mod:`codegym.envs.tokens.env` -- :class:`CodeGenTokensEnv`, the env.

Every public name is importable from this package (``from codegym.envs.tokens import CodeVocabulary``).
"""

from __future__ import annotations

from codegym.envs.tokens.env import CodeGenTokensEnv, make_tokens_env
from codegym.envs.tokens.grammar import (
    ARG_SLOTS,
    DEDENT,
    EOS,
    FN,
    N_SLOTS,
    NEWLINE,
    NUM_SLOTS,
    PAD,
    SEP,
    STR_SLOTS,
    TOKEN_CLASSES,
    UNK,
    LineGrammar,
    classify,
)
from codegym.envs.tokens.vocabulary import (
    BASE_CODE_TOKENS,
    CodeVocabulary,
    HFTokenizerAdapter,
    TaskBinding,
    Tokenizer,
    bind_task,
    prompt_words,
    tokenize_body,
)

__all__ = ["ARG_SLOTS", "BASE_CODE_TOKENS", "DEDENT", "EOS", "FN", "N_SLOTS", "NEWLINE", "NUM_SLOTS", "PAD", "SEP",
           "STR_SLOTS", "TOKEN_CLASSES", "UNK", "CodeGenTokensEnv", "CodeVocabulary", "HFTokenizerAdapter",
           "LineGrammar", "TaskBinding", "Tokenizer", "bind_task", "classify", "make_tokens_env", "prompt_words",
           "tokenize_body"]
