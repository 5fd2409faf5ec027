"""A tiny causal LM and tokenizer built locally from a config, for tests and the CPU demo (no download).

:func:`build_tiny_model` writes a Hugging Face model directory (``config.json``, weights, tokenizer files with a chat
template, ``generation_config.json``, and ``prompt_format.json``: completion style) that loads by path like any hub
model::

    from agents.tiny import build_tiny_model
    path = build_tiny_model("runs/tiny")          # ~1M parameters, Llama architecture
    policy = Policy.from_pretrained(path)         # agents.policy

The tokenizer is a byte-level BPE trained in milliseconds on a small built-in Python corpus (plus any texts passed
in, e.g. the prompts and reference solutions of the tasks to train on): byte-level so that any text encodes without
unknown tokens, BPE so that Python code takes 3-4x fewer tokens than characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from agents.prompting import PromptFormat

#: Special tokens of the tiny tokenizer. ``<|end|>`` ends every chat message and is the EOS token.
PAD_TOKEN = "<|pad|>"
END_TOKEN = "<|end|>"
ROLE_TOKENS = ("<|system|>", "<|user|>", "<|assistant|>")

#: A ChatML-like template: ``<|role|>\ncontent<|end|>\n`` per message, then ``<|assistant|>\n`` to generate.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)

#: Python text the BPE merges are learned from; covers the syntax and vocabulary of small function tasks.
_BASE_CORPUS = '''
def solve(x):
    return x + 1

def add(a, b):
    """Return the sum of a and b."""
    return a + b

def is_even(n: int) -> bool:
    return n % 2 == 0

def count_items(items: list) -> int:
    total = 0
    for item in items:
        if item is not None:
            total += 1
    return total

def reverse_string(s: str) -> str:
    return s[::-1]

def maximum(values):
    best = values[0]
    for value in values[1:]:
        if value > best:
            best = value
    return best

class Solution:
    def twoSum(self, nums: list[int], target: int) -> list[int]:
        seen = {}
        for i, num in enumerate(nums):
            if target - num in seen:
                return [seen[target - num], i]
            seen[num] = i
        return []

import sys
n = int(input())
values = list(map(int, input().split()))
print(sum(values))
while True:
    break
try:
    pass
except ValueError:
    raise
with open("file") as handle:
    lines = [line.strip() for line in handle]
assert add(1, 2) == 3
print(len("hello"), min(1, 2), max(3, 4), abs(-5), sorted([3, 1, 2]), str(10), int("7"), float("1.5"))
Write a Python function that returns the result. Return only the code in a ```python block.
The function takes an integer and a string, a list of numbers, and returns a boolean, True or False, None.
Tests failed: expected 3 but got 4. Fix the program.
'''


@dataclass(frozen=True)
class TinyModelConfig:
    """Shape of the tiny model. The defaults make a ~1M-parameter Llama that trains at hundreds of tokens/s on
    two CPU cores."""

    vocab_size: int = 1024
    hidden_size: int = 128
    intermediate_size: int = 256
    num_hidden_layers: int = 4
    num_attention_heads: int = 4
    max_position_embeddings: int = 1024
    architecture: str = "llama"  # "llama" or "gpt2"
    seed: int = 0


def build_tiny_tokenizer(corpus: Iterable[str] = (), vocab_size: int = 1024):
    """The tiny model's tokenizer: codegym's byte-level BPE builder (:func:`codegym.prm.model.build_tokenizer`)
    trained on the built-in Python corpus plus ``corpus``, with the chat role tokens and :data:`CHAT_TEMPLATE`."""
    from codegym.prm.model import build_tokenizer

    # min_frequency 0: the built-in corpus is small, and every merge it has is one the tiny model can use
    fast = build_tokenizer([_BASE_CORPUS, *corpus], vocab_size=vocab_size, min_frequency=0, pad_token=PAD_TOKEN,
                           eos_token=END_TOKEN, extra_special_tokens=ROLE_TOKENS, chat_template=CHAT_TEMPLATE)
    fast.padding_side = "left"  # decoder-only generation pads on the left
    return fast


def build_tiny_model(path: str | Path, config: TinyModelConfig | None = None, corpus: Iterable[str] = (),
                     overwrite: bool = False) -> Path:
    """Build a randomly initialised tiny causal LM and its tokenizer and save both to ``path``.

    Returns ``path``. An existing model directory is kept as is unless ``overwrite`` (so repeated calls are cheap).
    """
    import torch
    from transformers import GenerationConfig

    path = Path(path)
    config = config or TinyModelConfig()
    if (path / "config.json").exists() and (path / "tokenizer.json").exists() and not overwrite:
        return path
    path.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tiny_tokenizer(corpus, config.vocab_size)
    vocab = len(tokenizer)
    torch.manual_seed(config.seed)
    model = _make_model(config, vocab, tokenizer.pad_token_id, tokenizer.eos_token_id)
    model.generation_config = GenerationConfig(eos_token_id=tokenizer.eos_token_id,
                                               pad_token_id=tokenizer.pad_token_id, do_sample=True)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    # trained and evaluated completion-style (it continues a function's signature); the record travels with it
    PromptFormat(style="completion").save(path)
    (path / "tiny_config.json").write_text(json.dumps(asdict(config), indent=2))
    return path


def _make_model(config: TinyModelConfig, vocab: int, pad_id: int, eos_id: int):
    if config.architecture == "llama":
        from transformers import LlamaConfig, LlamaForCausalLM

        hf_config = LlamaConfig(vocab_size=vocab, hidden_size=config.hidden_size,
                                intermediate_size=config.intermediate_size,
                                num_hidden_layers=config.num_hidden_layers,
                                num_attention_heads=config.num_attention_heads,
                                num_key_value_heads=config.num_attention_heads,
                                max_position_embeddings=config.max_position_embeddings,
                                tie_word_embeddings=True, pad_token_id=pad_id, eos_token_id=eos_id,
                                bos_token_id=None)
        return LlamaForCausalLM(hf_config)
    if config.architecture == "gpt2":
        from transformers import GPT2Config, GPT2LMHeadModel

        hf_config = GPT2Config(vocab_size=vocab, n_embd=config.hidden_size, n_inner=config.intermediate_size,
                               n_layer=config.num_hidden_layers, n_head=config.num_attention_heads,
                               n_positions=config.max_position_embeddings, pad_token_id=pad_id,
                               eos_token_id=eos_id, bos_token_id=eos_id)
        return GPT2LMHeadModel(hf_config)
    raise ValueError(f"unknown tiny architecture {config.architecture!r}; use 'llama' or 'gpt2'")


def random_model_of_size(size: str, tokenizer_source: str | Path | None = None):
    """A randomly initialised Qwen2-shaped causal LM of about ``size`` parameters (``"0.5b"``, ``"tiny"``) for
    throughput benchmarks; returns ``(model, tokenizer)``. Uses the tiny tokenizer unless ``tokenizer_source``."""
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source) if tokenizer_source else build_tiny_tokenizer()
    vocab = len(tokenizer)
    shapes = {
        # Qwen2.5-0.5B's shape (hidden 896, 24 layers, 14 heads, 2 kv heads) with a 151k vocab is 0.49B; with a
        # small vocabulary the same body is ~0.36B, so widen the MLP to stay near 0.5B of compute.
        "0.5b": dict(hidden_size=896, intermediate_size=6784, num_hidden_layers=24, num_attention_heads=14,
                     num_key_value_heads=2),
        "tiny": dict(hidden_size=128, intermediate_size=256, num_hidden_layers=4, num_attention_heads=4,
                     num_key_value_heads=4),
    }
    if size not in shapes:
        raise ValueError(f"unknown model size {size!r}; use one of {sorted(shapes)}")
    config = Qwen2Config(vocab_size=vocab, max_position_embeddings=4096, tie_word_embeddings=True,
                         pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id, **shapes[size])
    return Qwen2ForCausalLM(config), tokenizer
