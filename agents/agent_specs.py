"""Agents that act in codegym envs, built from a SPEC string (``codegym bench --agent SPEC``).

* a local model directory or hub name -- :class:`LocalModelAgent` over :class:`agents.policy.Policy`, prompted the
  way the directory records (``prompt_format.json``, see :mod:`agents.prompting`);
* ``openai:URL#MODEL`` -- :class:`OpenAIAgent` on an OpenAI-compatible ``/v1/chat/completions`` endpoint (vLLM,
  TGI, llama.cpp, ``python -m agents.serve``), e.g. ``openai:http://127.0.0.1:8000/v1#Qwen2.5-Coder-7B-Instruct``;
* ``openai-completions:URL#MODEL`` -- the same on the ``/v1/completions`` endpoint (completion style: the model
  continues the task's prompt; for base models and models trained completion-style);
* ``module:function`` -- :class:`CallableAgent`, a Python callable ``f(observation) -> str`` (or
  ``f(observation, role=...)``) importable from the current environment.

Endpoint keys come from ``OPENAI_API_KEY`` (``"EMPTY"`` when unset, as local servers expect). Every agent maps a
batch of observations to a batch of text actions (:meth:`Agent.act`).
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from agents.prompting import PromptFormat
from codegym.errors import CodegymError

#: Endpoint agent schemes and the OpenAI route each one uses.
ENDPOINT_MODES = {"openai": "chat", "openai-completions": "completion"}


class AgentSpecError(CodegymError, ValueError):
    """An agent SPEC that names no model, endpoint or callable."""


class AgentEndpointError(CodegymError, RuntimeError):
    """An endpoint agent's server cannot be used (unreachable, refusing the key, the model or the requests)."""


class Agent:
    """Maps observations to text actions. Subclasses implement :meth:`act_one` or :meth:`act`."""

    name: str = "agent"
    #: How the agent prompts its model (``None``: not a model, e.g. a Python callable).
    prompt_format: PromptFormat | None = None

    def act(self, observations: Sequence[dict[str, Any]], role: str = "coder") -> list[str]:
        return [self.act_one(obs, role) for obs in observations]

    def act_one(self, observation: dict[str, Any], role: str = "coder") -> str:
        raise NotImplementedError

    def describe(self) -> dict[str, Any]:
        """What the bench records about the agent."""
        return {"name": self.name, "prompt_style": self.prompt_format.style if self.prompt_format else None}

    def close(self) -> None:
        """Release resources (models, clients)."""


_CHAT = PromptFormat(style="chat")


def observation_messages(observation: dict[str, Any], role: str = "coder") -> list[dict[str, str]]:
    """Chat messages for an observation of any codegym env (coder prompts and refinement turns through the chat
    :class:`~agents.prompting.PromptFormat`; other roles' observations carry their ``instruction``)."""
    if role != "coder" and observation.get("instruction"):
        return [{"role": "user", "content": str(observation["instruction"])}]
    return _CHAT.prompt(observation)


class LocalModelAgent(Agent):
    """A Hugging Face causal LM loaded by path or hub name, prompted as its directory records (else chat when its
    tokenizer has a chat template, completion otherwise); ``prompt_style`` overrides that."""

    def __init__(self, path: str, temperature: float = 0.0, max_new_tokens: int = 512, device: str = "auto",
                 prompt_style: str = "auto") -> None:
        from agents.policy import Policy

        self.policy = Policy.from_pretrained(path, device=device)
        self.name = self.policy.name
        self.temperature = temperature
        self.max_new_tokens = max_new_tokens
        self.prompt_format = self.policy.prompt_format.with_overrides(prompt_style)

    def act(self, observations: Sequence[dict[str, Any]], role: str = "coder") -> list[str]:
        fmt = self.prompt_format
        assert fmt is not None
        coder = role == "coder"
        prompts = [fmt.prompt(o) if coder else observation_messages(o, role) for o in observations]
        gens = self.policy.generate(prompts, temperature=self.temperature, max_new_tokens=self.max_new_tokens,
                                    return_logprobs=False, stop=fmt.stop)
        return [fmt.action(o, g.text) if coder else g.text for o, g in zip(observations, gens)]


class OpenAIAgent(Agent):
    """An OpenAI-compatible endpoint in ``mode`` ``"chat"`` (``/v1/chat/completions``) or ``"completion"``
    (``/v1/completions``: the model continues the task's prompt and the action is prompt + continuation). The
    requests of a batch go out concurrently.

    A server that cannot be reached, refuses the key or has no such model raises :class:`AgentEndpointError`. A
    request the server rejects (HTTP 400, e.g. a prompt over its context window) gives that observation an empty
    answer and a warning; when every request of a batch is rejected the error is raised instead (the mode does not
    fit the server).
    """

    def __init__(self, base_url: str, model: str, mode: str = "chat", temperature: float = 0.0,
                 max_tokens: int = 512, concurrency: int = 8, timeout_s: float = 120.0,
                 stop: Sequence[str] = ()) -> None:
        try:
            from openai import OpenAI
        except ImportError as exc:
            raise AgentSpecError("openai agents need the openai client: pip install 'codegym[agents]'") from exc
        if mode not in ENDPOINT_MODES.values():
            raise AgentSpecError(f"endpoint mode must be one of {', '.join(ENDPOINT_MODES.values())}, not {mode!r}")
        self.client = OpenAI(base_url=base_url, api_key=os.environ.get("OPENAI_API_KEY", "EMPTY"),
                             timeout=timeout_s, max_retries=1)
        self.base_url = base_url
        self.model = model
        self.name = model
        self.mode = mode
        self.prompt_format = PromptFormat(style=mode, stop=tuple(stop))  # type: ignore[arg-type]
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.concurrency = concurrency

    def act_one(self, observation: dict[str, Any], role: str = "coder") -> str:
        import openai

        fmt = self.prompt_format
        assert fmt is not None
        try:
            if self.mode == "chat":
                response = self.client.chat.completions.create(
                    model=self.model, messages=observation_messages(observation, role),  # type: ignore[arg-type]
                    temperature=self.temperature, max_tokens=self.max_tokens, stop=list(fmt.stop) or None)
                return response.choices[0].message.content or ""
            prompt = fmt.prompt(observation) if role == "coder" else str(observation.get("instruction") or
                                                                         observation.get("prompt", ""))
            completion = self.client.completions.create(model=self.model, prompt=prompt,
                                                        temperature=self.temperature, max_tokens=self.max_tokens,
                                                        stop=list(fmt.stop) or None)
            text = completion.choices[0].text or ""
            return fmt.action(observation, text) if role == "coder" else text
        except (openai.APIConnectionError, openai.AuthenticationError, openai.PermissionDeniedError,
                openai.NotFoundError) as exc:
            raise AgentEndpointError(self._explain(exc)) from None

    def _explain(self, exc: Exception) -> str:
        import openai

        route = "/chat/completions" if self.mode == "chat" else "/completions"
        if isinstance(exc, openai.APITimeoutError):
            return f"the endpoint {self.base_url} did not answer in time; is the server overloaded?"
        if isinstance(exc, openai.APIConnectionError):
            return (f"cannot reach the endpoint {self.base_url} ({_cause(exc)}); start the server or fix the URL in "
                    "the agent spec")
        if isinstance(exc, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return f"the endpoint {self.base_url} refused the API key; set OPENAI_API_KEY"
        return (f"the endpoint {self.base_url} has no model {self.model!r} or no {route} route "
                f"({_message(exc)}); check the MODEL after '#' and the mode (openai: or openai-completions:)")

    def act(self, observations: Sequence[dict[str, Any]], role: str = "coder") -> list[str]:
        import openai

        def one(obs: dict[str, Any]) -> str | openai.BadRequestError:
            try:
                return self.act_one(obs, role)
            except openai.BadRequestError as exc:  # one rejected request costs only its own answer
                return exc

        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            results = list(pool.map(one, observations))
        rejected = [r for r in results if isinstance(r, openai.BadRequestError)]
        if rejected and len(rejected) == len(results):
            raise AgentEndpointError(f"the endpoint {self.base_url} rejected every request of the batch "
                                     f"({_message(rejected[0])})")
        if rejected:
            warnings.warn(f"{len(rejected)} of {len(results)} requests to {self.base_url} were rejected and count "
                          f"as empty answers (first: {_message(rejected[0])})", RuntimeWarning, stacklevel=2)
        return ["" if isinstance(r, openai.BadRequestError) else r for r in results]

    def close(self) -> None:
        self.client.close()


def _cause(exc: BaseException) -> str:
    """The innermost cause's text (e.g. "Connection refused") of a client error."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(exc) or type(exc).__name__


def _message(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error", body)
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])
    return str(exc)


class CallableAgent(Agent):
    """A Python function ``f(observation) -> str`` or ``f(observation, role=...) -> str``."""

    def __init__(self, fn: Callable[..., str], name: str) -> None:
        self.fn = fn
        self.name = name
        try:
            self._takes_role = "role" in inspect.signature(fn).parameters
        except (TypeError, ValueError):
            self._takes_role = False

    def act_one(self, observation: dict[str, Any], role: str = "coder") -> str:
        action = self.fn(observation, role=role) if self._takes_role else self.fn(observation)
        if not isinstance(action, str):
            raise AgentSpecError(f"agent {self.name} returned {type(action).__name__}; it must return the answer "
                                 "text (str)")
        return action


_ROLE_SPEC = re.compile(r"^(?P<role>[A-Za-z_][A-Za-z0-9_]*)=(?P<spec>.+)$")
_CALLABLE = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<attr>[A-Za-z_][\w.]*)$")


def split_role(spec: str) -> tuple[str | None, str]:
    """``"coder=SPEC"`` -> ``("coder", "SPEC")``; a spec without a role -> ``(None, spec)``."""
    match = _ROLE_SPEC.match(spec)
    if match and spec.partition(":")[0] not in ENDPOINT_MODES:
        return match.group("role"), match.group("spec")
    return None, spec


def parse_agent_spec(spec: str, temperature: float = 0.0, max_new_tokens: int = 512,
                     device: str = "auto", prompt_style: str = "auto") -> Agent:
    """Build the agent a SPEC names (see the module docstring). ``prompt_style`` overrides the recorded prompt
    style of a local model."""
    spec = spec.strip()
    if not spec:
        raise AgentSpecError("empty agent spec; give a model path, openai:URL#MODEL or module:function")
    scheme, colon, rest = spec.partition(":")
    if colon and scheme in ENDPOINT_MODES:
        url, _, model = rest.partition("#")
        if not url.startswith(("http://", "https://")) or not model:
            raise AgentSpecError(f"agent spec {spec!r}: use {scheme}:http(s)://HOST:PORT/v1#MODEL_NAME")
        return OpenAIAgent(url, model, mode=ENDPOINT_MODES[scheme], temperature=temperature,
                           max_tokens=max_new_tokens)
    if Path(spec).exists():
        return LocalModelAgent(spec, temperature=temperature, max_new_tokens=max_new_tokens, device=device,
                               prompt_style=prompt_style)
    match = _CALLABLE.match(spec)
    if match:
        try:
            module = importlib.import_module(match.group("module"))
        except ImportError as exc:
            raise AgentSpecError(f"agent spec {spec!r}: cannot import module {match.group('module')!r} ({exc})") \
                from exc
        target: Any = module
        for part in match.group("attr").split("."):
            target = getattr(target, part, None)
            if target is None:
                raise AgentSpecError(f"agent spec {spec!r}: {match.group('module')} has no {match.group('attr')}")
        if not callable(target):
            raise AgentSpecError(f"agent spec {spec!r} is not callable")
        return CallableAgent(target, spec)
    if re.match(r"^[\w.-]+/[\w.-]+$", spec):  # a hub name such as Qwen/Qwen2.5-Coder-0.5B-Instruct
        return LocalModelAgent(spec, temperature=temperature, max_new_tokens=max_new_tokens, device=device,
                               prompt_style=prompt_style)
    raise AgentSpecError(f"agent spec {spec!r} is not an existing model directory, a hub name (owner/name), "
                         "openai:URL#MODEL, openai-completions:URL#MODEL or module:function")
