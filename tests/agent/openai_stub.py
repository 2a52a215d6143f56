"""A scripted OpenAI-compatible server on 127.0.0.1 for planner tests.

It speaks the real ``POST /v1/chat/completions`` wire format (non-streaming): each
request gets the next reply of a script (tool calls, text, an HTTP error, or a function
of the request that returns one, e.g. a text built from the tool results sent) and is
recorded with its headers and JSON body, so tests can check what the client sent:
the tools offered, the messages, tool results with their ``tool_call_id``, the model
and the ``Authorization`` header.

    with ScriptedOpenAI([tool_calls(("forecast_cash", {"horizon_days": 91})),
                         text("Cash ...")]) as server:
        settings = Settings(llm_provider="openai", openai_base_url=server.base_url)
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias

__all__ = [
    "Recorded",
    "Reply",
    "ScriptedOpenAI",
    "failure",
    "raw_tool_calls",
    "slow",
    "text",
    "tool_calls",
]

_ids = itertools.count(1)
Reply: TypeAlias = "dict[str, Any] | Callable[[Recorded], dict[str, Any]]"


def _message(content: str | None, calls: list[dict[str, Any]] | None) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if calls:
        message["tool_calls"] = calls
    return {
        "status": 200,
        "body": {
            "object": "chat.completion",
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": "tool_calls" if calls else "stop",
                }
            ],
        },
    }


def tool_calls(*calls: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """A reply calling ``(name, args)`` tools, arguments encoded as the JSON string the
    protocol uses."""
    return raw_tool_calls(*((name, json.dumps(args)) for name, args in calls))


def raw_tool_calls(*calls: tuple[str, str]) -> dict[str, Any]:
    """A reply whose tool-call arguments are sent verbatim (to script malformed JSON)."""
    return _message(
        None,
        [
            {
                "id": f"call_{next(_ids):06d}",
                "type": "function",
                "function": {"name": name, "arguments": arguments},
            }
            for name, arguments in calls
        ],
    )


def text(content: str) -> dict[str, Any]:
    """A final reply with text and no tool call."""
    return _message(content, None)


def failure(status: int, message: str = "scripted failure", **headers: str) -> dict[str, Any]:
    """An HTTP error with the OpenAI error body (``retry_after_ms="1"`` keeps retries fast)."""
    kind = "rate_limit_exceeded" if status == 429 else "invalid_request_error"
    return {
        "status": status,
        "headers": headers,
        "body": {"error": {"message": message, "type": kind, "param": None, "code": None}},
    }


def slow(reply: dict[str, Any], seconds: float) -> dict[str, Any]:
    """``reply`` sent only after ``seconds`` (to script a timeout)."""
    return {**reply, "delay": seconds}


class _Server(ThreadingHTTPServer):
    # Handler threads may sit on a client's idle keep-alive connection: never wait for them.
    daemon_threads = True
    block_on_close = False


@dataclass(frozen=True)
class Recorded:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def tool_names(self) -> list[str]:
        return [t["function"]["name"] for t in self.body.get("tools", [])]

    def tool_results(self) -> dict[str, dict[str, Any]]:
        """The ``tool`` messages' JSON contents by ``tool_call_id``."""
        return {
            m["tool_call_id"]: json.loads(m["content"])
            for m in self.messages
            if m.get("role") == "tool"
        }


@dataclass
class ScriptedOpenAI:
    """The server; use as a context manager (it binds a free port on 127.0.0.1)."""

    script: list[Reply] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    _server: _Server | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def reset(self, *replies: Reply) -> None:
        """Forget earlier requests and replies; answer the next requests with ``replies``."""
        with self._lock:
            self.script[:] = list(replies)
            self.requests.clear()

    def _next(self, recorded: Recorded) -> dict[str, Any]:
        with self._lock:
            self.requests.append(recorded)
            if recorded.method != "POST" or recorded.path != "/v1/chat/completions":
                return failure(404, f"no route {recorded.method} {recorded.path}")
            if recorded.body.get("stream"):
                return failure(400, "this server replies without streaming")
            if not self.script:
                return failure(400, "no scripted reply left")
            reply = self.script.pop(0)
        return reply(recorded) if callable(reply) else reply

    def __enter__(self) -> ScriptedOpenAI:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # an idle keep-alive connection ends its thread

            def _handle(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(size) if size else b""
                try:
                    body = json.loads(raw) if raw else {}
                except json.JSONDecodeError:
                    body = {"unparsed": raw.decode("utf-8", "replace")}
                path = self.path.split("?", 1)[0]
                headers = {k.lower(): v for k, v in self.headers.items()}
                reply = stub._next(Recorded(self.command, path, headers, body))
                time.sleep(float(reply.get("delay", 0)))
                payload = dict(reply["body"])
                if reply["status"] == 200:
                    prompt = len(raw) // 4  # a token is about four bytes
                    payload |= {
                        "id": f"chatcmpl-{next(_ids):06d}",
                        "created": int(time.time()),
                        "model": body.get("model", "stub"),
                        "usage": {
                            "prompt_tokens": prompt,
                            "completion_tokens": 8,
                            "total_tokens": prompt + 8,
                        },
                    }
                data = json.dumps(payload).encode()
                self.send_response(reply["status"])
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.get("headers", {}).items():
                    self.send_header(name.replace("_", "-"), value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out
                    self.close_connection = True

            do_POST = _handle
            do_GET = _handle

            def log_message(self, format: str, *args: Any) -> None:  # quiet tests
                return

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
