"""A webhook endpoint for tests, and a local server whose SSRF guard lets webhooks reach it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from tests.conftest import LocalServer, start_local_server

__all__ = ["Receiver", "hook_server"]


class Receiver:
    """A webhook endpoint on 127.0.0.1 that records what it got and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.got: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.got.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def wait(self, n: int, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while len(self.got) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.got) >= n, self.got


def hook_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[LocalServer]:
    """A module's server (use as a fixture's body: `yield from hook_server(...)`). Receivers listen on
    127.0.0.1, which the SSRF guard refuses unless an operator allows it."""
    server = start_local_server(
        tmp_path_factory.mktemp(name) / "data", env={"WANLLMDB_WEBHOOK_ALLOW_PRIVATE": "true"}
    )
    yield server
    server.stop()
