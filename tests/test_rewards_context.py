"""Rewards that run programs (efficiency timing, coverage driver) run them on the caller's executor under the
caller's limits (RewardContext), and requests carry the executor's default limits (Executor(limits=...))."""

from __future__ import annotations

import pytest

from codegym.evaluation import build_request, evaluate_program, request_limits
from codegym.rewards import (
    CoverageMaskReward,
    EfficiencyReward,
    ExecutionLineReward,
    RewardConfigError,
    RewardContext,
)
from codegym.rewards.adapters import make_verl_compute_score, trl_reward_function
from codegym.sandbox.api import ExecutionRequest, ExecutionResult, Executor, Limits
from codegym.tasks.model import CallTest, Task, TaskLimits

ADD = Task("toy/add", "Write add(a, b).", entry_point="add",
           visible_tests=[CallTest("add", (1, 2), expected=3)],
           hidden_tests=[CallTest("add", (20, 22), expected=42)],
           reference_solutions=["def add(a, b):\n    return a + b\n"])
GOOD = "def add(a, b):\n    return a + b\n"


class RecordingExecutor(Executor):
    """Runs every request on another executor and records it (with the limits it carried)."""

    backend = "recording"

    def __init__(self, inner: Executor, limits: Limits | None = None) -> None:
        super().__init__(workers=2, limits=limits)
        self.inner = inner
        self.requests: list[ExecutionRequest] = []

    def run(self, request: ExecutionRequest) -> ExecutionResult:
        self.requests.append(request)
        return self.inner.run(request)

    def ids(self) -> list[str | None]:
        return [r.request_id for r in self.requests]


@pytest.fixture()
def recording(local_executor):
    ex = RecordingExecutor(local_executor, limits=Limits(timeout_s=4.5))
    yield ex
    ex.close()


ENV_LIMITS = Limits(timeout_s=3.5, memory_mb=512)


def test_efficiency_reward_in_an_env_times_on_the_envs_executor_with_its_limits(recording):
    from codegym.envs.codegen import CodeGenEnv

    env = CodeGenEnv(tasks=[ADD], action_format="code", executor=recording, limits=ENV_LIMITS,
                     reward=EfficiencyReward(repeats=1))
    env.reset(seed=0)
    _, reward, _, _, info = env.step(GOOD)
    assert 0.5 <= reward <= 1.0 and info["reward_output"].info["efficiency"] in ("measured", "unmeasurable")
    # the env's two requests (visible, hidden), then the timing of the program and of the reference
    assert recording.ids() == ["toy/add#visible", "toy/add#hidden", "toy/add", "toy/add"]
    timed = recording.requests[2:]
    assert [r.program for r in timed] == [GOOD, ADD.reference]
    assert all(r.limits == ENV_LIMITS for r in recording.requests)
    env.close()


def test_coverage_in_the_token_env_and_through_the_reward_wrapper(recording):
    from codegym.envs.codegen import CodeGenEnv
    from codegym.envs.tokens import CodeGenTokensEnv, CodeVocabulary
    from codegym.tasks.micro import generate_micro_tasks
    from codegym.wrappers import RewardWrapper

    task = generate_micro_tasks(1, seed=0, difficulty=1)[0]
    vocab = CodeVocabulary.default()
    env = CodeGenTokensEnv([task], tokenizer=vocab, executor=recording, limits=ENV_LIMITS,
                           reward=CoverageMaskReward(ExecutionLineReward()))
    env.reset(seed=0)
    for action in vocab.encode_body(task.reference[len(task.completion_prefix):], env._episode.binding):
        *_, info = env.step(action)
    assert info["status"] == "passed" and info["reward_output"].info["coverage"]
    driver = [r for r in recording.requests if r.request_id == f"coverage:{task.task_id}"]
    assert len(driver) == 1  # the coverage driver ran on the env's executor
    n_tests = len(task.all_tests)
    assert driver[0].limits.timeout_s == pytest.approx(ENV_LIMITS.timeout_s * n_tests)
    assert driver[0].limits.memory_mb == ENV_LIMITS.memory_mb
    env.close()

    # a RewardWrapper re-scores with the wrapped env's executor and limits
    recording.requests.clear()
    wrapped = RewardWrapper(CodeGenEnv(tasks=[ADD], action_format="code", executor=recording, limits=ENV_LIMITS),
                            CoverageMaskReward(ExecutionLineReward()))
    wrapped.reset(seed=0)
    *_, info = wrapped.step(GOOD)
    assert info["reward_output"].info["line_mask"] == [1, 1]
    assert recording.ids()[-1] == "coverage:toy/add"
    assert recording.requests[-1].limits.timeout_s == pytest.approx(ENV_LIMITS.timeout_s * 2)
    wrapped.close()


def test_trainer_adapters_lend_their_executor(recording):
    fn = trl_reward_function(EfficiencyReward(repeats=1), [ADD], code_mode="code", executor=recording)
    assert 0.5 <= fn(prompts=["p"], completions=[GOOD], task_id=["toy/add"])[0] <= 1.0
    # evaluation, then timing: all on the adapter's executor, under that executor's default limits
    assert recording.ids() == ["toy/add"] * 3
    assert all(r.limits == recording.default_limits for r in recording.requests)
    recording.requests.clear()
    score = make_verl_compute_score(CoverageMaskReward(ExecutionLineReward()), executor=recording)
    assert score("codegym", GOOD, ADD.to_json(), None)["score"] == 1.0
    assert recording.ids() == ["toy/add", "coverage:toy/add"]


def test_a_reward_called_by_hand_uses_its_own_or_the_default_executor(recording):
    ev = evaluate_program(ADD, GOOD, recording)
    recording.requests.clear()
    reward = CoverageMaskReward(ExecutionLineReward(), executor=recording)  # its own executor wins
    assert reward.compute(ev, ADD, GOOD).info["line_mask"] == [1, 1]
    assert recording.ids() == ["coverage:toy/add"]
    # precedence: the reward's own executor (with its own limits), else the caller's, with the reward's limits
    caller, other = RewardContext(recording, ENV_LIMITS), RecordingExecutor(recording)
    assert RewardContext.resolve(caller) == caller
    assert RewardContext.resolve(caller, limits=Limits(timeout_s=1.0)) == RewardContext(recording, Limits(timeout_s=1.0))
    assert RewardContext.resolve(caller, other) == RewardContext(other, None)
    with pytest.raises(RewardConfigError, match="RewardContext"):
        CoverageMaskReward(ExecutionLineReward()).compute(ev, ADD, GOOD, reward_context={"executor": recording})
    with pytest.raises(RewardConfigError, match="Executor"):
        RewardContext("local")  # type: ignore[arg-type]


def test_requests_carry_the_executors_default_limits_and_a_slow_program_times_out(local_executor):
    task = Task("toy/slow", "add", entry_point="add", hidden_tests=[CallTest("add", (1, 2), expected=3)])
    slow = "import time\n\ndef add(a, b):\n    time.sleep(1.5)\n    return a + b\n"
    strict = RecordingExecutor(local_executor, limits=Limits(timeout_s=0.5))
    request, _ = build_request(task, slow, executor=strict)
    assert request.limits == Limits(timeout_s=0.5)
    assert build_request(task, slow)[0].limits == Limits()  # no executor: the library defaults
    # explicit limits win over the executor's; a task's own limits win over both
    assert build_request(task, slow, limits=ENV_LIMITS, executor=strict)[0].limits == ENV_LIMITS
    own = Task("toy/own", "add", entry_point="add", hidden_tests=task.hidden_tests,
               limits=TaskLimits(timeout_s=2.0))
    assert request_limits(own, None, strict) == Limits(timeout_s=2.0)
    assert request_limits(own, ENV_LIMITS, strict) == ENV_LIMITS.merged(timeout_s=2.0)
    # the slow program times out under the executor's 0.5 s and passes under the library's 6 s
    assert evaluate_program(task, slow, strict).status == "timeout"
    assert evaluate_program(task, slow, local_executor).status == "passed"
    strict.close()


def test_the_batched_vector_env_builds_its_requests_for_its_own_executor(recording):
    """The sub-envs build their requests before the batch runs: they must get the vector env's executor (and so
    its default limits) first, not resolve the process default on their own."""
    from codegym.envs.vector import BatchedCodeGenVectorEnv

    envs = BatchedCodeGenVectorEnv(2, tasks=[ADD], action_format="code", executor=recording)
    envs.reset(seed=0)
    _, rewards, *_ = envs.step([GOOD, GOOD])
    assert list(rewards) == [1.0, 1.0]
    assert recording.requests and all(r.limits == Limits(timeout_s=4.5) for r in recording.requests)
    assert all(env.executor is recording for env in envs.envs)
    envs.close()
