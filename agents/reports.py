"""What a training run reports: the learning-curve PNG, the final table, progress bars and the saved config."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def plot_learning_curve(history: Sequence[dict[str, Any]], path: Path, title: str = "training") -> Path | None:
    """Train reward and held-out pass@1 against the step, as a PNG (skipped when matplotlib is missing)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    train = [h for h in history if h["kind"] == "train"]
    evals = [h for h in history if h["kind"] == "eval"]
    fig, ax = plt.subplots(figsize=(7, 4))
    if train:
        ax.plot([h["step"] for h in train], [h["reward_mean"] for h in train], label="train reward (mean)",
                alpha=0.6)
    if evals:
        ax.plot([h["step"] for h in evals], [h["pass@1"] for h in evals], marker="o", label="held-out pass@1")
    ax.set_xlabel("step")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if train or evals:
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def progress_bar(total: int, initial: int, enabled: bool, desc: str):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, initial=initial, desc=desc, unit="step", dynamic_ncols=True)


def warmup_progress(total: int, enabled: bool) -> Callable[[int, float], None] | None:
    """A ``progress(step, loss)`` callback for :func:`agents.sft.supervised_warmup` (tqdm), or None."""
    bar = progress_bar(total, 0, enabled, "warm-up")
    if bar is None:
        return None

    def update(step: int, loss: float) -> None:
        bar.update(1)
        bar.set_postfix(loss=f"{loss:.3f}")
        if step + 1 == total:
            bar.close()
    return update


def summary_table(summary: dict[str, Any], history: Sequence[dict[str, Any]]) -> str:
    """The final table printed by ``codegym train`` (rich when installed, else plain text)."""
    train = [h for h in history if h["kind"] == "train"]
    first, last = summary.get("first_eval"), summary.get("last_eval")
    rows = [
        ("steps", str(summary["steps"])),
        ("held-out pass@1 (start)", f"{first['pass@1']:.3f}" if first else "-"),
        ("held-out pass@1 (end)", f"{last['pass@1']:.3f}" if last else "-"),
        ("train reward (first 5 steps)", _mean([h["reward_mean"] for h in train[:5]])),
        ("train reward (last 5 steps)", _mean([h["reward_mean"] for h in train[-5:]])),
        ("samples/s", _mean([h["samples"] / h["step_s"] for h in train if h.get("step_s")])),
        ("final model", summary["final_model"]),
        ("metrics", str(Path(summary["output_dir"]) / "metrics.jsonl")),
        ("learning curve", str(Path(summary["output_dir"]) / "learning_curve.png")),
    ]
    width = max(len(k) for k, _ in rows)
    return "\n".join(f"{k.ljust(width)}  {v}" for k, v in rows)


def _mean(values: Sequence[float]) -> str:
    values = [v for v in values if not math.isnan(v)]
    return f"{sum(values) / len(values):.3f}" if values else "-"


def config_to_dict(config: Any) -> dict[str, Any]:
    """A dataclass config as JSON-ready values: task lists as their length, other objects by ``repr``."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(config):
        value = getattr(config, f.name)
        if f.name in ("train_tasks", "eval_tasks"):
            out[f.name] = len(value)
        else:
            out[f.name] = _jsonable(value)
    return out


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return repr(value)
