"""The retry policy: network errors, 5xx and 429 are retried with backoff; other 4xx are not."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from wanllmdb.rest import ApiError, RestClient, Transient, call_with_retry


def client_answering(*responses: httpx.Response | Exception) -> tuple[RestClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return RestClient("http://server.test", "wl_key", transport=httpx.MockTransport(handle)), seen


def test_5xx_429_and_connection_errors_are_retried_until_success() -> None:
    client, seen = client_answering(
        httpx.ConnectError("refused"),
        httpx.Response(503),
        httpx.Response(429, headers={"Retry-After": "0"}),
        httpx.Response(200, json={"status": "ok"}),
    )
    waits: list[float] = []
    result = call_with_retry(client.health, max_backoff_s=0.01, on_retry=lambda exc, wait: waits.append(wait))
    assert result == {"status": "ok"} and len(seen) == 4 and len(waits) == 3
    assert seen[0].headers["authorization"] == "Bearer wl_key"


def test_a_4xx_is_not_retried_and_carries_the_servers_error() -> None:
    body = {"error": {"code": "invalid", "message": "name: too long", "field": "name"}}
    client, seen = client_answering(httpx.Response(422, json=body))
    with pytest.raises(ApiError) as info:
        call_with_retry(client.health, max_backoff_s=0.01)
    assert (info.value.status, info.value.code, info.value.field) == (422, "invalid", "name")
    assert len(seen) == 1


def test_retries_stop_at_the_deadline() -> None:
    client, _ = client_answering(*[httpx.Response(500)] * 1000)
    t0 = time.monotonic()
    with pytest.raises(Transient):
        call_with_retry(client.health, deadline=time.monotonic() + 0.3, max_backoff_s=0.05)
    assert time.monotonic() - t0 < 2


def test_presigned_puts_do_not_carry_the_api_key(tmp_path: Path) -> None:
    f = tmp_path / "chunk.parquet"
    f.write_bytes(b"x" * 10)
    client, seen = client_answering(httpx.Response(200))
    client.put_blob(
        {"url": "http://blobs.test/k?sig=1", "method": "PUT", "headers": {"Content-Type": "a/b"}}, f, size=10
    )
    assert "authorization" not in seen[0].headers
    assert seen[0].headers["content-length"] == "10" and seen[0].headers["content-type"] == "a/b"
