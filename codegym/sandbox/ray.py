"""The Ray backend: executions spread over the machines of a Ray cluster, each run by the local backend.

Every request becomes one Ray task. The task runs in a Ray worker process that keeps one
:class:`~codegym.sandbox.local.LocalExecutor` for its lifetime (its fork server is started once per worker, not
per task), so programs get the same isolation, limits and verdicts on every node as on this machine. Only the
request and the finished :class:`~codegym.sandbox.api.ExecutionResult` cross the network; verdicts are computed in
the worker, which is trusted code, never in the untrusted process.

* **Back-pressure**: at most ``max_in_flight`` tasks are submitted at once (default: twice the cluster's CPUs);
  :meth:`RayExecutor.run_many` submits more as results come back, so a million requests never sit in the object
  store at once.
* **Worker and node loss**: a task whose worker process or node dies is retried by Ray (``max_retries``) on any
  node that can take it; when every retry is spent, the request's result is a ``sandbox_error`` saying so, and the
  batch goes on. Results are small dicts returned by value, so a lost node takes no finished result with it.
* **Hang guard**: the local backend in the worker enforces every limit itself; the driver only gives up on a task
  (cancels it, ``sandbox_error``) when nothing this executor ran has finished for the request's total time limit plus
  ``task_grace_s`` while the task was outstanding. The clock restarts with every result, so time a task spends
  queued behind the executor's other tasks, or re-run after its node was lost, counts only while no other result
  arrives.
* **Placement**: :meth:`RayExecutor.placements` counts the results each Ray node produced.
* **Cluster**: ``address=None`` (and no ``$RAY_ADDRESS``) starts a private local Ray instance (``num_cpus`` CPUs);
  ``address="auto"``, ``"host:6379"`` or ``"ray://head:10001"`` joins an existing cluster (``docs/ray_cluster.md``
  starts a two-node cluster, joins it and loses a node). codegym must be importable on every node (install it
  there, or pass ``runtime_env={"py_modules": [...]}``).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any

from codegym.errors import BackendUnavailableError, SandboxConfigError, SandboxError
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits, ProgressCallback

__all__ = ["RayExecutor"]

#: Default seconds a task may go without any result arriving beyond its request's own total time limit (worker
#: start-up, fork-server start-up, a slow node) before the driver gives up on it.
TASK_GRACE_S = 60.0

# One LocalExecutor per Ray worker process and configuration, created on first use. Module state is per process,
# so each worker has its own. When Ray stops or loses a worker, its fork server dies with it (the fork server asks
# the kernel for SIGKILL on its parent's death).
_WORKER_EXECUTORS: dict[str, Any] = {}
_WORKER_LOCK = threading.Lock()


def _worker_executor(local_kwargs: dict[str, Any]) -> Any:
    key = repr(sorted(local_kwargs.items()))
    with _WORKER_LOCK:
        if key not in _WORKER_EXECUTORS:
            from codegym.sandbox.local import LocalExecutor

            _WORKER_EXECUTORS[key] = LocalExecutor(workers=1, **local_kwargs)
        return _WORKER_EXECUTORS[key]


def _run_in_worker(request: ExecutionRequest, local_kwargs: dict[str, Any]) -> dict[str, Any]:
    """Body of the Ray task: run one request with this worker's local executor; return the result as a dict.

    Plain dicts rather than dataclasses travel back, so a driver and workers on different codegym versions still
    agree on the schema (``ExecutionResult.from_dict`` ignores unknown fields).
    """
    result = _worker_executor(local_kwargs).run(request)
    d = result.to_dict()
    d["worker"] = {"pid": os.getpid(), "node": _node_id()}
    return d


def _worker_isolation(local_kwargs: dict[str, Any]) -> str:
    return str(_worker_executor(local_kwargs).isolation)


def _node_id() -> str | None:
    try:
        import ray

        return ray.get_runtime_context().get_node_id()
    except Exception:  # noqa: BLE001 - informational only
        return None


class RayExecutor(Executor):
    """Runs requests as Ray tasks, each with the local backend on the node that runs it.

    Args:
        workers: threads serving :meth:`submit`/:meth:`arun` on the driver (default: the cluster's CPUs).
        limits: default limits for requests.
        address: Ray cluster to join (``"auto"``, ``"host:6379"``, ``"ray://host:10001"``); None uses
            ``$RAY_ADDRESS`` when set (so ``codegym evaluate --backend ray`` can join a cluster), else starts a private
            local instance (stopped again on :meth:`close`). An already initialised Ray in this process is reused
            as it is.
        num_cpus: CPUs of the local instance started when ``address`` is None (default: all of this machine's).
        cpus_per_task: CPUs each task reserves; one program runs per task.
        max_in_flight: most tasks submitted at once (default: twice the cluster's CPUs).
        max_retries: retries of a task whose worker or node died (Ray's task ``max_retries``).
        task_grace_s: seconds beyond a request's total time limit that the driver waits, with no result of this
            executor arriving, before it cancels the request's task and reports ``sandbox_error``.
        local_kwargs: keyword arguments of the :class:`~codegym.sandbox.local.LocalExecutor` in each worker
            (``isolation="full"``, ``warm_units=0``, ...).
        runtime_env: Ray runtime environment for the tasks (e.g. ``{"py_modules": [...]}`` on clusters without
            codegym installed).
        init_kwargs: extra arguments for ``ray.init`` (``object_store_memory``, ``namespace``, ...).
    """

    backend = "ray"

    def __init__(self, workers: int | None = None, limits: Limits | None = None, address: str | None = None,
                 num_cpus: int | None = None, cpus_per_task: float = 1.0, max_in_flight: int | None = None,
                 max_retries: int = 3, task_grace_s: float = TASK_GRACE_S, local_kwargs: dict[str, Any] | None = None,
                 runtime_env: dict[str, Any] | None = None, init_kwargs: dict[str, Any] | None = None) -> None:
        try:
            import ray
        except ImportError as exc:
            raise BackendUnavailableError("the Ray backend needs ray: pip install 'codegym[ray]'") from exc
        if cpus_per_task <= 0:
            raise SandboxConfigError(f"cpus_per_task must be > 0 (got {cpus_per_task!r})")
        if max_retries < 0:
            raise SandboxConfigError(f"max_retries must be >= 0 (got {max_retries!r}); 0 turns retries off")
        if task_grace_s <= 0:
            raise SandboxConfigError(f"task_grace_s must be > 0 seconds (got {task_grace_s!r})")
        self._ray = ray
        self._owns_ray = False
        address = address or os.environ.get("RAY_ADDRESS") or None
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "configure_logging": False}
            kwargs.update(init_kwargs or {})
            if address not in (None, "auto", "local"):
                _check_reachable(address)
            try:
                if address is None:
                    ray.init(address="local", num_cpus=num_cpus, **kwargs)
                else:
                    ray.init(address=address, **kwargs)
            except (ConnectionError, RuntimeError, ValueError, ray.exceptions.AuthenticationError) as exc:
                where = f"the Ray cluster at {address!r}" if address else "a local Ray instance"
                if _refused_token(exc):
                    raise BackendUnavailableError(
                        f"{where} refused this process's Ray token: {_first_line(exc)}. Set RAY_AUTH_MODE=token "
                        "and the cluster's token (RAY_AUTH_TOKEN, RAY_AUTH_TOKEN_PATH or ~/.ray/auth_token) in this "
                        "process's environment, as on the nodes (docs/ray_cluster.md).") from exc
                raise BackendUnavailableError(f"could not start or join {where}: {exc}. Check the address "
                                              "(`ray status` on the head node) or pass address=None to start a "
                                              "local instance.") from exc
            self._owns_ray = True
        cluster_cpus = int(ray.cluster_resources().get("CPU", 1))
        super().__init__(workers=workers or max(1, cluster_cpus), limits=limits)
        self.address = address
        self.cpus_per_task = float(cpus_per_task)
        self.max_in_flight = int(max_in_flight or max(2, 2 * int(cluster_cpus / self.cpus_per_task)))
        if self.max_in_flight < 1:
            raise SandboxConfigError(f"max_in_flight must be >= 1 (got {self.max_in_flight!r}); None sizes it to the cluster")
        self.max_retries = int(max_retries)
        self.task_grace_s = float(task_grace_s)
        self.local_kwargs = dict(local_kwargs or {})
        options: dict[str, Any] = {"num_cpus": self.cpus_per_task, "max_retries": self.max_retries,
                                   "retry_exceptions": False}
        if runtime_env:
            options["runtime_env"] = runtime_env
        self._task = ray.remote(_run_in_worker).options(**options)
        self._isolation_task = ray.remote(_worker_isolation).options(**options)
        self._isolation: str | None = None
        self._closed = False
        self._in_flight = threading.BoundedSemaphore(self.max_in_flight)
        # When the latest result of this executor (any caller) arrived, and which node produced each result.
        self._progress_at = time.monotonic()
        self._placements: Counter[str] = Counter()
        self._stats_lock = threading.Lock()

    @property
    def isolation(self) -> str:
        """The isolation the local backend achieves on a worker (asked once, from one worker)."""
        if self._isolation is None:
            self._isolation = str(self._ray.get(self._isolation_task.remote(self.local_kwargs)))
        return self._isolation

    def cluster_cpus(self) -> int:
        """CPUs of the cluster's live nodes now (fewer after a node is lost)."""
        return int(self._ray.cluster_resources().get("CPU", 0))

    def placements(self) -> dict[str, int]:
        """How many results each Ray node produced for this executor: ``{node_id: count}``.

        Node ids are Ray's (``ray.nodes()`` maps them to addresses and resources). Requests whose task was lost on
        every try produced no result on any node and are not counted.
        """
        with self._stats_lock:
            return dict(self._placements)

    # -- running ---------------------------------------------------------------------------------------------------

    def _budget_s(self, request: ExecutionRequest) -> float:
        return request.limits.total_for(list(request.tests)) + self.task_grace_s

    def _overdue(self, request: ExecutionRequest, submitted: float, now: float) -> bool:
        """True when nothing this executor ran has finished for the request's budget since it was submitted.

        Measured from the latest result rather than from submission: a task queued behind this executor's others
        (more tasks in flight than the cluster has CPUs, more still after a node is lost) or re-run by Ray after its
        node died is not hung as long as results keep arriving.
        """
        return now - max(submitted, self._progress_at) > self._budget_s(request)

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        """Run one request on the cluster (blocks; shares the in-flight bound with every other caller)."""
        self._check_open(request)
        with self._in_flight:
            submitted = time.monotonic()
            ref = self._task.remote(request, self.local_kwargs)
            while True:
                ready, _ = self._ray.wait([ref], timeout=1.0)
                if ready:
                    return self._collect(request, ref, submitted)
                if self._overdue(request, submitted, time.monotonic()):
                    return self._give_up(request, ref, submitted)

    def run_many(self, requests: Iterable[ExecutionRequest],
                 progress: ProgressCallback | None = None) -> list[ExecutionResult]:
        """Run requests over the cluster with at most ``max_in_flight`` tasks outstanding; results in order.

        ``progress(index, result)`` is called as each result arrives (completion order).
        """
        ray = self._ray
        requests = list(requests)
        for r in requests:
            self._check_open(r)
        results: list[ExecutionResult | None] = [None] * len(requests)
        pending: dict[Any, tuple[int, float]] = {}  # ref -> (index, submitted at)
        try:
            self._run_batch(requests, results, pending, progress)
        finally:
            # Only on an error (a bad request re-raised from a worker, KeyboardInterrupt): give back the in-flight
            # slots and stop the tasks nobody will collect.
            for ref in pending:
                self._in_flight.release()
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # noqa: BLE001 - already finished, or Ray is shutting down
                    pass
        return [r for r in results if r is not None]

    def _run_batch(self, requests: list[ExecutionRequest], results: list[ExecutionResult | None],
                   pending: dict[Any, tuple[int, float]], progress: ProgressCallback | None) -> None:
        ray = self._ray
        next_index = 0
        while next_index < len(requests) or pending:
            while next_index < len(requests) and len(pending) < self.max_in_flight:
                self._in_flight.acquire()
                try:
                    ref = self._task.remote(requests[next_index], self.local_kwargs)
                except BaseException:
                    self._in_flight.release()
                    raise
                pending[ref] = (next_index, time.monotonic())
                next_index += 1
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=1.0)
            for ref in ready:
                i, submitted = pending.pop(ref)
                self._in_flight.release()
                results[i] = self._collect(requests[i], ref, submitted)
                if progress:
                    progress(i, results[i])
            now = time.monotonic()
            for ref, (i, submitted) in list(pending.items()):
                if self._overdue(requests[i], submitted, now):
                    pending.pop(ref)
                    self._in_flight.release()
                    results[i] = self._give_up(requests[i], ref, submitted)
                    if progress:
                        progress(i, results[i])

    def _collect(self, request: ExecutionRequest, ref: Any, submitted: float) -> ExecutionResult:
        """The result of a finished task; failures of the cluster become ``sandbox_error``."""
        ray = self._ray
        try:
            # Ready refs return at once; the timeout only bounds a re-run Ray starts when the node holding the
            # result died between "ready" and this fetch.
            d = ray.get(ref, timeout=self._budget_s(request))
        except ray.exceptions.GetTimeoutError:
            return self._give_up(request, ref, submitted)
        except ray.exceptions.RayTaskError as exc:
            self._progressed(None)
            cause = exc.cause if isinstance(getattr(exc, "cause", None), BaseException) else None
            if isinstance(cause, (TypeError, ValueError)) or \
                    (cause is not None and type(cause).__name__ == "IsolationUnavailableError"):
                raise cause from exc  # a bad request or an impossible isolation requirement: the caller must act
            what = f"{type(cause).__name__}: {cause}" if cause is not None else _first_line(exc)
            return _error_result(request, f"the sandbox failed on a Ray worker: {what}", submitted)
        except ray.exceptions.RayError as exc:
            # WorkerCrashedError, NodeDiedError, OutOfMemoryError, ObjectLostError, ...: Ray already retried it.
            self._progressed(None)
            tries = self.max_retries + 1
            return _error_result(request, f"the Ray worker running this request was lost ({tries} "
                                 f"attempt{'' if tries == 1 else 's'}, max_retries={self.max_retries}): "
                                 f"{type(exc).__name__}: {_first_line(exc)}", submitted)
        worker = d.pop("worker", None) or {}
        self._progressed(worker.get("node"))
        result = ExecutionResult.from_dict(d)
        result.backend = self.backend
        return result

    def _progressed(self, node: str | None) -> None:
        with self._stats_lock:
            self._progress_at = time.monotonic()
            if node:
                self._placements[node] += 1

    def _give_up(self, request: ExecutionRequest, ref: Any, submitted: float) -> ExecutionResult:
        """Cancel a task that outlived its budget with no result arriving, and say so in a ``sandbox_error``."""
        try:
            self._ray.cancel(ref, force=True)
        except Exception:  # noqa: BLE001 - it finished meanwhile, or Ray is shutting down
            pass
        return _error_result(request, f"the Ray task was cancelled: no result of this executor arrived for "
                             f"{self._budget_s(request):.0f} s (the request's total time limit plus "
                             f"task_grace_s={self.task_grace_s:g}) while it was outstanding", submitted)

    def _check_open(self, request: ExecutionRequest) -> None:
        if self._closed:
            raise SandboxError("the Ray executor is closed; create a new one")
        if not isinstance(request, ExecutionRequest):
            raise TypeError(f"run() takes an ExecutionRequest, not {type(request).__name__}")

    # -- lifetime --------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the driver's threads; stop Ray if this executor started it (a joined cluster keeps running)."""
        if self._closed:
            return
        self._closed = True
        super().close()
        if self._owns_ray and self._ray.is_initialized():
            self._ray.shutdown()


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail fast on a cluster address nothing listens on (``ray.init`` would retry for minutes)."""
    hostport = address.split("://", 1)[-1].rstrip("/")
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit():
        raise BackendUnavailableError(f"Ray address {address!r} is not HOST:PORT, 'ray://HOST:PORT' or 'auto'")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            return
    except OSError as exc:
        raise BackendUnavailableError(
            f"nothing answers at the Ray address {address!r} ({exc}); start the head node with `ray start --head` "
            "(docs/backends.md) or pass address=None to start a local instance") from exc


def _refused_token(exc: BaseException) -> bool:
    """Whether joining failed on token authentication (Ray >= 2.52): Ray wraps that cause in a ConnectionError."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if type(seen).__name__ == "AuthenticationError" or "InvalidAuthToken" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _first_line(exc: BaseException) -> str:
    """Ray's error texts run to dozens of lines (tracebacks, log tails); a result keeps the first."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _error_result(request: ExecutionRequest, message: str, started: float) -> ExecutionResult:
    from codegym.sandbox.verdict import build_result

    result = build_result(request, {"tests": {}, "sandbox_error": message}, "none", "ray")
    result.wall_time_s = round(time.monotonic() - started, 4)
    return result
