"""Steps prepared but not yet executed, so that callers can batch the executions of many envs.

A text env's step is ``prepare_step`` (extract the program, build its two requests), execution, then
``finish_step`` (score and observe). :class:`PendingStep` carries a step between them; :func:`run_missing` runs the
requests a caller left out, batched with every other waiting step on the same executor.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from codegym.errors import EnvConfigError

if TYPE_CHECKING:
    from codegym.envs.split import SplitRequests
    from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor
    from codegym.tasks.model import Task


@dataclass
class PendingStep:
    """A step whose program is built but not yet executed (lets vector envs batch executions).

    The program runs as two requests, never one: ``split.visible`` (the visible tests, whose output feeds the
    observation) and ``split.hidden`` (the hidden tests, which decide the reward). Batch callers run
    :attr:`requests` and pass the results, in order, to :meth:`TextCodeEnv.finish_step <codegym.envs.text_env.TextCodeEnv.finish_step>`. Callers written for a
    single request run :attr:`request` and pass its one result; ``finish_step`` then runs the other request itself,
    together with those of every other prepared step of the same executor still waiting (one ``run_many``).
    """

    task: Task
    response: str
    program: str | None  # None: format error, nothing to run
    format_error: str | None
    split: SplitRequests | None
    results: dict[str, ExecutionResult] = field(default_factory=dict)  # "visible" / "hidden" -> result
    owner: Any = field(default=None, repr=False, compare=False)  # the env that prepared it
    _claimed: bool = field(default=False, repr=False, compare=False)
    _filled: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)

    @property
    def requests(self) -> list[ExecutionRequest]:
        """Every request of the step, visible first (empty on a format error)."""
        return self.split.requests if self.split is not None else []

    @property
    def request(self) -> ExecutionRequest | None:
        """The request deciding the reward: the hidden tests' (the visible tests' when the task has none)."""
        if self.split is None:
            return None
        return self.split.hidden if self.split.hidden is not None else self.split.visible

    @property
    def n_visible(self) -> int:
        return self.split.n_visible if self.split is not None else 0

    def _roles(self) -> list[tuple[str, ExecutionRequest]]:
        if self.split is None:
            return []
        return [(role, req) for role, req in (("visible", self.split.visible), ("hidden", self.split.hidden))
                if req is not None]

    def missing(self) -> list[tuple[str, ExecutionRequest]]:
        """The (role, request) pairs that have no result yet."""
        return [(role, req) for role, req in self._roles() if role not in self.results]

    def missing_secondary(self) -> list[tuple[str, ExecutionRequest]]:
        """The missing pairs other than :attr:`request`'s (which a single-request caller runs itself)."""
        primary = self.request
        return [(role, req) for role, req in self.missing() if req is not primary]

    def accept(self, result: ExecutionResult | Sequence[ExecutionResult] | None) -> None:
        """Record results: one for :attr:`request`, or a sequence aligned with :attr:`requests`."""
        if result is None or self.split is None:
            return
        roles = self._roles()
        if isinstance(result, Sequence):
            if len(result) != len(roles):
                raise EnvConfigError(f"finish_step got {len(result)} results for {len(roles)} requests "
                                     "(pass the results of pending.requests, in order)")
            self.results.update((role, r) for (role, _), r in zip(roles, result))
        else:
            self.results["hidden" if self.split.hidden is not None else "visible"] = result


#: Prepared steps whose secondary request (the one besides :attr:`PendingStep.request`) has not run yet, so that
#: callers batching only ``pending.request`` still get the secondary requests of the whole batch run together, in
#: one ``run_many``. Weak references: an abandoned step just disappears.
_WAITING: list[weakref.ref[PendingStep]] = []
_WAITING_LOCK = threading.Lock()


def register_waiting(pending: PendingStep) -> None:
    with _WAITING_LOCK:
        if len(_WAITING) > 256:
            _WAITING[:] = [r for r in _WAITING
                           if (p := r()) is not None and not p._claimed and p.missing_secondary()]
        _WAITING.append(weakref.ref(pending))


def _executor_of(env: Any) -> Executor | None:
    """The executor ``env`` runs on, without creating one (a backend-name spec makes its own executor later)."""
    executor = getattr(env, "_executor", None)
    if executor is not None:
        return executor
    spec = getattr(env, "_executor_spec", "")
    if spec is None:
        return env.executor  # the process-wide default, shared
    from codegym.sandbox.api import Executor

    return spec if isinstance(spec, Executor) else None


def run_missing(pending: PendingStep, executor: Executor) -> None:
    """Run ``pending``'s missing requests, with those of every other waiting step on the same executor."""
    with _WAITING_LOCK:
        claimed_elsewhere = pending._claimed
        batch: list[PendingStep] = []
        if not claimed_elsewhere:
            keep: list[weakref.ref[PendingStep]] = []
            for ref in _WAITING:
                other = ref()
                if other is None or other._claimed or other is pending or not other.missing_secondary():
                    continue
                if _executor_of(other.owner) is executor:
                    batch.append(other)
                else:
                    keep.append(ref)
            _WAITING[:] = keep
            batch.insert(0, pending)
            for step in batch:
                step._claimed = True
    if claimed_elsewhere:  # another thread's batch holds it: wait for that run
        pending._filled.wait()
        batch = [pending] if pending.missing() else []  # that run failed: run it here
    # this step's every missing request; of the other waiting steps only the secondary ones (their callers are
    # running, or have run, their primary request themselves)
    jobs = [(step, role, request) for step in batch
            for role, request in (step.missing() if step is pending else step.missing_secondary())]
    try:
        if jobs:
            for (step, role, _), result in zip(jobs, executor.run_many([job[2] for job in jobs])):
                step.results[role] = result
    finally:
        for step in batch:
            step._filled.set()
