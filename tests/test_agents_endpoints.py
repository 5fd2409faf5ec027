"""Endpoint agents against a small OpenAI-compatible server (stdlib http.server on loopback): both routes
(``openai:`` chat, ``openai-completions:`` completions), one rejected request, and an unreachable endpoint."""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytest.importorskip("openai")

from agents_cli import cli  # noqa: E402

from codegym.tasks.sources import load_tasks  # noqa: E402

TASKS = list(load_tasks("micro:2", seed=0))
REJECT = "REJECT-ME"


class FakeOpenAI(BaseHTTPRequestHandler):
    """Answers each task with its reference: a fenced program on /chat/completions, the body after the prompt on
    /completions. Records (route, request) pairs; a prompt containing REJECT gets HTTP 400."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, dict]] = []

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status: int, payload: dict) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):  # noqa: N802
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        route = self.path.rsplit("/v1", 1)[-1]
        self.seen.append((route, request))
        text = request["messages"][-1]["content"] if route == "/chat/completions" else request["prompt"]
        if REJECT in text:
            self._send(400, {"error": {"message": "prompt is longer than the context window",
                                       "type": "invalid_request_error"}})
            return
        task = next(t for t in TASKS if t.prompt.strip() in text)
        if route == "/chat/completions":
            choice = {"index": 0, "message": {"role": "assistant", "content": f"```python\n{task.reference}```"},
                      "finish_reason": "stop"}
            self._send(200, {"id": "c", "object": "chat.completion", "created": 0, "model": request["model"],
                             "choices": [choice]})
        elif route == "/completions":
            body = task.reference[len(task.prompt):]
            self._send(200, {"id": "c", "object": "text_completion", "created": 0, "model": request["model"],
                             "choices": [{"index": 0, "text": body, "finish_reason": "stop"}]})
        else:
            self._send(404, {"error": {"message": f"no route {self.path}"}})


@pytest.fixture
def fake_server():
    FakeOpenAI.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeOpenAI)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def _assert_reference_prefix(tasks):
    assert all(t.reference.startswith(t.prompt) for t in tasks)  # completion style needs prompt + body


@pytest.mark.parametrize("scheme, route", [("openai", "/chat/completions"),
                                          ("openai-completions", "/completions")])
def test_each_mode_uses_its_route_and_solves_the_tasks(fake_server, scheme, route, tmp_path, capsys):
    _assert_reference_prefix(TASKS)
    assert cli(["bench", "--env", "CodeGen-v0", "--agent", f"{scheme}:{fake_server}#m", "--tasks", "micro:2",
                "--output", str(tmp_path)]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("CodeGen-v0"))
    assert row.split()[2] == "1.000"
    assert {r for r, _ in FakeOpenAI.seen} == {route}
    if route == "/completions":
        # the raw task prompt, continued: no chat instruction around it
        assert sorted(req["prompt"] for _, req in FakeOpenAI.seen) == sorted(t.prompt for t in TASKS)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["agents"]["agent"]["prompt_style"] == ("chat" if scheme == "openai" else "completion")


def test_one_rejected_request_costs_only_its_answer(fake_server):
    from agents.agent_specs import AgentEndpointError, parse_agent_spec

    agent = parse_agent_spec(f"openai-completions:{fake_server}#m")
    observations = [{"prompt": TASKS[0].prompt}, {"prompt": REJECT + TASKS[1].prompt}]
    with pytest.warns(RuntimeWarning, match="1 of 2 requests .* context window"):
        answers = agent.act(observations)
    assert answers[0] == TASKS[0].reference and answers[1] == ""
    with pytest.raises(AgentEndpointError, match="rejected every request"):
        agent.act([{"prompt": REJECT}])
    agent.close()


def test_an_unreachable_endpoint_is_one_line_on_stderr(tmp_path, capsys):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code = cli(["bench", "--env", "CodeGen-v0", "--agent", f"openai:http://127.0.0.1:{port}/v1#m", "--tasks",
                "micro:1", "--output", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    assert lines[0].startswith("codegym bench: error: cannot reach the endpoint") and str(port) in lines[0]
