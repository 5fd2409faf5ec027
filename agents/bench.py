"""Benchmark any agent on registered codegym env ids (``codegym bench``).

For each env the agent plays ``episodes`` tasks ``samples`` times each. Episodes of an env advance in lockstep
through one gymnasium vector env (:class:`~agents.episodes.EnvBatch`, so every wrapper is honoured): one batched
:meth:`~agents.agent_specs.Agent.act` call per turn for the live episodes; with ``CodeGen-v0``'s own vector env the
programs of a turn run in parallel on the executor. Every episode is saved as one JSONL record; the table reports
success rate, mean reward, turns used, pass@k over the samples and the visible-vs-hidden gap; a bar plot shows
success per env.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from agents.agent_specs import Agent, AgentSpecError, observation_messages
from agents.episodes import EnvBatch, Wrapper, nan_to_none
from codegym.errors import CodegymError

GYM_ENVS = ("CodeGen-v0", "CodeRefine-v0")
MULTI_AGENT_ENVS = ("CoderTester-v0",)
TOKEN_ENVS = ("CodeGenTokens-v0",)


class BenchConfigError(CodegymError, ValueError):
    """A benchmark setting that cannot work (unknown env id, missing agent role...)."""


@dataclass
class EpisodeRecord:
    """One episode of one agent on one task."""

    env_id: str
    task_id: str
    sample: int
    reward: float
    success: bool
    turns: int
    visible_hidden_gap: float | None = None
    actions: list[str] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    role_rewards: dict[str, float] | None = None


@dataclass
class EnvSummary:
    env_id: str
    episodes: int
    success_rate: float
    mean_reward: float
    mean_turns: float
    pass_at_k: dict[int, float]
    visible_hidden_gap: float | None


def _clean_info(info: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-serialisable part of an env ``info`` (drops the ProgramEvaluation object)."""
    out = {}
    for key, value in info.items():
        if key == "evaluation":
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            value = repr(value)
        out[key] = value
    return out


def run_gym_env(env_id: str, tasks: Sequence[Any], agent: Agent, samples: int = 1,
                env_kwargs: dict[str, Any] | None = None, executor: Any = None,
                wrappers: Sequence[Wrapper] = (), max_turns_guard: int = 100) -> list[EpisodeRecord]:
    """Play ``samples`` episodes per task of a gymnasium text env, all episodes in lockstep."""
    pairs = [(task, s) for task in tasks for s in range(samples)]
    actions: list[list[str]] = [[] for _ in pairs]

    def act(live: list[int], observations: list[dict[str, Any]]) -> list[str]:
        answers = agent.act(observations)
        for i, answer in zip(live, answers):
            actions[i].append(answer)
        return answers

    batch = EnvBatch(env_id, tasks, executor=executor, wrappers=wrappers, env_kwargs=env_kwargs)
    try:
        episodes = batch.play([task.task_id for task, _ in pairs], act, max_steps=max_turns_guard)
    finally:
        batch.close()
    records = []
    for (task, s), episode, answers in zip(pairs, episodes, actions):
        record = EpisodeRecord(env_id, task.task_id, s, 0.0, False, len(episode), actions=answers)
        for step in episode:
            record.reward += step.reward
            record.steps.append(_clean_info(step.info))
        last = episode[-1].info
        record.success = bool(last["success"])  # the env's one definition of a solved episode
        record.visible_hidden_gap = nan_to_none(last.get("visible_hidden_gap"))
        records.append(record)
    return records


TESTER_INSTRUCTION = (
    "Write up to {n} unit tests for the following task as a JSON list of objects "
    '{{"input": [positional arguments], "output": expected return value}} (for a stdin/stdout task, both are '
    "strings). Answer with the JSON list only.\n\n{prompt}")


def tester_observation(observation: Mapping[str, Any], n_tests: int) -> dict[str, Any]:
    """A tester observation with the instruction that tells a chat model the test format."""
    out = dict(observation)
    out["instruction"] = TESTER_INSTRUCTION.format(n=n_tests, prompt=observation.get("prompt", ""))
    if observation.get("feedback"):
        out["instruction"] += "\n\nFeedback on the previous round:\n" + str(observation["feedback"])
    return out


def run_coder_tester(tasks: Sequence[Any], coder: Agent, tester: Agent, samples: int = 1,
                     env_kwargs: dict[str, Any] | None = None, executor: Any = None) -> list[EpisodeRecord]:
    """Play ``CoderTester-v0`` (parallel API): the coder writes ``n_codes`` programs, the tester ``n_tests``
    tests (in one answer) per round."""
    from codegym.envs import coder_tester_v0
    from codegym.sandbox import default_executor, get_executor

    ex = get_executor(executor) if executor is not None else default_executor()
    kwargs = dict(env_kwargs or {})
    records = []
    for task in tasks:
        for s in range(samples):
            env = coder_tester_v0.parallel_env(tasks=list(tasks), executor=ex, **kwargs)
            try:
                observations, _ = env.reset(options={"task_id": task.task_id})
                raw = env.unwrapped if hasattr(env, "unwrapped") else env
                n_codes = int(getattr(raw, "n_codes", 1))
                n_tests = int(getattr(raw, "n_tests", 1))
                record = EpisodeRecord("CoderTester-v0", task.task_id, s, 0.0, False, 0, role_rewards={})
                while env.agents:
                    codes = coder.act([observations["coder"]] * n_codes, role="coder")
                    tests = tester.act([tester_observation(observations["tester"], n_tests)], role="tester")[0]
                    actions = {"coder": json.dumps(codes), "tester": tests}
                    observations, rewards, terms, truncs, infos = env.step(actions)
                    record.turns += 1
                    record.actions.append(json.dumps(actions))
                    record.steps.append({agent: _clean_info(info) for agent, info in infos.items()})
                    for agent, reward in rewards.items():
                        record.role_rewards[agent] = record.role_rewards.get(agent, 0.0) + float(reward)
                    record.success = bool(infos["coder"]["success"])
                record.reward = record.role_rewards.get("coder", 0.0)
                records.append(record)
            finally:
                env.close()
    return records


def summarise(records: Sequence[EpisodeRecord], samples: int) -> EnvSummary:
    from codegym.evaluation import pass_at_k

    by_task: dict[str, list[EpisodeRecord]] = {}
    for r in records:
        by_task.setdefault(r.task_id, []).append(r)
    counts = [(len(group), sum(r.success for r in group)) for group in by_task.values()]
    ks = sorted({1, samples}) if samples > 1 else [1]
    gaps = [r.visible_hidden_gap for r in records if r.visible_hidden_gap is not None]
    n = max(len(records), 1)
    return EnvSummary(env_id=records[0].env_id if records else "?", episodes=len(records),
                      success_rate=sum(r.success for r in records) / n,
                      mean_reward=sum(r.reward for r in records) / n,
                      mean_turns=sum(r.turns for r in records) / n,
                      pass_at_k=pass_at_k(counts, ks) if counts else {},
                      visible_hidden_gap=sum(gaps) / len(gaps) if gaps else None)


def format_table(summaries: Sequence[EnvSummary], agent_name: str) -> str:
    """A plain-text table (also what ``rich`` renders when installed)."""
    ks = sorted({k for s in summaries for k in s.pass_at_k})
    header = ["env", "episodes", "success", "mean reward", "turns", *[f"pass@{k}" for k in ks], "vis-hid gap"]
    rows = []
    for s in summaries:
        rows.append([s.env_id, str(s.episodes), f"{s.success_rate:.3f}", f"{s.mean_reward:.3f}",
                     f"{s.mean_turns:.2f}", *[f"{s.pass_at_k[k]:.3f}" if k in s.pass_at_k else "-" for k in ks],
                     "-" if s.visible_hidden_gap is None else f"{s.visible_hidden_gap:+.3f}"])
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    lines = [f"agent: {agent_name}", "  ".join(h.ljust(w) for h, w in zip(header, widths)),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(lines)


def plot_summaries(summaries: Sequence[EnvSummary], path: Path, agent_name: str) -> Path | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, ax = plt.subplots(figsize=(max(4, 1.6 * len(summaries) + 2), 3.5))
    names = [s.env_id for s in summaries]
    ax.bar(names, [s.success_rate for s in summaries], color="#4477aa", label="success rate")
    ax.scatter(names, [s.mean_reward for s in summaries], color="#cc6677", zorder=3, label="mean reward")
    ax.set_ylim(min(0.0, *[s.mean_reward for s in summaries]) - 0.05 if summaries else 0,
                max(1.0, *[s.mean_reward for s in summaries]) + 0.05 if summaries else 1)
    ax.set_title(f"codegym bench: {agent_name}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run_bench(env_ids: Sequence[str], agents: Mapping[str | None, Agent], tasks: Sequence[Any], samples: int,
              output_dir: str | Path, env_kwargs: dict[str, Any] | None = None,
              executor: Any = None, wrappers: Sequence[Wrapper] = ()) -> tuple[list[EnvSummary], Path]:
    """Benchmark ``agents`` (``{None: agent}`` or ``{"coder": a, "tester": b}``) on each env id; writes
    ``episodes.jsonl``, ``summary.json`` (with each agent's name and prompt style) and ``bench.png`` under
    ``output_dir``. ``wrappers`` wrap every sub-env of the gymnasium envs (``gymnasium.make_vec``'s)."""
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    episodes_path = out / "episodes.jsonl"
    summaries = []
    default = agents.get(None) or agents.get("coder")
    if default is None:
        raise BenchConfigError("no agent given; pass --agent SPEC (or --agent coder=SPEC --agent tester=SPEC)")
    with open(episodes_path, "w") as handle:
        for env_id in env_ids:
            if env_id in GYM_ENVS:
                records = run_gym_env(env_id, tasks, default, samples, env_kwargs, executor, wrappers)
            elif env_id in MULTI_AGENT_ENVS:
                tester = agents.get("tester") or default
                records = run_coder_tester(tasks, default, tester, samples, env_kwargs, executor)
            elif env_id in TOKEN_ENVS:
                raise BenchConfigError(f"{env_id} is a token-level env for SB3 policies; benchmark text agents on "
                                       f"{', '.join(GYM_ENVS + MULTI_AGENT_ENVS)}")
            else:
                raise BenchConfigError(f"unknown env id {env_id!r}; use one of "
                                       f"{', '.join(GYM_ENVS + MULTI_AGENT_ENVS)}")
            for record in records:
                handle.write(json.dumps(asdict(record), default=_json_default) + "\n")
            summaries.append(summarise(records, samples))
    name = default.name if len(agents) == 1 else ", ".join(f"{k}={a.name}" for k, a in agents.items())
    described = {role or "agent": agent.describe() for role, agent in agents.items()}
    (out / "summary.json").write_text(json.dumps({"agent": name, "agents": described,
                                                  "summaries": [asdict(s) for s in summaries]},
                                                 indent=2, default=_json_default))
    plot_summaries(summaries, out / "bench.png", name)
    return summaries, episodes_path


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return repr(value)


__all__ = ["run_bench", "run_gym_env", "run_coder_tester", "summarise", "format_table", "EpisodeRecord",
           "EnvSummary", "BenchConfigError", "AgentSpecError", "observation_messages"]
