"""Fake HTTP peers on 127.0.0.1: the Slack Web API, the Bot Framework connector and
token service, and an OpenID metadata / JWKS server. Each records what it was sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

Route = Callable[[str, dict[str, Any]], tuple[int, dict[str, Any]]]


class Peer:
    """An HTTP server answering POST and GET with a routing function; calls are recorded."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.calls: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                body: dict[str, Any]
                if self.path.startswith("/upload"):
                    body = {"_bytes": len(raw)}
                elif "json" in ctype and raw:
                    body = json.loads(raw)
                elif "x-www-form-urlencoded" in ctype:
                    body = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
                else:
                    body = {"_bytes": len(raw)}
                with peer.lock:
                    peer.calls.append((self.path, body, dict(self.headers)))
                status, answer = peer.route(self.path, body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_GET = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def paths(self, prefix: str = "") -> list[str]:
        with self.lock:
            return [p for p, _, _ in self.calls if p.startswith(prefix)]

    def bodies(self, path: str) -> list[dict[str, Any]]:
        with self.lock:
            return [b for p, b, _ in self.calls if p.startswith(path)]

    def wait_for(self, path: str, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.bodies(path)
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(
            f"{path} called {len(self.bodies(path))} times, expected {count}: {self.paths()}"
        )


@contextmanager
def serve(route: Route) -> Iterator[Peer]:
    peer = Peer(route)
    thread = threading.Thread(target=peer.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield peer
    finally:
        peer.server.shutdown()
        peer.server.server_close()
        thread.join(5)


def slack_api(path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Enough of the Slack Web API for the bot."""
    method = path.rsplit("/", 1)[-1]
    if method == "auth.test":
        return 200, {"ok": True, "user_id": "UBOT", "bot_id": "BBOT", "team_id": "T1"}
    if method == "chat.postMessage":
        return 200, {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
    if method == "files.getUploadURLExternal":
        return 200, {"ok": True, "upload_url": UPLOAD_URL.get("url", ""), "file_id": "F1"}
    if method == "files.completeUploadExternal":
        return 200, {"ok": True, "files": [{"id": "F1", "title": "chart"}]}
    return 200, {"ok": True}


UPLOAD_URL: dict[str, str] = {}  # set by the test to its peer's /upload
