"""``codegym bench``: run an agent through registered envs and print a table (success rate, mean reward, turns,
pass@k, visible-vs-hidden gap) with a plot; every episode is saved as JSONL.

An agent SPEC is a local model directory or hub name (prompted as the directory records: prompt_format.json),
``openai:URL#MODEL`` (an OpenAI-compatible chat endpoint), ``openai-completions:URL#MODEL`` (its completions
endpoint), or a Python callable ``module:function`` taking an observation dict and returning the answer text. For
``CoderTester-v0`` give one agent per role: ``--agent coder=SPEC --agent tester=SPEC``.

    codegym bench --env CodeGen-v0 --env CodeRefine-v0 --agent runs/train/final --episodes 20
    codegym bench --env CodeGen-v0 --agent openai:http://127.0.0.1:8000/v1#Qwen2.5-Coder-7B-Instruct --tasks builtin
"""

from __future__ import annotations

import argparse
from typing import Any

from agents.prompting import PROMPT_STYLES
from codegym.errors import CodegymError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser("bench", help="benchmark an agent (model, endpoint or callable) on env ids",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--env", dest="env_ids", action="append", required=True, metavar="ID",
                   help="env id, repeatable: CodeGen-v0, CodeRefine-v0, CoderTester-v0")
    p.add_argument("--agent", dest="agents", action="append", required=True, metavar="SPEC",
                   help="model path | openai:URL#MODEL | openai-completions:URL#MODEL | module:function; ROLE=SPEC "
                        "for multi-agent envs")
    p.add_argument("--tasks", default="micro:20", help="task spec (default micro:20)")
    p.add_argument("--episodes", type=int, default=None, help="number of tasks to play (default: all of --tasks)")
    p.add_argument("--samples", type=int, default=1, help="episodes per task (pass@k for k up to this)")
    p.add_argument("--temperature", type=float, default=None,
                   help="sampling temperature (default 0 = greedy for 1 sample, 0.8 otherwise)")
    p.add_argument("--max-new-tokens", type=int, default=512)
    p.add_argument("--max-turns", type=int, default=None, help="CodeRefine-v0 turn budget")
    p.add_argument("--output", default="runs/bench", help="directory for episodes.jsonl, summary.json, bench.png")
    p.add_argument("--executor", default=None, help="sandbox backend: local (default), docker, ray")
    p.add_argument("--device", default="auto")
    p.add_argument("--prompt-style", choices=("auto", *PROMPT_STYLES), default="auto",
                   help="how local models are prompted (default: as their directory records, else chat when the "
                        "tokenizer has a chat template)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from agents.agent_specs import AgentSpecError, parse_agent_spec, split_role
    from agents.bench import format_table, run_bench
    from codegym.tasks.sources import load_tasks

    if args.episodes is not None and args.episodes < 1:
        raise CodegymError("--episodes must be >= 1")
    if args.samples < 1:
        raise CodegymError("--samples must be >= 1")
    temperature = args.temperature if args.temperature is not None else (0.0 if args.samples == 1 else 0.8)
    env_kwargs = {}
    if args.max_turns is not None:
        if any(e != "CodeRefine-v0" for e in args.env_ids):
            raise CodegymError("--max-turns applies to CodeRefine-v0 only; bench it separately")
        env_kwargs["max_turns"] = args.max_turns
    agents: dict[str | None, Any] = {}
    try:
        for spec in args.agents:
            role, rest = split_role(spec)
            if role in agents:
                raise AgentSpecError(f"--agent given twice for {role or 'the default role'}")
            agents[role] = parse_agent_spec(rest, temperature=temperature, max_new_tokens=args.max_new_tokens,
                                            device=args.device, prompt_style=args.prompt_style)
        if None in agents and len(agents) > 1:
            agents.setdefault("coder", agents[None])
        tasks = list(load_tasks(args.tasks, seed=args.seed))
        if args.episodes is not None:
            tasks = tasks[: args.episodes]
        summaries, episodes = run_bench(args.env_ids, agents, tasks, args.samples, args.output, env_kwargs,
                                        args.executor)
    finally:
        for agent in agents.values():
            agent.close()
    name = ", ".join(f"{k}={a.name}" if k else a.name for k, a in agents.items())
    print(format_table(summaries, name))
    print(f"episodes: {episodes}\nplot: {episodes.parent / 'bench.png'}")
    return 0
