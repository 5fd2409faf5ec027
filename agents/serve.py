"""A minimal OpenAI-compatible HTTP server for a local model (stdlib ``http.server``), for tests and demos.

    python -m agents.serve --model runs/train/final --port 8000
    codegym bench --env CodeGen-v0 --agent openai-completions:http://127.0.0.1:8000/v1#final

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (``messages``, ``temperature``, ``top_p``,
``max_tokens``/``max_completion_tokens``, ``n``, ``stop``) and ``POST /v1/completions`` (``prompt``, the same
sampling fields). The model is served the way its directory says it is prompted (``prompt_format.json``, see
:mod:`agents.prompting`): a completion-style model (the tiny model, anything ``codegym train`` trained
completion-style) answers ``/v1/completions`` and refuses chat requests with a 400 that says so, rather than answer
through a chat template it never saw; ``/v1/models`` reports the format; its stop sequences apply unless a request
gives ``stop``. ``--prompt-style`` overrides the record. It binds to 127.0.0.1 by default; generation is serialised
with a lock (one model, one request at a time). Not a production server: use vLLM or TGI for real models.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from agents.policy import Policy
from agents.prompting import PROMPT_STYLES

#: Upper bound on max_tokens a request may ask for (keeps a stray request from pinning the CPU).
MAX_TOKENS_CAP = 4096
#: Largest request body accepted, in bytes.
MAX_BODY_BYTES = 4 << 20


class ModelServer(ThreadingHTTPServer):
    """An HTTP server bound to one :class:`~agents.policy.Policy`."""

    daemon_threads = True

    def __init__(self, policy: Policy, model_name: str, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _Handler)
        self.policy = policy
        self.model_name = model_name
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/v1"


class _Handler(BaseHTTPRequestHandler):
    server: ModelServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet by default
        pass

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": {"message": message, "type": "invalid_request_error", "code": status}})

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path.rstrip("/") in ("/v1/models", "/models"):
            fmt = self.server.policy.prompt_format
            self._send(200, {"object": "list", "data": [{"id": self.server.model_name, "object": "model",
                                                         "owned_by": "codegym",
                                                         "prompt_format": {"style": fmt.style,
                                                                           "stop": list(fmt.stop)}}]})
        elif self.path.rstrip("/") in ("/health", "/v1/health"):
            self._send(200, {"status": "ok"})
        else:
            self._error(404, f"no route {self.path}")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY_BYTES:
            self._error(400, f"request body must be 1..{MAX_BODY_BYTES} bytes of JSON")
            return
        try:
            request = json.loads(self.rfile.read(length))
            if not isinstance(request, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as exc:
            self._error(400, f"bad JSON: {exc}")
            return
        route = self.path.rstrip("/")
        try:
            if route in ("/v1/chat/completions", "/chat/completions"):
                self._send(200, self._chat(request))
            elif route in ("/v1/completions", "/completions"):
                self._send(200, self._completion(request))
            else:
                self._error(404, f"no route {self.path}")
        except (ValueError, TypeError, KeyError) as exc:
            self._error(400, str(exc))

    def _sampling(self, request: dict[str, Any]) -> dict[str, Any]:
        max_tokens = request.get("max_completion_tokens") or request.get("max_tokens") or 256
        n = int(request.get("n") or 1)
        if not 1 <= n <= 16:
            raise ValueError("n must be between 1 and 16")
        temperature = float(request.get("temperature", 1.0))
        stop = request.get("stop")
        if isinstance(stop, str):
            stop = [stop]
        if stop is not None and (not isinstance(stop, list) or not all(isinstance(x, str) and x for x in stop)):
            raise ValueError("stop must be a string or a list of non-empty strings")
        return {"temperature": temperature, "top_p": float(request.get("top_p", 1.0)),
                "max_new_tokens": max(1, min(int(max_tokens), MAX_TOKENS_CAP)), "num_samples": n,
                "return_logprobs": False, "stop": stop}

    def _generate(self, prompt: Any, request: dict[str, Any]):
        with self.server.lock:
            return self.server.policy.generate([prompt], **self._sampling(request))

    def _chat(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.server.policy.prompt_format.style != "chat":
            raise ValueError(f"model {self.server.model_name} is prompted completion-style (its prompt_format.json);"
                             " send /v1/completions requests (agent spec openai-completions:URL#MODEL), or serve it "
                             "with --prompt-style chat")
        messages = request.get("messages")
        if not isinstance(messages, list) or not messages or \
                not all(isinstance(m, dict) and "role" in m and "content" in m for m in messages):
            raise ValueError("messages must be a non-empty list of {role, content} objects")
        clean = [{"role": str(m["role"]), "content": _content_text(m["content"])} for m in messages]
        gens = self._generate(clean, request)
        choices = [{"index": i, "message": {"role": "assistant", "content": g.text},
                    "finish_reason": "length" if g.truncated else "stop", "logprobs": None}
                   for i, g in enumerate(gens)]
        return self._envelope("chat.completion", choices, gens)

    def _completion(self, request: dict[str, Any]) -> dict[str, Any]:
        prompt = request.get("prompt")
        if not isinstance(prompt, str):
            raise ValueError("prompt must be a string")
        gens = self._generate(prompt, request)
        choices = [{"index": i, "text": g.text, "finish_reason": "length" if g.truncated else "stop",
                    "logprobs": None} for i, g in enumerate(gens)]
        return self._envelope("text_completion", choices, gens)

    def _envelope(self, kind: str, choices: list[dict[str, Any]], gens: list[Any]) -> dict[str, Any]:
        prompt_tokens = len(gens[0].prompt_ids) if gens else 0
        completion_tokens = sum(len(g.completion_ids) for g in gens)
        return {"id": f"cmpl-{uuid.uuid4().hex[:24]}", "object": kind, "created": int(time.time()),
                "model": self.server.model_name, "choices": choices,
                "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                          "total_tokens": prompt_tokens + completion_tokens}}


def _content_text(content: Any) -> str:
    """Message content as text (OpenAI also allows a list of ``{"type": "text", "text": ...}`` parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    raise ValueError("message content must be a string or a list of text parts")


def start_server(model: str | Policy, host: str = "127.0.0.1", port: int = 0, model_name: str | None = None,
                 device: str = "cpu", prompt_style: str = "auto") -> tuple[ModelServer, threading.Thread]:
    """Start serving in a background thread; ``port=0`` picks a free port (read it from ``server.url``).
    ``prompt_style`` overrides the model's recorded one. Stop with ``server.shutdown(); server.server_close()``."""
    policy = model if isinstance(model, Policy) else Policy.from_pretrained(model, device=device)
    policy.prompt_format = policy.prompt_format.with_overrides(prompt_style)
    server = ModelServer(policy, model_name or policy.name, host, port)
    thread = threading.Thread(target=server.serve_forever, name="codegym-serve", daemon=True)
    thread.start()
    return server, thread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="model directory or hub name")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--name", default=None, help="model name reported by the API (default: directory name)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--prompt-style", choices=("auto", *PROMPT_STYLES), default="auto",
                        help="how the model is prompted (default: as its directory records)")
    args = parser.parse_args(argv)
    policy = Policy.from_pretrained(args.model, device=args.device)
    policy.prompt_format = policy.prompt_format.with_overrides(args.prompt_style)
    server = ModelServer(policy, args.name or policy.name, args.host, args.port)
    print(f"serving {server.model_name} ({policy.prompt_format.style} style) at {server.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
