"""What a training run keeps on disk: its output directory, checkpoints (save, find the latest, restore) and the
PPO value head's initialisation from a process reward model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import torch

from agents.config import TrainConfigError

if TYPE_CHECKING:
    from agents.policy import Policy
    from agents.trainer import Trainer

#: What a training run writes into its output directory (``overwrite`` removes exactly these).
RUN_ARTIFACTS = ("metrics.jsonl", "train_config.json", "learning_curve.png", "checkpoints", "final", "tensorboard",
                 "reference", "tiny-model")


def prepare_output_dir(out: Path, resume: bool, overwrite: bool) -> None:
    """Refuse an output directory that holds an earlier run unless ``resume`` (and it has a checkpoint) or
    ``overwrite``; with ``overwrite`` remove that run's artifacts (:data:`RUN_ARTIFACTS`, nothing else). An empty
    or new directory is fine either way (``resume`` then starts the run)."""
    found = [name for name in RUN_ARTIFACTS[:-1] if (out / name).exists()]
    if found and not (resume or overwrite):
        raise TrainConfigError(f"{out} already holds a training run ({', '.join(found)}); pass --resume to continue "
                               "it, --overwrite-output-dir to replace it, or choose another --output")
    if found and resume and latest(out) is None:
        raise TrainConfigError(f"{out} holds a training run ({', '.join(found)}) but no checkpoint to resume from; "
                               "pass --overwrite-output-dir to start it over, or choose another --output")
    if overwrite:
        for name in RUN_ARTIFACTS:
            path = out / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    out.mkdir(parents=True, exist_ok=True)


def save_reference(trainer: Trainer) -> None:
    """Keep the KL reference of a run whose RL starts from a warmed-up policy (``OUT/reference``), so a resumed run
    compares with the same model; a run without warm-up starts from its model path, which resuming reloads."""
    if trainer.config.warmup_steps and trainer.holds_reference_copy():
        trainer.reference.save_pretrained(trainer.out / "reference")


def load_reference(trainer: Trainer) -> None:
    """The KL reference of a resumed run: the saved warmed-up policy, else the policy as loaded (before
    :func:`restore`)."""
    if not trainer.holds_reference_copy():
        return
    saved = trainer.out / "reference"
    if saved.exists():
        from transformers import AutoModelForCausalLM

        dtype = next(trainer.policy.model.parameters()).dtype
        trainer.set_reference(AutoModelForCausalLM.from_pretrained(saved, dtype=dtype).to(trainer.policy.device))
    else:
        trainer.reference  # noqa: B018  (builds the copy of the policy as loaded)


def save(trainer: Trainer) -> Path:
    """Save the policy and the trainer state under ``OUT/checkpoints/step-N``."""
    path = trainer.out / "checkpoints" / f"step-{trainer.step}"
    trainer.policy.save(path)
    state = {"step": trainer.step, "optimizer": trainer.optimizer.state_dict(), "task_order": trainer.task_order,
             "rng": trainer.rng.getstate(), "torch_rng": torch.get_rng_state(), "history": trainer.history,
             "algo": trainer.algo.name, "train_task_ids": [t.task_id for t in trainer.config.train_tasks]}
    if hasattr(trainer.policy.model, "peft_config"):
        trainer.policy.model.save_pretrained(path / "adapter")
    torch.save(state, path / "trainer_state.pt")
    return path

def latest(out: Path) -> Path | None:
    """The checkpoint of the latest step in ``out``, or None."""
    root = out / "checkpoints"
    if not root.exists():
        return None
    found = [(int(p.name.split("-")[1]), p) for p in root.glob("step-*") if (p / "trainer_state.pt").exists()]
    return max(found)[1] if found else None

def restore(trainer: Trainer, path: Path) -> None:
    """Restore weights, optimizer, task order, RNG and metric history from a checkpoint."""
    from transformers import AutoModelForCausalLM

    state = torch.load(path / "trainer_state.pt", map_location="cpu", weights_only=False)
    if state.get("algo") != trainer.algo.name:
        raise TrainConfigError(f"checkpoint {path} was trained with {state.get('algo')}, not {trainer.algo.name}")
    if hasattr(trainer.policy.model, "peft_config") and (path / "adapter").exists():
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        adapter = path / "adapter" / "adapter_model.safetensors"
        set_peft_model_state_dict(trainer.policy.model, load_file(str(adapter)))
    else:
        loaded = AutoModelForCausalLM.from_pretrained(path, dtype=next(trainer.policy.model.parameters()).dtype)
        trainer.policy.model.load_state_dict(loaded.state_dict())
    trainer.policy.load_value_head(path)
    trainer.optimizer.load_state_dict(state["optimizer"])
    trainer.step = int(state["step"])
    saved_ids = state.get("train_task_ids")
    if saved_ids and saved_ids != [t.task_id for t in trainer.config.train_tasks]:
        # the run trained on a subset (difficulty filter): restore it so the saved task order indexes it
        by_id = {t.task_id: t for t in trainer.config.train_tasks}
        missing = [i for i in saved_ids if i not in by_id]
        if missing:
            raise TrainConfigError(f"checkpoint {path} trained on tasks that are not in --tasks "
                                   f"(e.g. {missing[0]}); resume with the same task spec")
        trainer.config.train_tasks[:] = [by_id[i] for i in saved_ids]
    trainer.task_order = list(state["task_order"])
    trainer.rng.setstate(state["rng"])
    torch.set_rng_state(state["torch_rng"])
    trainer.history = list(state["history"])
    # the log continues from the checkpoint: records of steps after it (an interrupted run) are dropped
    (trainer.out / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in trainer.history))
    trainer.policy.sync_engine()


def init_value_head_from_prm(policy: Policy, prm: str) -> None:
    """Initialise the PPO value head from a process reward model saved by ``codegym prm`` (its token
    classification head; the PRM's hidden size must equal the policy's)."""
    try:
        from codegym.prm.model import ProcessRewardModel
        from codegym.prm.model import init_value_head_from_prm as copy_head
    except ImportError as exc:
        raise TrainConfigError("value-head initialisation from a PRM needs codegym.prm") from exc
    if policy.value_head is None:
        raise TrainConfigError("only PPO has a value head to initialise from a PRM")
    model = ProcessRewardModel.from_pretrained(prm, device=str(policy.device))
    copy_head(model, policy.value_head.summary)
