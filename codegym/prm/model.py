"""A process reward model: a transformers token-classification model read at each line's newline token.

The model sees the (optional) task prompt and the program; for every line it outputs two logits at the token that
holds the line's terminating newline -- "this prefix is still on a path to a passing program" vs "it is not".
A causal backbone (GPT-2, Llama, Qwen ...) makes that score depend only on the text up to the line, which is
what a *process* reward needs. Line scores are ``2 * p(correct) - 1`` in [-1, 1]; comment, blank and docstring
lines score ``None`` (neutral).

torch and transformers are imported lazily: nothing here is needed by the core envs.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from codegym.prm.labelling import LabelledProgram
from codegym.rewards._util import line_kinds
from codegym.rewards.errors import RewardConfigError
from codegym.rewards.placement import line_ends

if TYPE_CHECKING:
    import torch

PROMPT_SEPARATOR = "\n# --- solution ---\n"
CONFIG_NAME = "codegym_prm.json"


def build_tokenizer(texts: Iterable[str], vocab_size: int = 512, min_frequency: int = 2, *, pad_token: str = "<pad>",
                    eos_token: str = "<eos>", extra_special_tokens: Sequence[str] = (),
                    chat_template: str | None = None):
    """A byte-level BPE ``PreTrainedTokenizerFast`` trained on ``texts`` (no download): byte-level so any text
    encodes without unknown tokens, BPE so code takes a few times fewer tokens than characters. Offsets keep
    whitespace (``trim_offsets=False``) so every newline character maps to a token.

    The one builder of codegym's small local tokenizers: the PRM's (:func:`tiny_prm`) and the tiny policy's
    (``agents.tiny``, which adds chat role tokens and a chat template)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    extra = list(extra_special_tokens)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=min_frequency,
                                  special_tokens=[pad_token, eos_token, *extra], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(list(texts), trainer=trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token=pad_token, eos_token=eos_token,
                                   **({"additional_special_tokens": extra} if extra else {}))
    if chat_template is not None:
        fast.chat_template = chat_template
    return fast


def build_tiny_classifier(tokenizer: Any, n_layer: int = 2, n_embd: int = 64, n_head: int = 2,
                          max_positions: int = 1024, seed: int = 0):
    """A small randomly initialised GPT-2 token classifier (2 labels) for tests and quick experiments."""
    import torch
    from transformers import GPT2Config, GPT2ForTokenClassification

    torch.manual_seed(seed)
    config = GPT2Config(vocab_size=len(tokenizer), n_positions=max_positions, n_embd=n_embd, n_layer=n_layer,
                        n_head=n_head, num_labels=2, pad_token_id=tokenizer.pad_token_id,
                        eos_token_id=tokenizer.eos_token_id, bos_token_id=tokenizer.eos_token_id)
    return GPT2ForTokenClassification(config)


@dataclass
class EncodedProgram:
    input_ids: list[int]
    positions: list[int | None]  # per program line: token index of its newline (None: not scored / cut off)
    labels: list[int] | None = None  # per token: 1 positive, 0 negative, -100 ignored


class ProcessRewardModel:
    """A token-classification model + fast tokenizer that scores every line of a program.

    Args:
        model: a ``*ForTokenClassification`` model with 2 labels (0 wrong, 1 correct).
        tokenizer: a fast tokenizer (offsets are needed to find newline tokens).
        max_length: tokens per input; a long prompt is cut from the left, a long program from the right
            (lines past the cut score ``None``).
        use_prompt: prepend the task prompt (``prompt + PROMPT_SEPARATOR + program``) when one is given and the
            program does not already contain it.
    """

    def __init__(self, model: Any, tokenizer: Any, max_length: int = 1024, use_prompt: bool = True,
                 device: str | None = None) -> None:
        if not getattr(tokenizer, "is_fast", False):
            raise RewardConfigError("the PRM needs a fast tokenizer (PreTrainedTokenizerFast) for offsets")
        if getattr(model.config, "num_labels", 2) != 2:
            raise RewardConfigError("the PRM model must be a token classifier with num_labels=2")
        self.model, self.tokenizer = model, tokenizer
        self.max_length, self.use_prompt = max_length, use_prompt
        self.device = device or "cpu"
        self.model.to(self.device)

    # -- persistence -------------------------------------------------------------------------------------------
    @classmethod
    def from_pretrained(cls, path: str | Path, device: str | None = None) -> ProcessRewardModel:
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        path = Path(path)
        if not (path / CONFIG_NAME).exists():
            raise RewardConfigError(f"{path} is not a codegym PRM directory (no {CONFIG_NAME}); train one with "
                                    "`codegym prm train`")
        cfg = json.loads((path / CONFIG_NAME).read_text())
        model = AutoModelForTokenClassification.from_pretrained(path)
        tokenizer = AutoTokenizer.from_pretrained(path)
        return cls(model, tokenizer, cfg.get("max_length", 1024), cfg.get("use_prompt", True), device)

    def save_pretrained(self, path: str | Path, extra: dict[str, Any] | None = None) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(path)
        self.tokenizer.save_pretrained(path)
        (path / CONFIG_NAME).write_text(json.dumps({"max_length": self.max_length, "use_prompt": self.use_prompt,
                                                    **(extra or {})}, indent=2))

    # -- encoding ----------------------------------------------------------------------------------------------
    def encode(self, program: str, prompt: str | None = None,
               line_labels: Sequence[int | None] | None = None) -> EncodedProgram:
        """Token ids, the newline token of every line, and (with ``line_labels``) per-token training labels."""
        # completion-style programs (HumanEval) already start with the prompt: do not show it twice
        show_prompt = bool(self.use_prompt and prompt and prompt.strip() and prompt.strip() not in program)
        head = prompt + PROMPT_SEPARATOR if show_prompt else ""  # type: ignore[operator]
        text = head + program
        enc = self.tokenizer(text, add_special_tokens=False)
        ids: list[int] = list(enc["input_ids"])
        kinds = line_kinds(program)
        ends = line_ends(text, len(head))  # each line's newline (or the last character of an unterminated line)
        token_of = [enc.char_to_token(e) if e >= len(head) else None for e in ends]
        # window: keep the whole program when it fits (cutting the prompt's start), else the program's start
        program_start = enc.char_to_token(len(head)) if program else len(ids)
        program_start = len(ids) if program_start is None else program_start
        if len(ids) <= self.max_length:
            start = 0
        elif len(ids) - program_start <= self.max_length:
            start = len(ids) - self.max_length
        else:
            start = program_start
        end = start + self.max_length
        window = ids[start:end]
        positions: list[int | None] = []
        for i, tok in enumerate(token_of):
            ok = tok is not None and start <= tok < end and kinds[i] == "code"
            positions.append(tok - start if ok else None)  # type: ignore[operator]
        labels = None
        if line_labels is not None:
            labels = [-100] * len(window)
            for p, lab in zip(positions, line_labels):
                if p is not None and lab is not None:
                    labels[p] = 1 if lab > 0 else 0
        return EncodedProgram(window, positions, labels)

    # -- scoring -----------------------------------------------------------------------------------------------
    def _batch(self, encoded: Sequence[EncodedProgram]) -> dict[str, torch.Tensor]:
        import torch

        width = max(1, max(len(e.input_ids) for e in encoded))
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        ids = torch.full((len(encoded), width), pad, dtype=torch.long)
        mask = torch.zeros((len(encoded), width), dtype=torch.long)
        labels = torch.full((len(encoded), width), -100, dtype=torch.long)
        for row, e in enumerate(encoded):  # right padding: causal scores of real tokens are unaffected
            n = len(e.input_ids)
            ids[row, :n] = torch.tensor(e.input_ids, dtype=torch.long)
            mask[row, :n] = 1
            if e.labels is not None:
                labels[row, :n] = torch.tensor(e.labels, dtype=torch.long)
        return {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device),
                "labels": labels.to(self.device)}

    def score_many(self, programs: Sequence[str], prompts: Sequence[str | None] | None = None,
                   batch_size: int = 8) -> list[list[float | None]]:
        """Per-line scores in [-1, 1] for each program (``None`` for non-code lines and lines past the window)."""
        import torch

        prompts = list(prompts) if prompts is not None else [None] * len(programs)
        out: list[list[float | None]] = []
        self.model.eval()
        for i in range(0, len(programs), batch_size):
            encoded = [self.encode(p, q) for p, q in zip(programs[i:i + batch_size], prompts[i:i + batch_size])]
            batch = self._batch(encoded)
            with torch.no_grad():
                logits = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            probs = torch.softmax(logits.float(), dim=-1)[..., 1].cpu()
            for row, e in enumerate(encoded):
                out.append([None if p is None else float(2 * probs[row, p] - 1) for p in e.positions])
        return out

    def score_lines(self, program: str, prompt: str | None = None) -> list[float | None]:
        """Per-line scores of one program."""
        return self.score_many([program], [prompt])[0]

    # -- training ----------------------------------------------------------------------------------------------
    def fit(self, records: Sequence[LabelledProgram], epochs: int = 3, lr: float = 5e-4, batch_size: int = 8,
            balance: bool = True, seed: int = 0, progress: bool = False) -> list[float]:
        """Train on labelled programs with cross-entropy at the newline tokens; returns the mean loss per epoch.

        ``balance`` weights the two classes by inverse frequency (mutation data is mostly positive lines).
        """
        import torch

        if not records:
            raise RewardConfigError("no labelled programs to train on")
        torch.manual_seed(seed)
        rng = random.Random(seed)
        encoded = [self.encode(r.program, r.prompt or None, r.labels) for r in records]
        encoded = [e for e in encoded if e.labels and any(x != -100 for x in e.labels)]
        if not encoded:
            raise RewardConfigError("no labelled line survived encoding (programs longer than max_length?)")
        pos = sum(x == 1 for e in encoded for x in e.labels or [])
        neg = sum(x == 0 for e in encoded for x in e.labels or [])
        weight = None
        if balance and pos and neg:
            total = pos + neg
            weight = torch.tensor([total / (2 * neg), total / (2 * pos)], dtype=torch.float, device=self.device)
        loss_fn = torch.nn.CrossEntropyLoss(weight=weight, ignore_index=-100)
        optimizer = torch.optim.AdamW(self.model.parameters(), lr=lr)
        history = []
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=epochs * math.ceil(len(encoded) / batch_size), desc="training PRM", leave=False)
        for _ in range(epochs):
            self.model.train()
            order = list(range(len(encoded)))
            rng.shuffle(order)
            # length-bucketed batches: sort within windows of 16 batches so padding stays small, then shuffle
            # the batches themselves
            window = batch_size * 16
            order = [j for w in range(0, len(order), window)
                     for j in sorted(order[w:w + window], key=lambda j: len(encoded[j].input_ids))]
            batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
            rng.shuffle(batches)
            losses = []
            for members in batches:
                batch = self._batch([encoded[j] for j in members])
                logits = self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
                loss = loss_fn(logits.float().reshape(-1, 2), batch["labels"].reshape(-1))
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
                optimizer.step()
                losses.append(float(loss.detach()))
                if bar:
                    bar.update(1)
            history.append(sum(losses) / len(losses))
        if bar:
            bar.close()
        self.model.eval()
        return history

    def evaluate(self, records: Sequence[LabelledProgram], batch_size: int = 8) -> dict[str, Any]:
        """Line-level accuracy on labelled programs (score > 0 predicts +1), balanced accuracy (mean of the two
        recalls; 0.5 is chance whatever the class ratio), per-class recall and the majority-class baseline."""
        scores = self.score_many([r.program for r in records], [r.prompt or None for r in records], batch_size)
        tp = tn = fp = fn = 0
        for rec, line_scores in zip(records, scores):
            for lab, s in zip(rec.labels, line_scores):
                if lab is None or s is None:
                    continue
                pred = s > 0
                if lab > 0:
                    tp, fn = tp + pred, fn + (not pred)
                else:
                    fp, tn = fp + pred, tn + (not pred)
        total = tp + tn + fp + fn
        pos_recall = tp / (tp + fn) if tp + fn else None
        neg_recall = tn / (tn + fp) if tn + fp else None
        balanced = (pos_recall + neg_recall) / 2 if pos_recall is not None and neg_recall is not None else None
        return {"lines": total, "accuracy": (tp + tn) / total if total else None,
                "balanced_accuracy": balanced, "positive_recall": pos_recall, "negative_recall": neg_recall,
                "positive": tp + fn, "negative": tn + fp,
                "majority_baseline": max(tp + fn, tn + fp) / total if total else None}


def classification_head(model: Any):
    """The final linear layer of a token classifier (``classifier`` for GPT-2/BERT, ``score`` for Llama/Qwen)."""
    import torch

    for name in ("classifier", "score"):
        head = getattr(model, name, None)
        if isinstance(head, torch.nn.Linear):
            return head
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)
               and m.out_features == getattr(model.config, "num_labels", 2)]
    if not linears:
        raise RewardConfigError(f"cannot find the classification head of {type(model).__name__}")
    return linears[-1]


def init_value_head_from_prm(prm: ProcessRewardModel | Any, value_head: Any) -> Any:
    """Copy a PRM's head into a PPO value head (PSGPO's option to start the critic from the PRM).

    ``value_head`` is a ``torch.nn.Linear(hidden, 1)`` (or any module with ``weight`` of shape ``(1, hidden)``
    and an optional ``bias``) on top of the same hidden size. For a 2-label PRM the value head gets the
    difference of the two rows (so its output is the PRM's log-odds of "correct"); a 1-label head is copied.
    Returns the value head.
    """
    import torch

    model = prm.model if isinstance(prm, ProcessRewardModel) else prm
    head = classification_head(model)
    weight = getattr(value_head, "weight", None)
    if weight is None or weight.ndim != 2 or weight.shape[0] != 1:
        raise RewardConfigError("value_head must have a weight of shape (1, hidden), e.g. torch.nn.Linear(h, 1)")
    if weight.shape[1] != head.in_features:
        raise RewardConfigError(f"hidden sizes differ: the PRM head reads {head.in_features} features, the value "
                                f"head {weight.shape[1]}; the PRM and the policy must share the backbone size")
    with torch.no_grad():
        if head.out_features == 2:
            new_w = head.weight[1] - head.weight[0]
            new_b = (head.bias[1] - head.bias[0]) if head.bias is not None else torch.tensor(0.0)
        elif head.out_features == 1:
            new_w = head.weight[0]
            new_b = head.bias[0] if head.bias is not None else torch.tensor(0.0)
        else:
            raise RewardConfigError(f"PRM head has {head.out_features} outputs; expected 1 or 2")
        weight.copy_(new_w.to(weight.dtype).unsqueeze(0))
        bias = getattr(value_head, "bias", None)
        if bias is not None:
            bias.copy_(new_b.to(bias.dtype).reshape(bias.shape))
    return value_head


def tiny_prm(texts: Iterable[str], vocab_size: int = 512, max_length: int = 512, use_prompt: bool = True,
             seed: int = 0, **model_kw: Any) -> ProcessRewardModel:
    """A tokenizer trained on ``texts`` plus a tiny GPT-2 classifier, wrapped as a PRM (nothing downloaded)."""
    tokenizer = build_tokenizer(texts, vocab_size=vocab_size)
    model = build_tiny_classifier(tokenizer, max_positions=max_length, seed=seed, **model_kw)
    return ProcessRewardModel(model, tokenizer, max_length=max_length, use_prompt=use_prompt)


def split_by_task(records: Sequence[LabelledProgram], eval_fraction: float, seed: int = 0
                  ) -> tuple[list[LabelledProgram], list[LabelledProgram]]:
    """(train, held-out) with whole tasks held out, so evaluation never sees a training task's programs."""
    if not 0 <= eval_fraction < 1:
        raise RewardConfigError("eval_fraction must be in [0, 1)")
    task_ids = sorted({r.task_id for r in records})
    random.Random(seed).shuffle(task_ids)
    n_eval = int(round(eval_fraction * len(task_ids)))
    if eval_fraction > 0 and len(task_ids) > 1:
        n_eval = max(1, min(n_eval, len(task_ids) - 1))
    held = set(task_ids[:n_eval])
    return [r for r in records if r.task_id not in held], [r for r in records if r.task_id in held]
