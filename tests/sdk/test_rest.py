"""The REST client: retry policy (network errors, 5xx and 429 retried with backoff; other 4xx not),
what each request carries, and the urllib3 transport against a real socket."""

from __future__ import annotations

import http.server
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from tests.conftest import free_port
from wanllmdb.rest import ApiError, Response, RestClient, Transient, call_with_retry


@dataclass
class Seen:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None


class ScriptedTransport:
    """Answers each request with the next scripted Response, or raises the next exception."""

    def __init__(self, *answers: Response | Exception) -> None:
        self.answers = list(answers)
        self.seen: list[Seen] = []

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | IO[bytes] | None,
        timeout_s: float,
    ) -> Response:
        data = body.read() if body is not None and not isinstance(body, bytes) else body
        self.seen.append(Seen(method, url, headers, data))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def close(self) -> None:
        pass


def client_answering(*answers: Response | Exception) -> tuple[RestClient, list[Seen]]:
    transport = ScriptedTransport(*answers)
    return RestClient("http://server.test", "wl_key", transport=transport), transport.seen


def test_5xx_429_and_connection_errors_are_retried_until_success() -> None:
    client, seen = client_answering(
        Transient("ConnectionRefusedError: refused"),
        Response(503),
        Response(429, headers={"retry-after": "0"}),
        Response(200, b'{"status": "ok"}'),
    )
    waits: list[float] = []
    result = call_with_retry(client.health, max_backoff_s=0.01, on_retry=lambda exc, wait: waits.append(wait))
    assert result == {"status": "ok"} and len(seen) == 4 and len(waits) == 3
    assert seen[0].headers["Authorization"] == "Bearer wl_key"
    assert seen[0].url == "http://server.test/api/health"


def test_a_4xx_is_not_retried_and_carries_the_servers_error() -> None:
    body = b'{"error": {"code": "invalid", "message": "name: too long", "field": "name"}}'
    client, seen = client_answering(Response(422, body))
    with pytest.raises(ApiError) as info:
        call_with_retry(client.health, max_backoff_s=0.01)
    assert (info.value.status, info.value.code, info.value.field) == (422, "invalid", "name")
    assert len(seen) == 1


def test_retries_stop_at_the_deadline() -> None:
    client, _ = client_answering(*[Response(500)] * 1000)
    t0 = time.monotonic()
    with pytest.raises(Transient):
        call_with_retry(client.health, deadline=time.monotonic() + 0.3, max_backoff_s=0.05)
    assert time.monotonic() - t0 < 2


def test_json_bodies_and_the_project_id_travel_with_the_call() -> None:
    client, seen = client_answering(Response(200, b"{}"))
    client.patch_run("r1", {"state": "finished"}, project_id="p 1")
    assert seen[0].method == "PATCH" and seen[0].url == "http://server.test/api/runs/r1?project_id=p+1"
    assert seen[0].headers["Content-Type"] == "application/json"
    assert seen[0].body == b'{"state":"finished"}'


def test_presigned_puts_do_not_carry_the_api_key(tmp_path: Path) -> None:
    f = tmp_path / "chunk.parquet"
    f.write_bytes(b"x" * 10)
    client, seen = client_answering(Response(200))
    client.put_blob(
        {"url": "http://blobs.test/k?sig=1", "method": "PUT", "headers": {"Content-Type": "a/b"}}, f, size=10
    )
    assert "Authorization" not in seen[0].headers and seen[0].body == b"x" * 10
    assert seen[0].headers["Content-Length"] == "10" and seen[0].headers["Content-Type"] == "a/b"


# -- the real transport (urllib3) against sockets on 127.0.0.1 ---------------------------------------------
class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so connection reuse is visible
    peers: set[Any] = set()
    bodies: list[bytes] = []

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.peers.add(self.client_address)
        if self.path.endswith("/slow"):
            time.sleep(1.0)
        self._answer(200, b'{"status": "ok"}')

    def do_PUT(self) -> None:
        self.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
        self._answer(200, b"")

    def log_message(self, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up on /slow on purpose makes the late answer fail with a broken pipe, up
        # to a second after the test: printed, it would land in whatever test runs next (capfd).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def http_server() -> Iterator[str]:
    _Handler.peers, _Handler.bodies = set(), []
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_urllib3_transport_reuses_one_connection(http_server: str, tmp_path: Path) -> None:
    client = RestClient(http_server, "wl_key")
    for _ in range(5):
        assert client.health() == {"status": "ok"}
    assert len(_Handler.peers) == 1
    f = tmp_path / "chunk.parquet"
    f.write_bytes(b"y" * 100_000)
    client.put_blob({"url": f"{http_server}/blob?sig=1"}, f, size=100_000)
    assert _Handler.bodies == [b"y" * 100_000]
    client.close()


def test_a_server_that_is_down_or_slow_is_transient(http_server: str) -> None:
    down = RestClient(f"http://127.0.0.1:{free_port()}", None, timeout_s=1.0)
    with pytest.raises(Transient):
        down.health()
    slow = RestClient(http_server, None, timeout_s=0.2)
    t0 = time.monotonic()
    with pytest.raises(Transient):
        slow.call("GET", "/slow")
    assert time.monotonic() - t0 < 0.9
