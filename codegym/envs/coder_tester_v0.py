"""``CoderTester-v0``: a PettingZoo game between a ``coder`` and a unit ``tester``, rewarded as in CURE.

Built the PettingZoo way::

    from codegym.envs import coder_tester_v0

    env = coder_tester_v0.env(tasks="builtin", n_codes=4, n_tests=4)      # AEC, with PettingZoo's wrappers
    par = coder_tester_v0.parallel_env(tasks="builtin")                  # parallel API
    raw = coder_tester_v0.raw_env(...)                                   # unwrapped AEC env

See :class:`raw_env` for the spaces, rewards and arguments and :mod:`codegym.envs.coder_tester` for the CURE
reward computation.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from pettingzoo import AECEnv
from pettingzoo.utils import AgentSelector, wrappers
from pettingzoo.utils.conversions import parallel_wrapper_fn

from codegym.envs.coder_tester import RoundResult, coder_hacking_reports, parse_codes, parse_tests, play_round
from codegym.envs.common import (
    MAX_CODE_CHARS,
    MAX_FEEDBACK_CHARS,
    MAX_ID_CHARS,
    MAX_PROMPT_CHARS,
    SUCCESS_KEY,
    EnvConfigError,
    EnvStateError,
    ExecutorOwner,
    TaskPool,
    TaskSpec,
    check_render_mode,
    check_text_action,
    emit_render,
    render_test,
    render_tests,
    resolve_limits,
    sanitize_text,
    text_space,
)
from codegym.envs.extraction import ACTION_FORMATS, ActionFormat

if TYPE_CHECKING:
    from codegym.sandbox.api import Executor, Limits
    from codegym.tasks.model import Task

__all__ = ["env", "raw_env", "parallel_env"]

CODER, TESTER = "coder", "tester"

#: CURE samples 16 codes and 16 unit tests per task (Wang et al., 2025, Sec. 4.1); a laptop-sized default is 4 x 4.
DEFAULT_N_CODES = 4
DEFAULT_N_TESTS = 4


class raw_env(ExecutorOwner, AECEnv):  # noqa: N801 - PettingZoo's naming convention
    """Coder vs unit tester on one programming task per episode.

    ## Description

    Two agents, ``coder`` and ``tester``, play ``rounds`` rounds on one task (picked by ``reset`` with the env's
    RNG, or ``options={"task_id": ...}``). In each round, in AEC order coder then tester (or simultaneously in the
    parallel API), the coder submits up to ``n_codes`` programs and the tester up to ``n_tests`` unit tests. When
    both have acted the env runs the matrix codes x (ground-truth tests + generated tests) through the executor --
    two requests per code, one with the task's own tests and one with the tester's valid tests only, all in
    parallel (``executor.run_many``) -- and rewards both agents as in CURE. A generated test never runs in the same
    request (process) as a ground-truth test, so it cannot read or execute one; the tester never receives
    ground-truth test code or output, only the pass/fail matrix its reward is defined by. From the second round on,
    the coder sees the tester's previous tests and which of its codes failed them; the tester sees the previous
    codes and which of its tests they failed. Both agents see the same round's information only after the round,
    so the AEC and parallel forms are the same game.

    ## Action Space

    Both agents: ``Text(max_length=32768)`` (printable ASCII; any ``str`` is accepted).

    * coder: a JSON list of up to ``n_codes`` strings, each a program or a model response with a fenced block
      (read with ``action_format``); any other text is one code. Group-based RL submits its n samples as one list.
    * tester: a JSON list of up to ``n_tests`` objects ``{"input": ..., "output": ...}`` -- for function tasks
      ``input`` is the list of positional arguments (``{"args": [...], "kwargs": {...}}`` also works) and ``output``
      the expected return value; for stdin/stdout tasks both are strings -- or lines of ``assert`` statements
      (function tasks). A fenced block is unwrapped first.

    ## Observation Space

    Both agents: ``Dict`` with ``task_id``, ``prompt``, ``tests`` (the task's visible tests), ``feedback`` (JSON text
    about the previous round, empty in round 0) as ``Text``, and ``round``: ``Discrete(rounds + 1)``.

    ## Rewards

    After each round (CURE, arXiv:2506.03136): code j's reward is its pass rate on the ground-truth tests (every
    test of the task); for generated test k, with C the codes passing every ground-truth test and W the others, the
    reward is +share of W that k rejects if every code in C passes k, else -share of W that passes k (0 when W is
    empty; counts instead of shares with ``normalize=False``). A tester element that is not a valid test gets
    ``invalid_test_reward`` (default -1.0) and a code without extractable program gets 0. Each agent's PettingZoo
    reward is the mean over its codes/tests; the per-item rewards for group-based RL are in
    ``infos["coder"]["code_rewards"]`` and ``infos["tester"]["test_rewards"]``, with the matrix in
    ``infos[agent]["matrix"]`` (rows = codes, columns = ground-truth then valid generated tests).
    ``infos["coder"]["success"]`` is True when one of the latest round's codes passes every ground-truth test
    (False after ``reset``). ``infos["coder"]["hacking"]`` lists the reward-hacking signals of each code (visible-vs-hidden gap on the
    task's own tests, visible-test literals embedded in the code; see ``codegym.rewards.hacking.hacking_report``).

    ## Episode End

    Both agents terminate after ``rounds`` rounds.

    ## Arguments

    ``tasks`` (spec for ``codegym.tasks.sources.load_tasks``, a Task or a list; default ``"builtin"``), ``n_codes``
    (4), ``n_tests`` (4), ``rounds`` (1, as in CURE), ``action_format`` (``"auto"``), ``normalize`` (True),
    ``invalid_test_reward`` (-1.0), ``visible`` (re-split tests), ``executor``, ``limits``, ``render_mode``
    (``"ansi"`` | ``"human"``).

    ## Version History

    * v0: initial version.
    """

    metadata = {"render_modes": ["ansi", "human"], "name": "coder_tester_v0", "is_parallelizable": True,
                "render_fps": 1}

    def __init__(self, tasks: TaskSpec = "builtin", *, n_codes: int = DEFAULT_N_CODES,
                 n_tests: int = DEFAULT_N_TESTS, rounds: int = 1, action_format: ActionFormat = "auto",
                 normalize: bool = True, invalid_test_reward: float = -1.0, visible: int | float | None = None,
                 executor: Executor | str | None = None, limits: Limits | dict[str, Any] | None = None,
                 render_mode: str | None = None) -> None:
        super().__init__()
        for name, value in (("n_codes", n_codes), ("n_tests", n_tests), ("rounds", rounds)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise EnvConfigError(f"{name} must be an int >= 1, not {value!r}")
        if action_format not in ACTION_FORMATS:
            raise EnvConfigError(f"action_format must be one of {', '.join(ACTION_FORMATS)}, not {action_format!r}")
        render_mode = check_render_mode(render_mode, self.metadata["render_modes"], "CoderTester-v0")
        self.task_pool = TaskPool(tasks, visible)
        self.n_codes, self.n_tests, self.rounds = n_codes, n_tests, rounds
        self.action_format: ActionFormat = action_format
        self.normalize = bool(normalize)
        self.invalid_test_reward = float(invalid_test_reward)
        self._init_executor(executor)
        self.limits = resolve_limits(limits)
        self.render_mode = render_mode

        self.possible_agents = [CODER, TESTER]
        obs_space = spaces.Dict({
            "task_id": text_space(MAX_ID_CHARS),
            "prompt": text_space(MAX_PROMPT_CHARS),
            "tests": text_space(MAX_PROMPT_CHARS),
            "feedback": text_space(MAX_FEEDBACK_CHARS * 4),
            "round": spaces.Discrete(rounds + 1),
        })
        # one space object per agent, returned as is (PettingZoo seeds spaces through these objects)
        self.observation_spaces = {a: obs_space if a == CODER else _copy_space(obs_space) for a in self.possible_agents}
        self.action_spaces = {a: text_space(MAX_CODE_CHARS) for a in self.possible_agents}
        self.np_random, _ = seeding.np_random(None)
        self.task: Task | None = None
        self.round = 0
        self.last_round: RoundResult | None = None
        self._pending: dict[str, str] = {}
        self._feedback = {CODER: "", TESTER: ""}
        self._history: list[tuple[list[str | None], list[str], RoundResult]] = []

    # -- spaces --------------------------------------------------------------------------------------------------
    def observation_space(self, agent: str) -> spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    # -- AEC API -------------------------------------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        if seed is not None:
            self.np_random, _ = seeding.np_random(seed)
        self.task = self.task_pool.pick(self.np_random, options)
        self.agents = self.possible_agents[:]
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self.infos = {a: {"task_id": self.task.task_id, "round": 0} for a in self.agents}
        self.infos[CODER][SUCCESS_KEY] = False
        self.round = 0
        self.last_round = None
        self._pending = {}
        self._feedback = {CODER: "", TESTER: ""}
        self._history = []
        self._agent_selector = AgentSelector(self.agents)
        self.agent_selection = self._agent_selector.reset()
        if self.render_mode == "human":
            self.render()

    def observe(self, agent: str) -> dict[str, Any]:
        if self.task is None:
            raise EnvStateError("CoderTester-v0: call reset() before observe()")
        return {
            "task_id": sanitize_text(self.task.task_id, MAX_ID_CHARS),
            "prompt": sanitize_text(self.task.prompt, MAX_PROMPT_CHARS),
            "tests": sanitize_text(render_tests(self.task.visible_tests), MAX_PROMPT_CHARS),
            "feedback": sanitize_text(self._feedback[agent], MAX_FEEDBACK_CHARS * 4),
            "round": np.int64(self.round),
        }

    def step(self, action: str | None) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        self._pending[agent] = check_text_action(action, f"CoderTester-v0 ({agent})")
        self._cumulative_rewards[agent] = 0.0
        if self._agent_selector.is_last():
            self._play_round()
        else:
            self._clear_rewards()
        self.agent_selection = self._agent_selector.next()
        self._accumulate_rewards()
        if self.render_mode == "human" and self._agent_selector.is_first():
            self.render()

    # -- the round -----------------------------------------------------------------------------------------------
    def _play_round(self) -> None:
        assert self.task is not None
        codes = parse_codes(self._pending.get(CODER, ""), self.n_codes, self.action_format)
        tests = parse_tests(self._pending.get(TESTER, ""), self.task, self.n_tests)
        result = play_round(self.task, codes.programs, tests.tests, self.executor, self.limits, self.normalize,
                            self.invalid_test_reward)
        self.last_round = result
        self.round += 1
        rendered_tests = [render_test(t) if t is not None else "<invalid>" for t in tests.tests]
        self._history.append((codes.programs, rendered_tests, result))
        matrix = np.concatenate([result.gt_pass, result.gen_pass], axis=1).astype(int).tolist()
        common = {"task_id": self.task.task_id, "round": self.round, "matrix": matrix,
                  "n_ground_truth_tests": int(result.gt_pass.shape[1]), "correct_codes": result.rewards.correct}
        self.infos = {
            CODER: {**common, "code_rewards": result.code_rewards_all,
                    "format_errors": [p is None for p in codes.programs],
                    "note": codes.note, "hacking": coder_hacking_reports(self.task, result),
                    # solved: one of the codes passes every ground-truth test (what the coder's reward is on)
                    SUCCESS_KEY: any(result.rewards.correct)},
            TESTER: {**common, "test_rewards": result.test_rewards_all, "tests": rendered_tests,
                     "errors": list(tests.errors)},
        }
        self.rewards = {
            CODER: float(np.mean(result.code_rewards_all)) if result.code_rewards_all else 0.0,
            TESTER: float(np.mean(result.test_rewards_all)) if result.test_rewards_all else self.invalid_test_reward,
        }
        self._feedback = {CODER: self._coder_feedback(result, rendered_tests),
                          TESTER: self._tester_feedback(result, rendered_tests, tests.errors)}
        self._pending = {}
        if self.round >= self.rounds:
            self.terminations = {a: True for a in self.agents}

    @staticmethod
    def _coder_feedback(result: RoundResult, rendered_tests: list[str]) -> str:
        valid = [t for t in rendered_tests if t != "<invalid>"]
        return json.dumps({
            "tester_tests": valid,
            "your_codes_passed": [[bool(x) for x in row] for row in result.gen_pass.tolist()],
            "ground_truth_pass_rate": result.code_rewards_all,
        })

    @staticmethod
    def _tester_feedback(result: RoundResult, rendered_tests: list[str], errors: list[str]) -> str:
        return json.dumps({
            "coder_codes": [p if p is not None else "<no code>" for p in result.programs],
            "codes_passing_your_tests": [[bool(x) for x in col] for col in result.gen_pass.T.tolist()],
            "codes_correct": result.rewards.correct,
            "test_rewards": result.test_rewards_all,
            "errors": errors,
        })

    # -- rendering -----------------------------------------------------------------------------------------------
    def render(self) -> str | None:
        if self.render_mode not in self.metadata["render_modes"]:
            gymnasium.logger.warn("CoderTester-v0.render() needs render_mode='ansi' or 'human'")
            return None
        if self.task is None:
            text = "CoderTester-v0: not reset yet\n"
        else:
            parts = [f"=== task {self.task.task_id} (round {self.round}/{self.rounds}) ===", self.task.prompt.rstrip()]
            for number, (programs, tests, result) in enumerate(self._history, 1):
                parts.append(f"--- round {number}: codes ---")
                for j, program in enumerate(programs):
                    parts += [f"# code {j} (ground-truth pass rate {result.code_rewards_all[j]:.2f})",
                              (program or "<no code>").rstrip()]
                parts.append(f"--- round {number}: tests ---")
                parts += [f"# test {k} (reward {result.test_rewards_all[k]:+.2f}): {t}" for k, t in enumerate(tests)]
                matrix = np.concatenate([result.gt_pass, result.gen_pass], axis=1).astype(int)
                parts += ["--- matrix (rows: codes; columns: ground truth | generated) ---",
                          *(" ".join(map(str, row)) for row in matrix)]
            text = "\n".join(parts) + "\n"
        return emit_render(self.render_mode, text)



def _copy_space(space: spaces.Dict) -> spaces.Dict:
    import copy

    return copy.deepcopy(space)


def env(**kwargs: Any) -> AECEnv:
    """The AEC env with PettingZoo's standard wrappers (order enforcing)."""
    return wrappers.OrderEnforcingWrapper(raw_env(**kwargs))


parallel_env = parallel_wrapper_fn(env)
