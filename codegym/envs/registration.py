"""Registration of codegym's env ids with Gymnasium, PettingZoo and codegym's own multi-agent registry.

Every Gymnasium id is registered twice: as ``CodeGen-v0`` and under codegym's namespace as ``codegym/CodeGen-v0``
(the same spec; PettingZoo's ids are ``codegym/...`` already). ``CodeGen-v0`` also has a ``vector_entry_point``,
the batched vector env, so ``gymnasium.make_vec("CodeGen-v0", num_envs=N)`` builds it; ``vectorization_mode="sync"``
or ``"async"`` give gymnasium's own vector envs over single envs instead. The text envs' entry points build envs
whose text observations ``AsyncVectorEnv`` can put in shared memory (``codegym.envs.vector.ShareableText``), so
every mode works with default arguments (``docs/vector_envs.md``).

Registration only records entry-point strings: it imports no env module, loads no task and starts no executor,
so ``import codegym`` stays cheap. :func:`register_envs` is idempotent.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from typing import Any, Literal

from codegym.errors import UnknownEnvError


@dataclass(frozen=True)
class EnvInfo:
    """One registered id: its kind (``gymnasium`` or ``pettingzoo``), entry point(s) and a one-line summary.

    ``entry_point`` is the env class (or PettingZoo factory). ``make_entry_point``, when set, is what
    ``gymnasium.make`` calls instead: a function that checks the keyword arguments (an unknown one is an
    ``EnvConfigError`` naming the valid ones) and builds that class (with shareable text spaces, for the text
    envs). ``vector_entry_point`` is the id's own vector env, for ``gymnasium.make_vec``.
    """

    env_id: str
    kind: Literal["gymnasium", "pettingzoo"]
    entry_point: str
    summary: str
    parallel_entry_point: str | None = None
    make_entry_point: str | None = None
    vector_entry_point: str | None = None

    @property
    def env_class(self) -> str:
        """The env class whose constructor defines the id's keyword arguments (PettingZoo: the ``raw_env``)."""
        if self.kind == "pettingzoo":
            return self.entry_point.partition(":")[0] + ":raw_env"
        return self.entry_point


#: Every id codegym registers, in the order ``codegym envs`` lists them.
ENVS: tuple[EnvInfo, ...] = (
    EnvInfo("CodeGen-v0", "gymnasium", "codegym.envs.codegen:CodeGenEnv",
            "single-turn code generation: one program per episode, reward from the hidden tests",
            make_entry_point="codegym.envs.vector:make_codegen_env",
            vector_entry_point="codegym.envs.vector:BatchedCodeGenVectorEnv"),
    EnvInfo("CodeRefine-v0", "gymnasium", "codegym.envs.refine:CodeRefineEnv",
            "multi-turn refinement with execution feedback on the visible tests",
            make_entry_point="codegym.envs.vector:make_refine_env"),
    EnvInfo("CodeGenTokens-v0", "gymnasium", "codegym.envs.tokens.env:CodeGenTokensEnv",
            "token-level generation (Discrete actions, Box observations, action mask) for SB3",
            make_entry_point="codegym.envs.tokens.env:make_tokens_env"),
    EnvInfo("CoderTester-v0", "pettingzoo", "codegym.envs.coder_tester_v0:env",
            "PettingZoo coder vs unit tester with CURE rewards (AEC and parallel)",
            parallel_entry_point="codegym.envs.coder_tester_v0:parallel_env"),
)

#: Ids under which the multi-agent envs are registered in PettingZoo's own registry (PettingZoo >= 1.25 has one).
PETTINGZOO_IDS: dict[str, str] = {"CoderTester-v0": "codegym/CoderTester-v0"}

#: Gymnasium namespace every Gymnasium id is also registered under (``codegym/CodeGen-v0``).
NAMESPACE = "codegym"

_lock = threading.Lock()
_registered = False


def register_envs() -> None:
    """Register every codegym id (idempotent; cheap: entry points are strings resolved at ``make`` time)."""
    global _registered
    with _lock:
        if _registered:
            return
        import gymnasium

        for info in ENVS:
            if info.kind != "gymnasium":
                continue
            for env_id in (info.env_id, f"{NAMESPACE}/{info.env_id}"):
                if env_id in gymnasium.registry:
                    continue
                # nondeterministic: programs run against a wall clock (timeouts) and info carries timings.
                gymnasium.register(id=env_id, entry_point=info.make_entry_point or info.entry_point,
                                   vector_entry_point=info.vector_entry_point, nondeterministic=True)
        _register_pettingzoo()
        _registered = True


def _register_pettingzoo() -> None:
    try:
        import pettingzoo
    except ImportError:  # pettingzoo is a core dependency, but keep gymnasium ids usable without it
        return
    register = getattr(pettingzoo, "register", None)
    if register is None:  # PettingZoo before 1.25 has no registry; make_multiagent still works
        return
    for info in ENVS:
        if info.kind != "pettingzoo":
            continue
        pz_id = PETTINGZOO_IDS[info.env_id]
        if pz_id not in pettingzoo.aec_registry:
            register("aec", pz_id, entry_point=info.entry_point)
        if info.parallel_entry_point and pz_id not in pettingzoo.parallel_registry:
            register("parallel", pz_id, entry_point=info.parallel_entry_point)


def env_ids(kind: str | None = None) -> list[str]:
    """Registered ids, optionally only of one kind (``"gymnasium"`` or ``"pettingzoo"``)."""
    return [e.env_id for e in ENVS if kind is None or e.kind == kind]


def env_info(env_id: str) -> EnvInfo:
    """The :class:`EnvInfo` of an id, plain (``CodeGen-v0``) or namespaced (``codegym/CodeGen-v0``)."""
    for info in ENVS:
        if env_id in (info.env_id, f"{NAMESPACE}/{info.env_id}") or PETTINGZOO_IDS.get(info.env_id) == env_id:
            return info
    raise UnknownEnvError(f"unknown env id {env_id!r}; codegym registers {', '.join(env_ids())}")


def load_entry_point(entry_point: str) -> Any:
    """The object an entry point string (``"module:attr"``) names (imports its module)."""
    module, _, attr = entry_point.partition(":")
    return getattr(importlib.import_module(module), attr)


def make_multiagent(env_id: str = "CoderTester-v0", *, parallel: bool = False, **kwargs: Any) -> Any:
    """Build a codegym multi-agent env by id: the AEC env (wrapped the PettingZoo way) or, with ``parallel=True``,
    the parallel env. ``kwargs`` go to the env constructor."""
    info = env_info(env_id)
    if info.kind != "pettingzoo":
        raise UnknownEnvError(f"{env_id!r} is a Gymnasium env; build it with gymnasium.make({env_id!r})")
    entry = info.parallel_entry_point if parallel else info.entry_point
    assert entry is not None
    return load_entry_point(entry)(**kwargs)
