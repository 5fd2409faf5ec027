"""``codegym export``: write tasks as a training dataset for another stack (verl, SkyRL, TRL)."""

from __future__ import annotations

import argparse
import contextlib
import functools
from typing import Any

from codegym.errors import TaskConfigError

FORMATS = ("verl", "skyrl", "trl", "trl-chat")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export", help="write tasks as a verl / SkyRL / TRL training dataset (parquet)",
        description="Write the tasks of SPEC as OUT/SPLIT.parquet in a trainer's dataset layout. verl: columns "
                    "data_source, prompt (chat messages), ability, reward_model {style, ground_truth}, extra_info "
                    "{split, index, task_id}; ground_truth is the whole task as JSON, which "
                    "codegym.rewards.adapters.compute_score scores against (docs/verl.md). skyrl: the same with "
                    "env_class and reward_spec, for codegym's SkyRL envs (docs/agentic_rl.md). trl / trl-chat: "
                    "prompt (a string / chat messages) and task_id (docs/trl.md).")
    parser.add_argument("--format", required=True, choices=FORMATS, dest="layout", help="dataset layout")
    parser.add_argument("--tasks", required=True, metavar="SPEC",
                        help="task spec: a benchmark file, a saved or hub dataset, 'builtin', 'micro[:N[:LEVEL]]'")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    parser.add_argument("--split", default="train", help="split name: the file is OUT/SPLIT.parquet (default train)")
    parser.add_argument("--task-format", default=None, metavar="FMT",
                        help="task file format when it cannot be inferred (humaneval, mbpp, apps, ...)")
    parser.add_argument("--visible", default=None, metavar="K|FRACTION",
                        help="re-split each task's tests: K visible tests, or a fraction (default: the source's split)")
    parser.add_argument("--compute-expected", action="store_true",
                        help="EvalPlus files without outputs: run each task's reference solution on its inputs in the "
                             "local sandbox and export the returned values as tests")
    parser.add_argument("--limit", type=int, default=None, metavar="N", help="export at most N tasks")
    parser.add_argument("--seed", type=int, default=None,
                        help="with --limit, a seeded random sample; for micro tasks the generator seed")
    parser.add_argument("--data-source", default="codegym",
                        help="the data_source column (verl/skyrl; verl picks the reward function by it)")
    parser.add_argument("--env-class", default="codegym_codegen", choices=("codegym_codegen", "codegym_refine"),
                        help="skyrl: the SkyRL env that plays each row (default codegym_codegen)")
    parser.add_argument("--system-prompt", default=None, metavar="TEXT", help="a system message before each prompt")
    parser.add_argument("--no-visible-tests", action="store_true",
                        help="do not show the visible tests in the prompts")
    parser.set_defaults(func=run)


def _visible(text: str | None) -> int | float | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise TaskConfigError(f"--visible takes a count or a fraction, not {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from codegym.integrations.export import export_tasks
    from codegym.tasks.sources import load_tasks

    visible = _visible(args.visible)
    loader_options: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        if args.compute_expected:  # the references run in a local sandbox, closed once the tasks are loaded
            from codegym.evaluation import call_reference
            from codegym.sandbox import get_executor

            executor = stack.enter_context(get_executor("local"))
            loader_options["compute_expected"] = functools.partial(call_reference, executor=executor)
        tasks = load_tasks(args.tasks, format=args.task_format, visible=visible, limit=args.limit, seed=args.seed,
                           **loader_options)
    options = {"system_prompt": args.system_prompt, "show_visible_tests": not args.no_visible_tests}
    if args.layout in ("verl", "skyrl"):
        options["data_source"] = args.data_source
    if args.layout == "skyrl":
        options["env_class"] = args.env_class
    path = export_tasks(tasks, args.out, args.layout, split=args.split, **options)
    print(f"wrote {len(tasks)} {args.layout} rows to {path}")
    return 0
