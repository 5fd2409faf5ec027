"""Registration, SB3's check_env where the spaces allow it, PettingZoo's seed tests and registry, make_multiagent and
``codegym envs``. (Gymnasium's check_env and PettingZoo's api tests over every id: tests/test_envs_ids.py.)"""

from __future__ import annotations

import warnings

import gymnasium as gym
import pytest
from gymnasium import spaces

import codegym
from codegym.envs.registration import (
    ENVS,
    PETTINGZOO_IDS,
    UnknownEnvError,
    env_ids,
    make_multiagent,
    register_envs,
)
from codegym.tasks.micro import generate_micro_tasks

GYM_IDS = env_ids("gymnasium")
PZ_IDS = env_ids("pettingzoo")


@pytest.fixture(scope="module")
def tasks():
    return generate_micro_tasks(4, seed=5, difficulty=1)


def test_registry_lists_every_env():
    assert set(GYM_IDS) == {"CodeGen-v0", "CodeRefine-v0", "CodeGenTokens-v0"}
    assert PZ_IDS == ["CoderTester-v0"]
    for env_id in GYM_IDS:
        spec = gym.spec(env_id)
        assert spec.nondeterministic  # programs run against a wall clock; info carries timings
    register_envs()  # idempotent: no duplicate-registration warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codegym.envs.registration._registered = False
        register_envs()


def _sb3_supported(space: spaces.Space) -> bool:
    if isinstance(space, spaces.Dict):
        return all(_sb3_supported(s) for s in space.spaces.values())
    return isinstance(space, (spaces.Box, spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary))


@pytest.mark.parametrize("env_id", GYM_IDS)
def test_sb3_check_env_where_spaces_allow(env_id, tasks):
    sb3 = pytest.importorskip("stable_baselines3.common.env_checker")
    env = gym.make(env_id, tasks=tasks, executor="local")
    try:
        supported = _sb3_supported(env.observation_space) and _sb3_supported(env.action_space)
        if env_id == "CodeGenTokens-v0":
            assert supported  # the token env exists for SB3
        if not supported:
            pytest.skip(f"{env_id} has Text spaces, which SB3 does not support (use CodeGenTokens-v0)")
        sb3.check_env(env.unwrapped, warn=True)
    finally:
        env.close()


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_pettingzoo_seed_tests(env_id, tasks):
    import functools

    from pettingzoo.test import parallel_seed_test, seed_test

    kwargs = {"tasks": tasks, "executor": "local", "n_codes": 2, "n_tests": 2}
    seed_test(functools.partial(make_multiagent, env_id, **kwargs), num_cycles=3)
    parallel_seed_test(functools.partial(make_multiagent, env_id, parallel=True, **kwargs), num_cycles=3)


@pytest.mark.parametrize("env_id", PZ_IDS)
def test_pettingzoo_registry(env_id, tasks):
    import pettingzoo

    if not hasattr(pettingzoo, "register"):
        pytest.skip("this PettingZoo has no registry")
    env = pettingzoo.make("aec", PETTINGZOO_IDS[env_id], tasks=tasks)
    assert env.unwrapped.metadata["name"] == "coder_tester_v0"
    par = pettingzoo.make("parallel", PETTINGZOO_IDS[env_id], tasks=tasks)
    assert par.possible_agents == ["coder", "tester"]


def test_make_multiagent_errors():
    with pytest.raises(UnknownEnvError):
        make_multiagent("Nope-v0")
    with pytest.raises(UnknownEnvError):
        make_multiagent("CodeGen-v0")


def test_cli_lists_ids(capsys):
    from codegym.cli import main

    assert main(["envs"]) == 0
    assert capsys.readouterr().out.split() == [e.env_id for e in ENVS]
    assert main(["envs", "--verbose"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(ENVS) and all("\t" in line for line in lines)


def test_import_codegym_registers_cheaply():
    """``import codegym`` registers the ids without importing env modules, loading tasks or starting executors."""
    import subprocess
    import sys

    code = (
        "import sys, codegym, gymnasium, pettingzoo\n"
        "assert {'CodeGen-v0', 'CodeRefine-v0', 'CodeGenTokens-v0'} <= set(gymnasium.registry)\n"
        "assert 'codegym/CoderTester-v0' in pettingzoo.aec_registry\n"
        "loaded = [m for m in ('codegym.envs.codegen', 'codegym.envs.tokens', 'codegym.envs.coder_tester_v0',\n"
        "          'codegym.sandbox.local', 'codegym.tasks.micro') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_observe_before_reset_is_a_typed_error():
    from codegym.envs import coder_tester_v0
    from codegym.errors import EnvStateError

    with pytest.raises(EnvStateError):
        coder_tester_v0.raw_env(tasks=generate_micro_tasks(1)).observe("coder")


def test_envs_docs_page_runs(tmp_path):
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/envs.md", tmp_path) == 5
