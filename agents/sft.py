"""Supervised warm-up: next-token cross-entropy on reference solutions before RL (as DeepSeekMath's GRPO starts
from an instruction-tuned model, the tiny model starts from a short SFT on the training tasks' references)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import torch

from codegym.envs.feedback import render_tests

if TYPE_CHECKING:
    from agents.policy import Policy
    from agents.prompting import PromptFormat
    from codegym.tasks.model import Task


def sft_pair(task: Task, prompt_format: PromptFormat) -> tuple[Any, str] | None:
    """(policy input, target text) for a task's first reference solution, or None when it has none.

    The input is what ``CodeGen-v0``'s first observation of the task becomes under ``prompt_format``.
    ``completion`` style targets the part of the reference after the prompt (the function body) when the reference
    starts with the prompt; ``chat`` style targets the whole reference in a fenced block.
    """
    reference = task.reference
    if not reference:
        return None
    observation = {"prompt": task.prompt, "tests": render_tests(task.visible_tests), "feedback": ""}
    if prompt_format.style == "completion":
        target = reference[len(task.prompt):] if reference.startswith(task.prompt) else reference
    else:
        target = f"```python\n{reference.rstrip()}\n```"
    return prompt_format.prompt(observation), target


def supervised_warmup(policy: Policy, tasks: Sequence[Task], steps: int, learning_rate: float = 1e-3,
                      batch_size: int = 16, prompt_format: PromptFormat | None = None, seed: int = 0,
                      progress: Callable[[int, float], None] | None = None) -> list[float]:
    """Train ``policy`` for ``steps`` minibatches of (prompt, reference) pairs; returns the loss per step.

    Only the target tokens (and the EOS that ends them) are trained; prompt tokens are context.
    ``prompt_format`` defaults to the policy's.
    """
    fmt = prompt_format or policy.prompt_format
    pairs = [p for p in (sft_pair(t, fmt) for t in tasks) if p is not None]
    if not pairs:
        raise ValueError("supervised warm-up needs tasks with reference solutions")
    rng = random.Random(seed)
    optimizer = torch.optim.AdamW(policy.parameters(), lr=learning_rate, weight_decay=0.0)
    eos = policy.tokenizer.eos_token_id
    losses = []
    policy.model.train()
    order: list[int] = []
    for step in range(steps):
        while len(order) < batch_size:  # whole shuffled passes; small task sets repeat within a batch
            fresh = list(range(len(pairs)))
            rng.shuffle(fresh)
            order.extend(fresh)
        batch = [pairs[order.pop()] for _ in range(batch_size)]
        prompt_ids = [policy.tokenizer(policy.format_prompt(p), add_special_tokens=False)["input_ids"]
                      for p, _ in batch]
        target_ids = [policy.tokenizer(t, add_special_tokens=False)["input_ids"] + [eos] for _, t in batch]
        tensors = pad_batch(prompt_ids, target_ids, policy.tokenizer.pad_token_id, policy.device)
        out = policy.forward_completion(*tensors, temperature=1.0)
        mask = tensors[3].float()
        loss = -(out["logprobs"] * mask).sum() / mask.sum()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        optimizer.step()
        losses.append(float(loss.detach()))
        if progress:
            progress(step, losses[-1])
    return losses


def pad_batch(prompt_ids: Sequence[Sequence[int]], completion_ids: Sequence[Sequence[int]], pad_id: int,
              device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Left-padded prompts and right-padded completions with their masks (TRL's layout)."""
    p_len = max(len(p) for p in prompt_ids)
    c_len = max(max(len(c) for c in completion_ids), 1)
    b = len(prompt_ids)
    prompts = torch.full((b, p_len), pad_id, dtype=torch.long)
    prompt_mask = torch.zeros((b, p_len), dtype=torch.long)
    completions = torch.full((b, c_len), pad_id, dtype=torch.long)
    completion_mask = torch.zeros((b, c_len), dtype=torch.long)
    for i, (p, c) in enumerate(zip(prompt_ids, completion_ids)):
        if p:
            prompts[i, p_len - len(p):] = torch.tensor(p)
            prompt_mask[i, p_len - len(p):] = 1
        if c:
            completions[i, : len(c)] = torch.tensor(c)
            completion_mask[i, : len(c)] = 1
    return prompts.to(device), prompt_mask.to(device), completions.to(device), completion_mask.to(device)
