"""The embedded server's presigned blob endpoint, over real HTTP against a real `wanllmdb server`."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import httpx
import pytest

from tests.conftest import LocalServer
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core.settings import load_settings


def _store(server: LocalServer) -> LocalBlobStore:
    # The same secret file and lake the server uses: this is how the grant service signs URLs.
    storage = build_storage(load_settings(data_dir=server.data_dir, public_url=server.url))
    assert isinstance(storage.blobs, LocalBlobStore)
    return storage.blobs


def _with_query(url: str, **changes: str) -> str:
    parts = urlparse(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunparse(parts._replace(query=urlencode(query)))


def _assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["message"]


def test_presigned_put_then_get_round_trip(module_server: LocalServer) -> None:
    store = _store(module_server)
    data = b"parquet bytes" * 100
    grant = store.presign_put(
        "metrics/project=p/run=r/stream=history/chunk-a0000-000000000.parquet",
        expires_s=60,
        content_length=len(data),
        content_type="application/octet-stream",
        sha256_hex=hashlib.sha256(data).hexdigest(),
    )
    assert httpx.put(grant.url, content=data, headers=grant.headers).status_code == 200
    got = httpx.get(
        store.presign_get(
            "metrics/project=p/run=r/stream=history/chunk-a0000-000000000.parquet", expires_s=60
        ).url
    )
    assert got.status_code == 200
    assert got.content == data


def test_tampered_grant_is_refused_with_403(module_server: LocalServer) -> None:
    store = _store(module_server)
    grant = store.presign_put("files/r/a.txt", expires_s=60, content_length=5, content_type="text/plain")
    other_key = grant.url.replace("files/r/a.txt", "files/r/b.txt")
    _assert_error(httpx.put(other_key, content=b"hello"), 403, "forbidden")
    longer = _with_query(grant.url, **{"X-Wl-Max-Length": "5000"})
    _assert_error(httpx.put(longer, content=b"hello"), 403, "forbidden")
    later = _with_query(grant.url, **{"X-Wl-Expires": str(int(time.time()) + 9999)})
    _assert_error(httpx.put(later, content=b"hello"), 403, "forbidden")
    assert store.head("files/r/a.txt") is None
    assert store.head("files/r/b.txt") is None


def test_expired_grant_is_refused_with_403(module_server: LocalServer) -> None:
    store = _store(module_server)
    grant = store.presign_put("files/r/late.txt", expires_s=1, content_length=5, content_type="text/plain")
    time.sleep(2.1)
    response = httpx.put(grant.url, content=b"hello")
    _assert_error(response, 403, "forbidden")
    assert response.json()["error"]["field"] == "X-Wl-Expires"


def test_oversize_body_is_refused_with_413_and_nothing_is_stored(module_server: LocalServer) -> None:
    store = _store(module_server)
    grant = store.presign_put("files/r/small.bin", expires_s=60, content_length=10, content_type="text/plain")
    _assert_error(httpx.put(grant.url, content=b"x" * 11), 413, "too_large")

    def chunked() -> object:
        yield b"x" * 8
        yield b"x" * 8

    _assert_error(httpx.put(grant.url, content=chunked()), 413, "too_large")  # no Content-Length up front
    assert store.head("files/r/small.bin") is None


def test_body_not_matching_granted_sha256_is_refused(module_server: LocalServer) -> None:
    store = _store(module_server)
    grant = store.presign_put(
        "files/r/h.bin",
        expires_s=60,
        content_length=5,
        content_type="text/plain",
        sha256_hex=hashlib.sha256(b"hello").hexdigest(),
    )
    _assert_error(httpx.put(grant.url, content=b"HELLO"), 400, "invalid")
    assert store.head("files/r/h.bin") is None


@pytest.mark.parametrize(
    "path", ["..%2F..%2Fetc%2Fpasswd", "a/%2E%2E/%2E%2E/x", "a/..%2F..%2Fb", "nul%00key"]
)
def test_traversal_key_is_refused_with_error_body(module_server: LocalServer, path: str) -> None:
    store = _store(module_server)
    grant = store.presign_put("files/r/ok.txt", expires_s=60, content_length=2, content_type="text/plain")
    query = urlparse(grant.url).query
    response = httpx.put(f"{module_server.url}/api/blobs/{path}?{query}", content=b"hi")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    assert not any(Path("/etc").glob("passwd.*wl*"))


def test_multipart_upload_through_presigned_part_urls(module_server: LocalServer) -> None:
    store = _store(module_server)
    upload_id = store.create_multipart("files/r/big.bin", content_type="application/octet-stream")
    bodies = [b"a" * 1000, b"b" * 10]
    parts = []
    for number, body in enumerate(bodies, start=1):
        grant = store.presign_part(
            "files/r/big.bin", upload_id, number, expires_s=60, content_length=len(body)
        )
        response = httpx.put(grant.url, content=body)
        assert response.status_code == 200, response.text
        parts.append((number, response.headers["ETag"]))
    # A part URL cannot be replayed against another part number.
    replay = _with_query(grant.url, partNumber="3")
    _assert_error(httpx.put(replay, content=b"c"), 403, "forbidden")
    store.complete_multipart("files/r/big.bin", upload_id, parts)
    assert store.get("files/r/big.bin") == b"".join(bodies)


def test_get_with_put_signature_is_refused(module_server: LocalServer) -> None:
    store = _store(module_server)
    store.put("files/r/secret.txt", b"s")
    grant = store.presign_put("files/r/secret.txt", expires_s=60, content_length=1, content_type="text/plain")
    response = httpx.get(grant.url)
    assert response.status_code in (400, 403)


def test_a_saved_html_file_downloads_sandboxed_and_unsniffable(module_server: LocalServer) -> None:
    # The stored-XSS report: a save()d .html served inline as text/html ran with the viewer's session.
    store = _store(module_server)
    key = "files/project=p/run=r/report.html"
    store.put(key, b"<script>fetch('/api/auth/me')</script>", content_type="text/html")
    got = httpx.get(store.presign_get(key, expires_s=60).url)
    assert got.status_code == 200
    assert got.headers["content-type"].split(";")[0] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    # The user-content sandbox, not the dashboard's own policy, which would let it run as the site.
    assert got.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert got.headers["referrer-policy"] == "no-referrer"
