"""``gymnasium.make_vec`` over codegym's ids in every vectorization mode, with default arguments, and the local
executor's fork safety (issue 12).

Every test steps the built-in tasks (the envs' default ``tasks="builtin"``) with their reference solutions, looked
up by the ``task_id`` the observation shows, and with their packaged wrong solutions (which pass the visible tests
and fail a hidden one), so a verdict that depends on where the env runs shows up as a wrong reward.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import select
import signal
import time

import gymnasium as gym
import numpy as np
import pytest

import codegym  # noqa: F401  (registers the ids)
from codegym.envs.registration import env_ids, env_info
from codegym.envs.vector import BatchedCodeGenVectorEnv
from codegym.tasks.builtin import load_builtin
from codegym.tasks.model import CallTest, Task

TASKS = {t.task_id: t for t in load_builtin()}
#: A child that hangs (the bug this file guards against) fails the test after this long instead of hanging it.
STEP_TIMEOUT_S = 120
MODES = ["sync", "async", "vector_entry_point"]


def known_ids(obs) -> list[str]:
    ids = list(obs["task_id"])
    unknown = [i for i in ids if i not in TASKS]
    assert not unknown, f"observations do not show the tasks: task_id {unknown[0][:24]!r}..."
    return ids


def references(ids: list[str]) -> list[str]:
    return [TASKS[i].reference for i in ids]


def wrong(task_id: str) -> str:
    return TASKS[task_id].metadata["wrong_solutions"][0]


def vstep(venv, actions):
    """``venv.step``; an async vector env waits at most STEP_TIMEOUT_S for its workers."""
    if isinstance(venv, gym.vector.AsyncVectorEnv):
        venv.step_async(actions)
        return venv.step_wait(timeout=STEP_TIMEOUT_S)
    return venv.step(actions)


def close(venv) -> None:
    """``venv.close()``; an async vector env whose workers do not answer is terminated after STEP_TIMEOUT_S."""
    venv.close(timeout=STEP_TIMEOUT_S) if isinstance(venv, gym.vector.AsyncVectorEnv) else venv.close()


def children(pid: int) -> list[int]:
    """Live child processes of ``pid`` (read from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != b"Z":
            out.append(int(entry))
    return out


def is_fork_server(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return b"from runtime import forkserver" in f.read()
    except OSError:
        return False


# -- every mode, default arguments ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_make_vec_scores_correct_and_wrong_programs_in_every_mode(mode):
    venv = gym.make_vec("CodeGen-v0", num_envs=3, vectorization_mode=mode)
    try:
        if mode == "vector_entry_point":
            assert isinstance(venv, BatchedCodeGenVectorEnv)
        obs, _ = venv.reset(seed=0)
        assert venv.observation_space.contains(obs)
        ids = known_ids(obs)
        actions = references(ids)
        actions[1] = wrong(ids[1])
        _, rewards, terminated, truncated, infos = vstep(venv, actions)
        assert rewards.tolist() == [1.0, 0.0, 1.0]
        assert terminated.all() and not truncated.any()
        status = infos["final_info"]["status"] if mode == "vector_entry_point" else infos["status"]
        assert list(status) == ["passed", "failed", "passed"]
        # a second round: every sub-env shows a new task and scores it
        obs, _ = venv.reset(seed=1)
        ids2 = known_ids(obs)
        _, rewards, terminated, _, _ = vstep(venv, references(ids2))
        assert rewards.tolist() == [1.0, 1.0, 1.0] and terminated.all()
    finally:
        close(venv)


def test_make_vec_without_a_mode_is_the_batched_env():
    venv = gym.make_vec("CodeGen-v0", num_envs=2)
    try:
        assert isinstance(venv, BatchedCodeGenVectorEnv)
        assert venv.spec is not None and venv.spec.id == "CodeGen-v0"
    finally:
        venv.close()


def test_every_mode_shows_the_same_observations():
    """Shared memory (async's default) carries text observations unchanged: the same seed shows the same tasks
    with the same prompts in every mode."""
    seen = {}
    for mode in MODES:
        venv = gym.make_vec("CodeGen-v0", num_envs=2, vectorization_mode=mode)
        try:
            obs, _ = venv.reset(seed=7)
            seen[mode] = {k: tuple(v) for k, v in obs.items()}
        finally:
            close(venv)
    assert seen["sync"] == seen["async"] == seen["vector_entry_point"]
    known_ids(seen["async"])


def test_async_after_the_parent_stepped_with_the_default_executor():
    """The issue's case: the parent has stepped an env on the process-wide default executor (its fork server is
    running) and then forks the async workers. Each worker must start a fork server of its own, score correctly,
    and leave the parent's executor working."""
    from codegym.sandbox import default_executor

    env = gym.make("CodeGen-v0")
    obs, _ = env.reset(seed=3)
    assert env.step(TASKS[obs["task_id"]].reference)[1] == 1.0
    parent = default_executor()
    assert parent._zygote is not None
    parent_server = parent._zygote.proc.pid

    venv = gym.make_vec("CodeGen-v0", num_envs=2, vectorization_mode="async")
    try:
        obs, _ = venv.reset(seed=0)
        ids = known_ids(obs)
        start = time.monotonic()
        _, rewards, terminated, _, infos = vstep(venv, [references(ids)[0], wrong(ids[1])])
        assert rewards.tolist() == [1.0, 0.0], list(infos["status"])
        assert list(infos["status"]) == ["passed", "failed"]
        assert time.monotonic() - start < 60  # never the parent's fork server's replies awaited in vain
        obs, _ = venv.reset(seed=1)
        _, rewards, *_ = vstep(venv, references(known_ids(obs)))
        assert rewards.tolist() == [1.0, 1.0]
        # each worker runs a fork server of its own; the parent's is not a worker's
        for process in venv.processes:
            servers = [pid for pid in children(process.pid) if is_fork_server(pid)]
            assert len(servers) == 1 and servers[0] != parent_server
    finally:
        close(venv)

    # the parent's fork server was never touched: same process, alive, and scoring
    assert parent._zygote is not None and parent._zygote.proc.pid == parent_server
    assert parent._zygote.proc.poll() is None
    obs, _ = env.reset(seed=4)
    assert env.step(TASKS[obs["task_id"]].reference)[1] == 1.0
    env.close()


# -- other ids ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["sync", "async"])
def test_code_refine_under_make_vec(mode):
    venv = gym.make_vec("CodeRefine-v0", num_envs=2, vectorization_mode=mode)
    try:
        obs, _ = venv.reset(seed=0)
        assert venv.observation_space.contains(obs)
        ids = known_ids(obs)
        _, rewards, terminated, _, _ = vstep(venv, references(ids))
        assert terminated.all() and rewards.tolist() == [1.0, 1.0]
    finally:
        close(venv)


def test_code_refine_has_no_batched_env():
    with pytest.raises(gym.error.Error):
        gym.make_vec("CodeRefine-v0", num_envs=2, vectorization_mode="vector_entry_point")


def test_token_env_under_async_matches_sync():
    observations = {}
    for mode in ("sync", "async"):
        venv = gym.make_vec("CodeGenTokens-v0", num_envs=2, vectorization_mode=mode)
        try:
            obs, _ = venv.reset(seed=5)
            assert venv.observation_space.contains(obs)
            obs, *_ = vstep(venv, np.zeros(2, dtype=np.int64))
            observations[mode] = obs
        finally:
            close(venv)
    for key in observations["sync"]:
        np.testing.assert_array_equal(observations["sync"][key], observations["async"][key])


# -- wrappers and namespaced ids ------------------------------------------------------------------------------------

def double_reward(env):
    return gym.wrappers.TransformReward(env, lambda r: 2.0 * r)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec_applies_wrappers(mode):
    venv = gym.make_vec("CodeGen-v0", num_envs=2, vectorization_mode=mode, wrappers=[double_reward])
    try:
        obs, _ = venv.reset(seed=2)
        ids = known_ids(obs)
        _, rewards, *_ = vstep(venv, [TASKS[ids[0]].reference, wrong(ids[1])])
        assert rewards.tolist() == [2.0, 0.0]
    finally:
        close(venv)


def test_batched_env_refuses_wrappers_rather_than_ignoring_them():
    with pytest.raises(gym.error.Error, match="wrappers"):
        gym.make_vec("CodeGen-v0", num_envs=2, vectorization_mode="vector_entry_point", wrappers=[double_reward])


def test_every_id_is_registered_under_the_codegym_namespace():
    for env_id in env_ids("gymnasium"):
        plain, spaced = gym.spec(env_id), gym.spec(f"codegym/{env_id}")
        assert spaced.namespace == "codegym" and spaced.name == plain.name and spaced.version == plain.version
        assert (spaced.entry_point, spaced.vector_entry_point) == (plain.entry_point, plain.vector_entry_point)
        assert spaced.nondeterministic
        assert env_info(f"codegym/{env_id}").env_id == env_id
    assert gym.spec("codegym/CodeGen-v0").vector_entry_point is not None

    env = gym.make("codegym/CodeGen-v0")
    obs, _ = env.reset(seed=0)
    assert env.step(TASKS[obs["task_id"]].reference)[1] == 1.0
    env.close()
    venv = gym.make_vec("codegym/CodeGen-v0", num_envs=2)
    try:
        assert isinstance(venv, BatchedCodeGenVectorEnv)
        obs, _ = venv.reset(seed=0)
        _, rewards, *_ = venv.step(references(known_ids(obs)))
        assert rewards.tolist() == [1.0, 1.0]
    finally:
        venv.close()


# -- the executor across fork ---------------------------------------------------------------------------------------

def _in_child(work) -> dict:
    """Run ``work()`` in a forked child and return what it returned (a JSON-able dict), or raise its error."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            os.close(r)
            data = json.dumps({"ok": work()})
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            data = json.dumps({"error": f"{type(exc).__name__}: {exc}"})
            code = 1
        try:
            os.write(w, data.encode())
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + STEP_TIMEOUT_S
    try:
        while True:
            ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"the forked child did not finish within {STEP_TIMEOUT_S} s")
            chunk = os.read(r, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(r)
        try:
            os.kill(pid, signal.SIGKILL) if not chunks else None
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    reply = json.loads(b"".join(chunks))
    assert "error" not in reply, reply["error"]
    return reply["ok"]


def test_a_forked_child_never_uses_its_parents_fork_server():
    from codegym.evaluation import build_request
    from codegym.sandbox import default_executor
    from codegym.sandbox.local import LocalExecutor

    task = TASKS["builtin/merge-intervals"]
    good, bad = build_request(task, task.reference)[0], build_request(task, wrong(task.task_id))[0]
    executor = LocalExecutor(workers=2)
    try:
        assert executor.run(good).passed  # fork server started, warm units forked
        server, scratch = executor._zygote.proc.pid, executor._tmp.name
        parent_default = default_executor()

        def work():
            inherited = executor.run(good), executor.run(bad)
            default = default_executor()
            fresh = default.run(good)
            report = {"inherited": [r.status for r in inherited], "server": executor._zygote.proc.pid,
                      "default_is_parents": default is parent_default, "default": fresh.status,
                      "default_server": default._zygote.proc.pid}
            executor.close()  # closing the inherited copy must leave the parent's fork server and scratch alone
            gc.collect()
            default.close()  # this child ends with os._exit, which skips atexit
            return report

        report = _in_child(work)
        assert report["inherited"] == ["passed", "failed"] and report["default"] == "passed"
        assert report["server"] != server and report["default_server"] not in (server, report["server"])
        assert not report["default_is_parents"]
        # the parent's executor is untouched: same fork server, its scratch directory, its warm units
        assert executor._zygote.proc.pid == server and executor._zygote.proc.poll() is None
        assert os.path.isdir(scratch)
        assert executor.run(good).passed and not executor.run(bad).passed
    finally:
        executor.close()


def _report_workers(barrier, queue) -> None:
    from codegym.sandbox import _fork_share, default_executor

    barrier.wait(timeout=60)  # every sibling exists before any counts
    queue.put((_fork_share(), default_executor().workers, default_executor().warm_units))
    barrier.wait(timeout=60)  # nobody exits before every sibling has counted


def test_forked_workers_default_executors_share_the_machine():
    from codegym.sandbox import _fork_share, default_workers

    assert _fork_share() == 1  # this process is not a fork of its parent
    ctx = multiprocessing.get_context("fork")
    barrier, queue = ctx.Barrier(3), ctx.Queue()
    procs = [ctx.Process(target=_report_workers, args=(barrier, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    try:
        reports = [queue.get(timeout=STEP_TIMEOUT_S) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    share = max(1, default_workers() // 3)
    assert reports == [(3, share, share)] * 3


# -- the shareable text space ---------------------------------------------------------------------------------------

def test_shareable_text_round_trips_through_shared_memory():
    from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory

    from codegym.envs.vector import ShareableText, shareable_space

    space = shareable_space(gym.spaces.Dict({"a": gym.spaces.Text(8, charset="abc\n"), "b": gym.spaces.Text(4)}))
    assert isinstance(space["a"], ShareableText) and space["a"] == gym.spaces.Text(8, charset="abc\n")
    memory = create_shared_memory(space, n=2)
    view = read_from_shared_memory(space, memory, n=2)
    write_to_shared_memory(space, 1, {"a": "ab\nc", "b": "x1"}, memory)
    write_to_shared_memory(space, 0, {"a": "", "b": "zz"}, memory)
    import copy

    snapshot = copy.deepcopy(view)
    assert snapshot == {"a": ("", "ab\nc"), "b": ("zz", "x1")}
    assert isinstance(snapshot["a"], tuple)
    write_to_shared_memory(space, 0, {"a": "cab", "b": "q"}, memory)
    assert tuple(view["a"]) == ("cab", "ab\nc") and snapshot["a"] == ("", "ab\nc")  # live view, frozen copy
    with pytest.raises(ValueError):
        write_to_shared_memory(space, 0, {"a": "abcabcabc", "b": ""}, memory)  # longer than max_length


def test_async_without_copies_returns_live_views():
    from codegym.envs.vector import SharedTextBatch

    venv = gym.make_vec("CodeGen-v0", num_envs=2, vectorization_mode="async", vector_kwargs={"copy": False})
    try:
        obs, _ = venv.reset(seed=0)
        assert isinstance(obs["task_id"], SharedTextBatch)
        first = tuple(obs["task_id"])
        known_ids(obs)
        venv.reset(seed=1)
        assert tuple(obs["task_id"]) != first  # the same view shows the new tasks
        known_ids(obs)
    finally:
        close(venv)


def test_registration_stays_cheap_after_the_changes():
    """``import codegym`` still registers every id (both spellings) without importing env modules."""
    import subprocess
    import sys

    code = (
        "import sys, codegym, gymnasium\n"
        "ids = {'CodeGen-v0', 'CodeRefine-v0', 'CodeGenTokens-v0'}\n"
        "assert ids | {'codegym/' + i for i in ids} <= set(gymnasium.registry)\n"
        "loaded = [m for m in ('codegym.envs.codegen', 'codegym.envs.vector', 'codegym.sandbox.local') "
        "if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_docs_page_runs(tmp_path):
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/vector_envs.md", tmp_path) == 2



def test_sub_envs_whose_failing_tests_differ_in_kind_batch_their_infos():
    """One sub-env's failing call returned a float, another's a str, a third raised: gymnasium batches info by the
    first value's type, so the failing test in info has fixed fields of fixed types (never the program's value)."""
    task = Task("toy/kind", "f", entry_point="f", visible_tests=[CallTest("f", (1,), expected=2)],
                hidden_tests=[CallTest("f", (2,), expected=3)])
    programs = ["def f(x):\n    return 0.5\n", "def f(x):\n    return 'pass'\n", "def f(x):\n    raise KeyError(x)\n",
                "def f(x):\n    return x + 1\n"]
    for mode in ("sync", "vector_entry_point"):
        venv = gym.make_vec("CodeGen-v0", num_envs=len(programs), vectorization_mode=mode, tasks=[task])
        try:
            venv.reset(seed=0)
            _, rewards, _, _, info = venv.step(programs)
        finally:
            venv.close()
        step = info.get("final_info", info)  # the batched env resets in the same step (gymnasium's SAME_STEP)
        assert list(rewards) == [0.0, 0.0, 0.0, 1.0]
        assert list(step["failing_test"]["actual"][:2]) == ["0.5", "'pass'"]
        assert "value" not in step["failing_test"]


def test_failing_test_info_keeps_program_chosen_numbers_in_range():
    """The program chooses the line it reports (it can patch its own runtime): a line no vector env can store is
    reported as unknown, here and where the supervisor reads it."""
    from codegym.envs.info import failing_test_info
    from codegym.runtime.supervisor import _report

    info = failing_test_info({"index": 0, "status": "failed", "line": 10**30, "wall_time_s": 0.1})
    assert info["line"] == -1 and info["index"] == 0
    assert _report({"line": 10**30, "etype": "X"})["line"] is None and _report({"line": 7})["line"] == 7
