"""An LLM policy: any Hugging Face causal LM (local path or hub name) with its tokenizer and chat template.

:class:`Policy` samples completions in batches (temperature, top-p, max new tokens) and returns the token ids and
log-probabilities of what it generated; it computes the log-probabilities (and, with a value head, the values) of
given completions for training. Options: LoRA through ``peft``, bf16 and gradient checkpointing on GPU, and
generation through vLLM when it is installed (``engine="vllm"``).

Tensors use TRL's layout: prompts left-padded ``[B, P]``, completions right-padded ``[B, C]``, concatenated, so that
the logits of the completion tokens are the last ``C`` positions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from agents.prompting import PromptFormat, cut_at_stop
from codegym.errors import CodegymError

Message = dict[str, str]
PromptLike = str | Sequence[Message]


class PolicyLoadError(CodegymError, ValueError):
    """A model or tokenizer could not be loaded from the given path or hub name."""


@dataclass
class LoraSettings:
    """LoRA adapter settings (Hu et al. 2021): rank 16, alpha 32 and dropout 0.05 are the common peft defaults for
    RL fine-tuning; ``all-linear`` adapts every linear layer but the output head."""

    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: str | list[str] = "all-linear"


@dataclass
class Generation:
    """One sampled completion."""

    prompt: str
    text: str
    prompt_ids: list[int]
    completion_ids: list[int]
    logprobs: list[float]
    truncated: bool  # stopped by max_new_tokens rather than by EOS
    info: dict[str, Any] = field(default_factory=dict)


class ValueHead(nn.Module):
    """A scalar value per token from the LM's last hidden state (PPO's critic)."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.summary = nn.Linear(hidden_size, 1)
        nn.init.zeros_(self.summary.weight)
        nn.init.zeros_(self.summary.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return self.summary(hidden.to(self.summary.weight.dtype)).squeeze(-1)


def pick_device(device: str | None = None) -> torch.device:
    if device in (None, "auto"):
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


class Policy:
    """A causal LM + tokenizer (+ optional value head, LoRA adapter and vLLM engine) and its
    :class:`~agents.prompting.PromptFormat` (how it is prompted; saved and loaded with the model)."""

    def __init__(self, model: Any, tokenizer: Any, device: torch.device | str | None = None,
                 value_head: bool = False, name: str = "model", prompt_format: PromptFormat | None = None) -> None:
        self.device = pick_device(str(device) if device is not None else None)
        self.model = model.to(self.device)
        self.tokenizer = tokenizer
        self.name = name
        self.prompt_format = prompt_format or PromptFormat.infer(tokenizer)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            # many base models ship without a pad token; padding is always masked, so EOS is safe to reuse
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.value_head: ValueHead | None = None
        if value_head:
            self.value_head = ValueHead(self.hidden_size).to(self.device)
        self.vllm: VLLMEngine | None = None
        self._eos_ids = self._collect_eos_ids()

    # -- loading ---------------------------------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, name_or_path: str | Path, device: str | None = "auto", dtype: str = "auto",
                        lora: LoraSettings | None = None, gradient_checkpointing: bool = False,
                        value_head: bool = False, engine: str = "hf",
                        trust_remote_code: bool = False) -> Policy:
        """Load a causal LM and its tokenizer from a local directory or the Hugging Face hub.

        ``dtype="auto"`` picks bf16 on a GPU that supports it and fp32 otherwise. ``engine="vllm"`` generates with
        vLLM (weights are synced after each update by :meth:`sync_engine`). The prompt format is the one recorded in
        the directory (``prompt_format.json``), else inferred from the tokenizer (:meth:`PromptFormat.infer`).
        """
        from transformers import AutoModelForCausalLM, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        target = pick_device(device)
        torch_dtype = _resolve_dtype(dtype, target)
        source = str(name_or_path)
        try:
            tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=trust_remote_code)
            model = AutoModelForCausalLM.from_pretrained(source, dtype=torch_dtype,
                                                         trust_remote_code=trust_remote_code)
        except (OSError, ValueError) as exc:
            raise PolicyLoadError(f"cannot load a causal LM from {source!r}: {exc}. Pass a local model directory "
                                  "(config.json + weights + tokenizer) or a hub name; build a tiny local one with "
                                  "agents.tiny.build_tiny_model(PATH).") from exc
        if gradient_checkpointing:
            model.gradient_checkpointing_enable()
            model.config.use_cache = False
        if lora is not None:
            model = apply_lora(model, lora)
        recorded = PromptFormat.load(source) if Path(source).is_dir() else None
        policy = cls(model, tokenizer, target, value_head=value_head, name=Path(source).name or source,
                     prompt_format=recorded)
        if engine == "vllm":
            policy.vllm = VLLMEngine(source, dtype=str(torch_dtype).replace("torch.", ""))
        elif engine != "hf":
            raise ValueError(f"unknown generation engine {engine!r}; use 'hf' or 'vllm'")
        return policy

    # -- properties ------------------------------------------------------------------------------------------
    @property
    def hidden_size(self) -> int:
        config = self.model.config
        return int(getattr(config, "hidden_size", None) or config.n_embd)

    @property
    def eos_token_ids(self) -> list[int]:
        return list(self._eos_ids)

    def _collect_eos_ids(self) -> list[int]:
        ids: set[int] = set()
        if self.tokenizer.eos_token_id is not None:
            ids.add(int(self.tokenizer.eos_token_id))
        gen_config = getattr(self.model, "generation_config", None)
        extra = getattr(gen_config, "eos_token_id", None) if gen_config is not None else None
        if isinstance(extra, int):
            ids.add(extra)
        elif isinstance(extra, (list, tuple)):
            ids.update(int(i) for i in extra)
        return sorted(ids)

    def parameters(self):
        """Trainable parameters (LoRA adapters only when LoRA is on) plus the value head's."""
        params = [p for p in self.model.parameters() if p.requires_grad]
        if self.value_head is not None:
            params += list(self.value_head.parameters())
        return params

    # -- prompts ---------------------------------------------------------------------------------------------
    def format_prompt(self, prompt: PromptLike) -> str:
        """Text fed to the model: chat messages go through the tokenizer's chat template (with the generation
        prompt); plain strings too when the tokenizer has a template, else they are used as they are."""
        if isinstance(prompt, str):
            if not getattr(self.tokenizer, "chat_template", None):
                return prompt
            prompt = [{"role": "user", "content": prompt}]
        if not getattr(self.tokenizer, "chat_template", None):
            return "\n\n".join(m["content"] for m in prompt) + "\n\n"
        return self.tokenizer.apply_chat_template(list(prompt), tokenize=False, add_generation_prompt=True)

    # -- generation ------------------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, prompts: Sequence[PromptLike], num_samples: int = 1, temperature: float = 1.0,
                 top_p: float = 1.0, max_new_tokens: int = 256, batch_size: int | None = None,
                 max_prompt_tokens: int | None = None, return_logprobs: bool = True,
                 stop: Sequence[str] | None = None) -> list[Generation]:
        """Sample ``num_samples`` completions per prompt; the samples of one prompt are contiguous in the result.

        ``stop`` (default: the prompt format's) ends a completion at the first stop sequence: the text stops before
        it, the token ids run to the token that completed it (what the policy sampled), as OpenAI's and vLLM's
        ``stop`` do.

        ``temperature=0`` decodes greedily. Log-probabilities are those of the sampling distribution at
        ``temperature`` (top-p truncation aside), which is what the trainer recomputes. ``return_logprobs=False``
        skips them (``Generation.logprobs`` is empty): keeping every step's logits costs batch x length x vocab
        memory, which the trainer avoids because it recomputes log-probs with its own forward pass.
        """
        if num_samples < 1 or max_new_tokens < 1:
            raise ValueError("num_samples and max_new_tokens must be >= 1")
        texts = [self.format_prompt(p) for p in prompts]
        stops = tuple(self.prompt_format.stop if stop is None else stop)
        if self.vllm is not None:
            return self.vllm.generate(texts, self.tokenizer, num_samples, temperature, top_p, max_new_tokens, stops)
        # one row per sample; chunk rows so memory stays bounded
        rows = [t for t in texts for _ in range(num_samples)]
        chunk = batch_size or len(rows)
        out: list[Generation] = []
        was_training = self.model.training
        self.model.eval()
        try:
            for start in range(0, len(rows), chunk):
                out.extend(self._generate_rows(rows[start:start + chunk], temperature, top_p, max_new_tokens,
                                               max_prompt_tokens, return_logprobs, stops))
        finally:
            self.model.train(was_training)
        return out

    def _generate_rows(self, rows: list[str], temperature: float, top_p: float, max_new_tokens: int,
                       max_prompt_tokens: int | None, return_logprobs: bool = True,
                       stops: tuple[str, ...] = ()) -> list[Generation]:
        enc = self.tokenizer(rows, return_tensors="pt", padding=True, add_special_tokens=False,
                             truncation=max_prompt_tokens is not None, max_length=max_prompt_tokens)
        input_ids = enc["input_ids"].to(self.device)
        attention_mask = enc["attention_mask"].to(self.device)
        greedy = temperature <= 0
        kwargs: dict[str, Any] = dict(max_new_tokens=max_new_tokens, do_sample=not greedy,
                                      pad_token_id=self.tokenizer.pad_token_id, eos_token_id=self._eos_ids,
                                      return_dict_in_generate=True, output_logits=return_logprobs)
        if not greedy:
            kwargs.update(temperature=temperature, top_p=top_p, top_k=0)
        result = self.model.generate(input_ids=input_ids, attention_mask=attention_mask, **kwargs)
        completions = result.sequences[:, input_ids.shape[1]:]
        logprobs = None
        if return_logprobs:
            logits = torch.stack(result.logits, dim=1).float()  # [B, C, V], raw (before temperature / top-p)
            if not greedy:
                logits = logits / temperature
            logprobs = torch.log_softmax(logits, dim=-1).gather(-1, completions.unsqueeze(-1)).squeeze(-1)
        gens = []
        eos = torch.tensor(self._eos_ids, device=completions.device)
        for i, row in enumerate(rows):
            ids = completions[i].tolist()
            is_eos = torch.isin(completions[i], eos).nonzero()
            if len(is_eos):
                length = int(is_eos[0]) + 1  # keep the EOS token: the policy chose to stop
                truncated = False
            else:
                length = len(ids)
                truncated = True
            prompt_ids = input_ids[i][attention_mask[i].bool()].tolist()
            completion_ids = ids[:length]
            text = self.tokenizer.decode(completion_ids, skip_special_tokens=True)
            if stops:  # on the generated text only (HF's stop_strings also match across the prompt's end)
                text, completion_ids, stopped = self._cut_at_stop(text, completion_ids, stops)
                if stopped:
                    length, truncated = len(completion_ids), False
            gens.append(Generation(prompt=row, text=text, prompt_ids=prompt_ids, completion_ids=completion_ids,
                                   logprobs=logprobs[i, :length].tolist() if logprobs is not None else [],
                                   truncated=truncated))
        return gens

    def _cut_at_stop(self, text: str, ids: list[int], stops: tuple[str, ...]) -> tuple[str, list[int], bool]:
        """(text before the first stop sequence, the ids up to the token completing it, whether one was found)."""
        cut, end = cut_at_stop(text, stops)
        if end is None:
            return text, ids, False
        for k in range(1, len(ids) + 1):
            if len(self.tokenizer.decode(ids[:k], skip_special_tokens=True)) >= end:
                return cut, ids[:k], True
        return cut, ids, True

    def sync_engine(self) -> None:
        """Push the current weights into the vLLM engine (no-op for HF generation)."""
        if self.vllm is not None:
            self.vllm.load_weights(self.merged_state_dict())

    def merged_state_dict(self) -> dict[str, torch.Tensor]:
        model = self.model
        if hasattr(model, "merge_and_unload"):  # peft: merge a copy of the adapters into the base weights
            import copy

            model = copy.deepcopy(model).merge_and_unload()
        return model.state_dict()

    # -- training-time forward passes ------------------------------------------------------------------------
    def forward_completion(self, prompt_ids: torch.Tensor, prompt_mask: torch.Tensor, completion_ids: torch.Tensor,
                           completion_mask: torch.Tensor, temperature: float = 1.0, with_values: bool = False,
                           with_entropy: bool = False, model: Any = None) -> dict[str, torch.Tensor]:
        """Log-probabilities ``[B, C]`` of ``completion_ids`` given the prompts (and values/entropy on request).

        ``model`` overrides the network (a frozen reference model); gradients flow when called outside no_grad.
        """
        net = model if model is not None else self.model
        input_ids = torch.cat([prompt_ids, completion_ids], dim=1)
        attention_mask = torch.cat([prompt_mask, completion_mask], dim=1)
        position_ids = (attention_mask.cumsum(1) - 1).clamp(min=0)
        n = completion_ids.shape[1]
        kwargs: dict[str, Any] = dict(input_ids=input_ids, attention_mask=attention_mask,
                                      position_ids=position_ids, use_cache=False)
        if with_values:
            kwargs["output_hidden_states"] = True
        try:
            outputs = net(**kwargs, logits_to_keep=n + 1)
        except TypeError:  # models without logits_to_keep (e.g. GPT-2 in some versions)
            outputs = net(**kwargs)
        logits = outputs.logits[:, -(n + 1):-1, :]
        if temperature and temperature > 0:
            logits = logits / temperature
        # log p(token) = logit(token) - logsumexp(logits), one sequence at a time: never materialises a float32
        # copy of the whole [B, C, vocab] log-softmax (TRL's "selective log-softmax")
        token_logits = logits.gather(-1, completion_ids.unsqueeze(-1)).squeeze(-1).float()
        normaliser = torch.stack([torch.logsumexp(row.float(), dim=-1) for row in logits])
        out = {"logprobs": token_logits - normaliser}
        if with_entropy:
            log_probs = torch.log_softmax(logits.float(), dim=-1)
            out["entropy"] = -(log_probs.exp() * log_probs).sum(-1)
        if with_values:
            if self.value_head is None:
                raise ValueError("values requested but this policy has no value head (value_head=True)")
            hidden = outputs.hidden_states[-1][:, -(n + 1):-1, :]
            out["values"] = self.value_head(hidden).float()
        return out

    # -- saving ----------------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save model (adapters merged), tokenizer and value head so the directory loads like any HF model."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        model = self.model
        if hasattr(model, "merge_and_unload"):
            import copy

            model = copy.deepcopy(model).merge_and_unload()
        model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        self.prompt_format.save(path)
        if self.value_head is not None:
            torch.save(self.value_head.state_dict(), path / "value_head.pt")
        return path

    def load_value_head(self, path: str | Path) -> bool:
        file = Path(path) / "value_head.pt"
        if self.value_head is None or not file.exists():
            return False
        self.value_head.load_state_dict(torch.load(file, map_location=self.device))
        return True


def apply_lora(model: Any, settings: LoraSettings) -> Any:
    """Wrap ``model`` with LoRA adapters through peft (only the adapters train)."""
    try:
        from peft import LoraConfig, get_peft_model
    except ImportError as exc:
        raise CodegymError("LoRA needs peft: pip install peft") from exc
    config = LoraConfig(r=settings.r, lora_alpha=settings.alpha, lora_dropout=settings.dropout,
                        target_modules=settings.target_modules, task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def _resolve_dtype(dtype: str, device: torch.device) -> torch.dtype:
    if dtype == "auto":
        if device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    table = {"float32": torch.float32, "fp32": torch.float32, "bfloat16": torch.bfloat16, "bf16": torch.bfloat16,
             "float16": torch.float16, "fp16": torch.float16}
    if dtype not in table:
        raise ValueError(f"unknown dtype {dtype!r}; use auto, float32, bfloat16 or float16")
    return table[dtype]


class VLLMEngine:
    """Generation through vLLM (Kwon et al. 2023) when it is installed; the trainer pushes weights after updates."""

    def __init__(self, model_path: str, dtype: str = "bfloat16", gpu_memory_utilization: float = 0.4) -> None:
        try:
            from vllm import LLM
        except ImportError as exc:
            raise CodegymError("engine='vllm' needs vLLM: pip install vllm (GPU only); or use engine='hf'") from exc
        self.llm = LLM(model=model_path, dtype=dtype, gpu_memory_utilization=gpu_memory_utilization,
                       enable_prefix_caching=True)

    def generate(self, texts: list[str], tokenizer: Any, num_samples: int, temperature: float, top_p: float,
                 max_new_tokens: int, stop: tuple[str, ...] = ()) -> list[Generation]:
        from vllm import SamplingParams

        params = SamplingParams(n=num_samples, temperature=temperature, top_p=top_p, max_tokens=max_new_tokens,
                                logprobs=0, stop=list(stop) or None)
        outputs = self.llm.generate(texts, params, use_tqdm=False)
        gens = []
        for text, request in zip(texts, outputs):
            for sample in request.outputs:
                ids = list(sample.token_ids)
                logprobs = [float(step[tok].logprob) for step, tok in zip(sample.logprobs or [], ids)]
                gens.append(Generation(prompt=text, text=sample.text, prompt_ids=list(request.prompt_token_ids),
                                       completion_ids=ids, logprobs=logprobs,
                                       truncated=sample.finish_reason == "length"))  # "stop": EOS or a stop
        return gens

    def load_weights(self, state_dict: dict[str, torch.Tensor]) -> None:
        # vLLM's in-process model accepts (name, tensor) pairs; the path to it moved across versions
        engine = self.llm.llm_engine
        executor = getattr(engine, "model_executor", None)
        worker = getattr(executor, "driver_worker", None)
        runner = getattr(getattr(worker, "worker", worker), "model_runner", None)
        if runner is None:
            raise CodegymError("this vLLM version does not expose in-process weight loading; use engine='hf'")
        runner.model.load_weights(state_dict.items())


def policy_summary(policy: Policy) -> str:
    n_params = sum(p.numel() for p in policy.model.parameters())
    trainable = sum(p.numel() for p in policy.parameters())
    return json.dumps({"model": policy.name, "params": n_params, "trainable": trainable,
                       "device": str(policy.device)})
