"""Steps per second of codegym's vector envs against the raw executor, in one run.

For each number of envs N, ``CodeGen-v0`` is vectorised three ways and stepped with the tasks' reference programs
(every step ends an episode; same-step autoreset draws the next tasks, so every step scores N programs):

* ``batched``: ``gym.make_vec("CodeGen-v0", num_envs=N)``, the id's vector entry point (``BatchedCodeGenVectorEnv``:
  the N steps' requests go to the executor together);
* ``sync``: ``vectorization_mode="sync"`` (gymnasium's ``SyncVectorEnv``: one env, so one program, at a time);
* ``async``: ``vectorization_mode="async"`` with default arguments (gymnasium's ``AsyncVectorEnv``: one process per
  env, each with its own default executor sized to its share of the CPUs).

``batched`` and ``sync`` share this process's executor; ``async`` cannot (an executor does not cross processes).
The exact (task, program) batches the first mode (``batched`` by default) ran are then replayed through
``executor.run_many`` directly, as the env runs them (two requests a program: its visible tests and its hidden
tests, in separate sandboxes): the raw executor throughput on the same programs, the ceiling an env can reach.
Every mode gets one untimed step first (fork servers start, warm units fork). Ratios are to the raw executor;
nothing here asserts a time.

    python benchmarks/vector_throughput.py                     # 1, 2, 4, 8, 16 envs, 20 steps each
    python benchmarks/vector_throughput.py --envs 4,16 --steps 50 --tasks micro:200 --modes batched,async
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gymnasium as gym  # noqa: E402

import codegym  # noqa: E402, F401  (registers CodeGen-v0)
from codegym.envs.split import split_requests  # noqa: E402
from codegym.evaluation import build_request  # noqa: E402
from codegym.sandbox import get_executor  # noqa: E402
from codegym.tasks.sources import load_tasks  # noqa: E402

MODES = ("batched", "sync", "async")
SAME_STEP = gym.vector.AutoresetMode.SAME_STEP


def make(mode: str, n_envs: int, tasks, executor) -> gym.vector.VectorEnv:
    if mode == "batched":
        return gym.make_vec("CodeGen-v0", num_envs=n_envs, tasks=tasks, executor=executor)
    if mode == "sync":
        return gym.make_vec("CodeGen-v0", num_envs=n_envs, vectorization_mode="sync",
                            vector_kwargs={"autoreset_mode": SAME_STEP}, tasks=tasks, executor=executor)
    return gym.make_vec("CodeGen-v0", num_envs=n_envs, vectorization_mode="async",
                        vector_kwargs={"autoreset_mode": SAME_STEP}, tasks=tasks)


def run_env(mode: str, n_envs: int, steps: int, tasks, executor) -> tuple[float, list[list[tuple]], int]:
    """Env steps per second, the (task, program) batches it executed, and how many programs did not pass."""
    by_id = {t.task_id: t for t in tasks}
    venv = make(mode, n_envs, tasks, executor)
    try:
        obs, _ = venv.reset(seed=0)
        obs, *_ = venv.step([by_id[i].reference for i in obs["task_id"]])  # untimed: start-up
        batches, elapsed, passed = [], 0.0, 0
        for _ in range(steps):
            batch = [(by_id[i], by_id[i].reference) for i in obs["task_id"]]
            batches.append(batch)
            start = time.perf_counter()
            obs, rewards, _, _, _ = venv.step([program for _, program in batch])
            elapsed += time.perf_counter() - start
            passed += int(rewards.sum())
    finally:
        venv.close()
    return n_envs * steps / elapsed, batches, n_envs * steps - passed


def run_raw(batches: list[list[tuple]], executor) -> float:
    """Programs per second of ``executor.run_many`` on the same batches: each program's visible and hidden
    requests, as the env builds them (built beforehand), one ``run_many`` a batch."""
    requests = [[r for task, program in batch for r in split_requests(task, program).requests] for batch in batches]
    programs = sum(len(batch) for batch in batches)
    elapsed = 0.0
    for batch in requests:
        start = time.perf_counter()
        executor.run_many(batch)
        elapsed += time.perf_counter() - start
    return programs / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--envs", default="1,2,4,8,16", help="comma-separated numbers of envs")
    parser.add_argument("--steps", type=int, default=20, help="timed vector steps per setting")
    parser.add_argument("--tasks", default="micro:200", help="task spec (codegym.tasks.sources.load_tasks)")
    parser.add_argument("--workers", type=int, default=None,
                        help="workers of this process's executor (batched, sync, raw; default: CPUs)")
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    parser.add_argument("--json", type=Path, default=None, help="write the results here as JSON")
    args = parser.parse_args(argv)
    modes = [m for m in args.modes.split(",") if m]
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        parser.error(f"unknown mode(s) {', '.join(unknown)}; use {', '.join(MODES)}")

    tasks = [t for t in load_tasks(args.tasks) if t.reference]
    executor = get_executor("local", workers=args.workers)
    counts = [int(x) for x in args.envs.split(",")]
    # warm the executor (fork server start-up) so the first setting is not charged for it
    executor.run_many([build_request(t, t.reference)[0] for t in tasks[:4]])
    rows = []
    for n in counts:
        row: dict = {"envs": n}
        batches = None
        for mode in modes:
            rate, ran, failed = run_env(mode, n, args.steps, tasks, executor)
            row[f"{mode}_steps_per_s"] = rate
            batches = batches or ran
            if failed:
                print(f"warning: {mode}, {n} envs: {failed} reference programs did not pass", file=sys.stderr)
        row["raw_programs_per_s"] = run_raw(batches, executor)
        for mode in modes:
            row[f"{mode}_vs_raw"] = row[f"{mode}_steps_per_s"] / row["raw_programs_per_s"]
        rows.append(row)
        print(f"  {n} envs done", file=sys.stderr)
    executor.close()

    print(f"executor: local, {executor.workers} workers in this process; tasks: {args.tasks}; "
          f"{args.steps} timed steps per setting")
    print(f"{'envs':>5}  {'mode':<15} {'steps/s':>9} {'vs raw':>7}")
    for row in rows:
        print(f"{row['envs']:>5}  {'raw executor':<15} {row['raw_programs_per_s']:>9.1f} {1:>7.0%}")
        for mode in modes:
            label = "batched" if mode == "batched" else f"make_vec {mode}"
            print(f"{row['envs']:>5}  {label:<15} {row[f'{mode}_steps_per_s']:>9.1f} {row[f'{mode}_vs_raw']:>7.0%}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
