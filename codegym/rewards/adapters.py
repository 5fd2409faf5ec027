"""Rewards as plain functions for trainers that score batches: TRL's ``reward_funcs`` and verl's
``compute_score``. Both run every program through :func:`codegym.evaluation.evaluate_many` (in parallel over
the executor's workers) and then apply a :class:`~codegym.rewards.base.Reward`.

TRL (``GRPOTrainer(reward_funcs=[...])``) calls ``f(prompts=..., completions=..., **columns)`` where every other
dataset column arrives as a keyword list aligned with the completions, and expects ``list[float]``. Completions are
strings in TRL's standard dataset format and lists of chat messages in its conversational format.

verl has two calling conventions, both supported by :class:`VerlComputeScore`:

* per sample (``NaiveRewardManager``, ``DAPORewardManager``, the reward loop): ``compute_score(data_source=...,
  solution_str=..., ground_truth=..., extra_info=...)`` -> a dict with a ``"score"`` key;
* batched (``BatchRewardManager``): ``compute_score(data_sources=..., solution_strs=..., ground_truths=...,
  extra_infos=...)`` (numpy object arrays or lists) -> one dict per sample.

Both adapters run the programs on their ``executor`` argument (the process's default local executor when none is
given) and lend the same executor to rewards that run programs themselves (efficiency, coverage) as their
:class:`~codegym.rewards.base.RewardContext`.

Every dict has the same keys (``score``, ``passed``, ``pass_rate``, ``format_error``): verl gathers each key into
one column per batch, so a key present for some samples only would misalign its columns.
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from codegym.errors import UnknownTaskError
from codegym.evaluation import ProgramEvaluation, evaluate_many
from codegym.parsing import parse_python
from codegym.rewards import get_reward
from codegym.rewards._util import extract_code, scored_pairs
from codegym.rewards.base import BinaryPassReward, Reward, RewardContext, RewardOutput
from codegym.rewards.errors import RewardConfigError
from codegym.sandbox import default_executor
from codegym.tasks.model import Task

if TYPE_CHECKING:
    from codegym.sandbox.api import Executor

TaskLookup = Mapping[str, "Task"] | Callable[[str], "Task"] | Sequence["Task"]

CODE_MODES: tuple[str, ...] = ("markdown", "auto", "completion", "code")


def completion_text(completion: Any) -> str:
    """The text of a TRL completion: a string, or a conversation (list of ``{"role", "content"}`` messages)
    whose last assistant message is the answer."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion and isinstance(completion[-1], Mapping):
        for message in reversed(completion):
            if message.get("role", "assistant") == "assistant":
                content = message.get("content")
                if content is None:  # a message with tool calls only
                    return ""
                if isinstance(content, list):  # multimodal-style content parts
                    return "".join(p.get("text", "") for p in content if isinstance(p, Mapping))
                return str(content)
    raise RewardConfigError(f"a completion must be a string or a list of chat messages, got {type(completion)}")


class _TaskTable:
    """Tasks by id (a picklable lookup: verl's process-pool reward manager pickles ``compute_score``)."""

    def __init__(self, tasks: Mapping[str, Task] | Sequence[Task]) -> None:
        self.table = dict(tasks) if isinstance(tasks, Mapping) else {t.task_id: t for t in tasks}

    def __call__(self, task_id: str) -> Task:
        try:
            return self.table[task_id]
        except KeyError:
            raise UnknownTaskError(f"task {task_id!r} is not among the {len(self.table)} tasks given to the reward "
                                   "function; pass the same task source the dataset was built from") from None


def _lookup(tasks: TaskLookup) -> Callable[[str], Task]:
    if callable(tasks) and not isinstance(tasks, Mapping):
        return tasks  # type: ignore[return-value]
    return _TaskTable(tasks)


def _bound_names(module: ast.Module) -> set[str]:
    """The names a module binds at its top level (definitions, assignments, imports)."""
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def stands_alone(task: Task, text: str) -> bool:
    """Whether ``text`` is a whole program for ``task``: it parses and, for a function task, defines the entry
    point (``add`` for ``"add"``, ``Solution`` for ``"Solution().twoSum"``). A HumanEval-style completion (the
    indented body that continues the prompt) does not."""
    try:
        module = parse_python(text)
    except (SyntaxError, ValueError):
        return False
    if not task.entry_point:
        return True
    name = task.entry_point.split("(", 1)[0].split(".", 1)[0].strip()
    return name in _bound_names(module)


def program_for(task: Task, text: str, code_mode: str) -> str | None:
    """The program a response stands for; ``None`` when ``code_mode="markdown"`` and there is no code block.

    ``code_mode``:

    * ``"markdown"``: the last fenced block (:func:`codegym.extraction.last_code_block`), required.
    * ``"auto"``: the last fenced block; without one, the text itself when it is a whole program
      (:func:`stands_alone`), else -- for a task with a ``completion_prefix`` (HumanEval, micro) -- the prefix
      plus the text, since the text continues the prompt (TRL's standard format); else the text.
    * ``"completion"``: always the task's ``completion_prefix`` plus the text (HumanEval's ``prompt + completion``).
    * ``"code"``: the text verbatim.
    """
    if code_mode == "code":
        return text
    if code_mode == "completion":
        return task.program_from_completion(text)
    block = extract_code(text)
    if block is not None:
        return block
    if code_mode == "markdown":
        return None
    if task.completion_prefix is not None and not stands_alone(task, text):
        return task.program_from_completion(text)
    return text


def _check_code_mode(code_mode: str) -> str:
    if code_mode not in CODE_MODES:
        raise RewardConfigError(f"code_mode must be one of {', '.join(map(repr, CODE_MODES))}, not {code_mode!r}")
    return code_mode


def _evaluate_and_score(reward: Reward, tasks: Sequence[Task], responses: Sequence[str], code_mode: str,
                        executor: Executor | None, contexts: Sequence[Mapping[str, Any]] | None,
                        ) -> tuple[list[RewardOutput], list[ProgramEvaluation | None]]:
    _check_code_mode(code_mode)
    programs = [program_for(t, r, code_mode) for t, r in zip(tasks, responses)]
    todo = [i for i, p in enumerate(programs) if p is not None]
    # one executor for the tests and for rewards that run programs themselves (resolved per call: instances pickle)
    run = RewardContext(executor or default_executor())
    evaluations = evaluate_many([(tasks[i], programs[i]) for i in todo], executor=run.executor)  # type: ignore[misc]
    outs: list[RewardOutput] = [RewardOutput(0.0, info={"reason": "no code block"}) for _ in programs]
    ctx = [{**(dict(contexts[i]) if contexts else {}), "reward_context": run} for i in range(len(programs))]
    batch = getattr(reward, "compute_batch", None)
    if callable(batch):
        scored = batch(evaluations, [tasks[i] for i in todo], [programs[i] for i in todo],
                       [{"response": responses[i], **ctx[i]} for i in todo])
    else:
        scored = [reward.compute(ev, tasks[i], programs[i], response=responses[i], **ctx[i])  # type: ignore[arg-type]
                  for ev, i in zip(evaluations, todo)]
    by_index: list[ProgramEvaluation | None] = [None] * len(programs)
    for i, out, ev in zip(todo, scored, evaluations):
        outs[i] = out
        by_index[i] = ev
    return outs, by_index


def score_batch(reward: Reward, tasks: Sequence[Task], responses: Sequence[str], code_mode: str = "auto",
                executor: Executor | None = None, contexts: Sequence[Mapping[str, Any]] | None = None,
                ) -> list[RewardOutput]:
    """Evaluate every (task, response) in parallel and score it; responses without a required code block get
    ``RewardOutput(0.0)`` without running anything (DeepCoder's format rule)."""
    return _evaluate_and_score(reward, tasks, responses, code_mode, executor, contexts)[0]


def trl_reward_function(reward: Reward, tasks: TaskLookup, task_id_column: str = "task_id",
                        code_mode: str = "auto", executor: Executor | None = None,
                        name: str | None = None) -> Callable[..., list[float]]:
    """A TRL ``reward_funcs`` entry: ``f(prompts, completions, **kwargs) -> list[float]``.

    The dataset must carry a ``task_id`` column (``task_id_column``) naming each row's task in ``tasks`` (a
    mapping, a list of tasks or a lookup function). Both TRL dataset formats work with the default
    ``code_mode="auto"``: standard (a completion string that continues the prompt, e.g. a HumanEval function body,
    or a whole program) and conversational (the last assistant message, usually a fenced block). See
    :func:`program_for`. ``completion_ids``/``trainer_state`` and other TRL keywords are ignored; ``truncated``
    (when a column or TRL passes it) reaches the reward's context.
    """
    lookup = _lookup(tasks)
    _check_code_mode(code_mode)

    def reward_func(prompts: Sequence[Any] | None = None, completions: Sequence[Any] | None = None,
                    **kwargs: Any) -> list[float]:
        if completions is None:
            raise RewardConfigError("TRL passes completions=...; got none")
        ids = kwargs.get(task_id_column)
        if ids is None or len(ids) != len(completions):
            raise RewardConfigError(f"the dataset needs a {task_id_column!r} column with one task id per row "
                                    f"(got {None if ids is None else len(ids)} ids for {len(completions)} "
                                    "completions)")
        texts = [completion_text(c) for c in completions]
        contexts = [{"truncated": bool(kwargs["truncated"][i])} if "truncated" in kwargs else {}
                    for i in range(len(texts))]
        outs = score_batch(reward, [lookup(str(t)) for t in ids], texts, code_mode, executor, contexts)
        return [float(o.reward) for o in outs]

    reward_func.__name__ = name or f"codegym_{getattr(reward, 'name', 'reward')}"
    return reward_func


@functools.lru_cache(maxsize=64)  # a task JSON can be megabytes (thousands of tests): keep a few
def _task_from_json(text: str) -> Task:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise RewardConfigError("verl ground_truth must be a codegym task as JSON (Task.to_json(), as `codegym "
                                "export --format verl` writes it), or pass a task lookup to "
                                "make_verl_compute_score") from None
    if not isinstance(data, Mapping):
        raise RewardConfigError(f"verl ground_truth must be a task JSON object, got {type(data).__name__}")
    return Task.from_dict(data)


def task_from_ground_truth(ground_truth: Any) -> Task:
    """verl's ``ground_truth`` as a Task: the task's JSON (string or dict, ``Task.to_dict()``). A group of
    responses to one prompt shares its ground truth, so parsed tasks are cached by their JSON text."""
    if isinstance(ground_truth, Task):
        return ground_truth
    if isinstance(ground_truth, (bytes, bytearray)):
        ground_truth = ground_truth.decode("utf-8")
    if isinstance(ground_truth, str):
        return _task_from_json(ground_truth)
    if isinstance(ground_truth, Mapping):
        return Task.from_dict(ground_truth)
    raise RewardConfigError(f"cannot read a task from ground_truth of type {type(ground_truth).__name__}; "
                            "it must be Task.to_json() (codegym export --format verl writes it)")


def _as_list(values: Any, what: str) -> list[Any]:
    if values is None:
        raise RewardConfigError(f"verl's batched call needs {what}")
    if isinstance(values, (str, bytes, Mapping)):
        raise RewardConfigError(f"{what} must be a list (one entry per sample), got {type(values).__name__}")
    return list(values.tolist() if hasattr(values, "tolist") and not isinstance(values, list) else values)


class VerlComputeScore:
    """A verl ``compute_score`` for both of verl's calling conventions (see the module docstring).

    The task of a sample is ``extra_info["task_id"]`` looked up in ``tasks`` when ``tasks`` is given, else read
    from ``ground_truth`` (the task's JSON; ``codegym export --format verl`` writes it). Each sample scores to
    ``{"score": reward, "passed": every scored test passed, "pass_rate": fraction of the scored tests passed,
    "format_error": no code block in markdown mode}``. A batch runs all its programs in parallel.

    Keyword arguments that verl's ``custom_reward_function.reward_kwargs`` adds to every call: ``code_mode``
    (overrides the one given here) and ``reward`` (a reward name for :func:`codegym.rewards.get_reward`, e.g.
    ``"rltf"``). Other keywords are ignored. Instances pickle (verl's ``prime`` manager scores in processes) when
    their reward, tasks and executor do.
    """

    def __init__(self, reward: Reward | None = None, tasks: TaskLookup | None = None, code_mode: str = "auto",
                 executor: Executor | None = None) -> None:
        self.reward = reward or BinaryPassReward()
        self.lookup = _lookup(tasks) if tasks is not None else None
        self.code_mode = _check_code_mode(code_mode)
        self.executor = executor
        self._named: dict[str, Reward] = {}

    def task_of(self, ground_truth: Any, extra_info: Any) -> Task:
        if self.lookup is not None and isinstance(extra_info, Mapping) and "task_id" in extra_info:
            return self.lookup(str(extra_info["task_id"]))
        return task_from_ground_truth(ground_truth)

    def _reward(self, name: Any) -> Reward:
        if name is None:
            return self.reward
        if isinstance(name, Reward):
            return name
        key = str(name)
        if key not in self._named:
            self._named[key] = get_reward(key)
        return self._named[key]

    def score(self, solution_strs: Sequence[Any], ground_truths: Sequence[Any],
              extra_infos: Sequence[Any] | None = None, *, code_mode: str | None = None,
              reward: Any = None) -> list[dict[str, Any]]:
        """Score a batch: one dict per sample, in order."""
        sols = list(solution_strs)
        truths = list(ground_truths)
        extras = list(extra_infos) if extra_infos is not None else [None] * len(sols)
        if not len(sols) == len(truths) == len(extras):
            raise RewardConfigError(f"verl passed {len(sols)} solutions, {len(truths)} ground truths and "
                                    f"{len(extras)} extra infos; they must align")
        memo: dict[Any, Task] = {}  # a batch holds each prompt's ground truth once per response to it

        def task_for(ground_truth: Any, extra_info: Any) -> Task:
            key = ground_truth if isinstance(ground_truth, (str, bytes)) else None
            if key is None or (isinstance(extra_info, Mapping) and self.lookup is not None):
                return self.task_of(ground_truth, extra_info)
            if key not in memo:
                memo[key] = self.task_of(ground_truth, extra_info)
            return memo[key]

        tasks = [task_for(g, e) for g, e in zip(truths, extras)]
        mode = _check_code_mode(code_mode or self.code_mode)
        responses = ["" if s is None else str(s) for s in sols]
        outs, evaluations = _evaluate_and_score(self._reward(reward), tasks, responses, mode, self.executor, None)
        return [_verl_dict(out, ev, t) for out, ev, t in zip(outs, evaluations, tasks)]

    def __call__(self, data_source: Any = None, solution_str: Any = None, ground_truth: Any = None,
                 extra_info: Any = None, *, data_sources: Any = None, solution_strs: Any = None,
                 ground_truths: Any = None, extra_infos: Any = None, **kwargs: Any,
                 ) -> dict[str, Any] | list[dict[str, Any]]:
        options = {"code_mode": kwargs.get("code_mode"), "reward": kwargs.get("reward")}
        if solution_strs is not None:  # BatchRewardManager: compute_score(data_sources=..., solution_strs=..., ...)
            sols = _as_list(solution_strs, "solution_strs")
            extras = None if extra_infos is None else _as_list(extra_infos, "extra_infos")
            return self.score(sols, _as_list(ground_truths, "ground_truths"), extras, **options)
        if solution_str is not None and not isinstance(solution_str, (str, bytes)):  # lists given positionally
            sols = _as_list(solution_str, "solution_str")
            extras = None if extra_info is None else _as_list(extra_info, "extra_info")
            return self.score(sols, _as_list(ground_truth, "ground_truth"), extras, **options)
        if isinstance(solution_str, bytes):
            solution_str = solution_str.decode("utf-8", "replace")
        return self.score([solution_str], [ground_truth], [extra_info], **options)[0]


def _verl_dict(out: RewardOutput, evaluation: ProgramEvaluation | None, task: Task) -> dict[str, Any]:
    if evaluation is None:
        return {"score": float(out.reward), "passed": False, "pass_rate": 0.0, "format_error": True}
    pairs = scored_pairs(evaluation, task)
    rate = sum(o.passed for _, o in pairs) / len(pairs) if pairs else 0.0
    return {"score": float(out.reward), "passed": bool(evaluation.hidden_all_passed), "pass_rate": float(rate),
            "format_error": False}


def make_verl_compute_score(reward: Reward | None = None, tasks: TaskLookup | None = None,
                            code_mode: str = "auto", executor: Executor | None = None) -> VerlComputeScore:
    """A verl ``compute_score`` (a :class:`VerlComputeScore`): per sample ``(data_source, solution_str,
    ground_truth, extra_info)`` -> dict, or batched ``(data_sources=, solution_strs=, ground_truths=,
    extra_infos=)`` -> list of dicts. The default reward is the binary all-pass reward."""
    return VerlComputeScore(reward, tasks, code_mode, executor)


#: verl config: ``custom_reward_function.path=pkg://codegym.rewards.adapters`` (or this file's path) and
#: ``custom_reward_function.name=compute_score``, with any reward manager (``naive``, ``batch``, ``dapo``,
#: ``prime``): binary all-pass reward, tasks carried in ``ground_truth`` as JSON (docs/verl.md).
compute_score = make_verl_compute_score()
