"""Retries after a lost response: the server did the work, the client never heard. Nothing may count twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from tests.sdk.test_online import get_run, start

pytestmark = pytest.mark.slow


class LosingProxy(ThreadingHTTPServer):
    """Forwards every request to `upstream`; for the first `drop` run creates it forwards the request
    and then hangs up instead of answering, as a dropped connection or a gateway timeout would."""

    daemon_threads = True

    def __init__(self, upstream: str, drop: int) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream = httpx.Client(base_url=upstream, timeout=30)
        self.drop = drop
        self.dropped = 0
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def should_drop(self, method: str, path: str) -> bool:
        with self.lock:
            if method == "POST" and path.split("?")[0].endswith("/runs") and self.dropped < self.drop:
                self.dropped += 1
                return True
            return False


class _Forward(BaseHTTPRequestHandler):
    server: LosingProxy

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        resp = self.server.upstream.request(self.command, self.path, content=body, headers=headers)
        if self.server.should_drop(self.command, self.path):
            self.close_connection = True  # the work is done upstream; the client hears nothing
            return
        self.send_response(resp.status_code)
        for key, value in resp.headers.items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(resp.content)))
        self.end_headers()
        self.wfile.write(resp.content)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def proxy(module_server: LocalServer) -> Iterator[LosingProxy]:
    server = LosingProxy(module_server.url, drop=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.upstream.close()


def test_a_create_whose_answer_was_lost_is_not_counted_as_a_resume(
    module_server: LocalServer, proxy: LosingProxy, tmp_path: Path
) -> None:
    run = start(module_server, tmp_path, id="lost-create", resume="allow", settings={"base_url": proxy.url})
    run.log({"loss": 1.0})
    run.finish()
    assert proxy.dropped == 2  # the first create and its first retry both did the work unheard
    server_run = get_run(module_server, "lost-create")
    assert (server_run["attempt"], server_run["state"]) == (0, "finished")


def test_a_resume_whose_answer_was_lost_counts_one_attempt(
    module_server: LocalServer, proxy: LosingProxy, tmp_path: Path
) -> None:
    first = start(module_server, tmp_path / "a", id="lost-resume", resume="allow")
    first.finish()
    again = start(
        module_server, tmp_path / "b", id="lost-resume", resume="allow", settings={"base_url": proxy.url}
    )
    again.log({"loss": 0.5})
    again.finish()
    assert proxy.dropped == 2
    assert get_run(module_server, "lost-resume")["attempt"] == 1
