"""Matrix rows of the embedded blob endpoint: its presigned signature is the credential, not a bearer."""

from __future__ import annotations

from urllib.parse import urlsplit

from wanllmdb_functions.adapters.local_blobs import LocalBlobStore

from . import Call, Ctx, Row, public_rule


def _relative(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _store(ctx: Ctx) -> LocalBlobStore:
    store = ctx.client.app.state.wl.storage.blobs  # type: ignore[attr-defined]
    assert isinstance(store, LocalBlobStore)
    return store


def _signed_put(ctx: Ctx, actor: str | None, case: str) -> Call:
    grant = _store(ctx).presign_put(
        f"matrix/{ctx.unique('o')}", expires_s=60, content_length=3, content_type="text/plain"
    )
    return Call(_relative(grant.url), content=b"abc", headers=grant.headers)


def _signed_get(ctx: Ctx, actor: str | None, case: str) -> Call:
    key = f"matrix/{ctx.unique('o')}"
    _store(ctx).put(key, b"abc")
    grant = _store(ctx).presign_get(key, expires_s=60)
    return Call(_relative(grant.url))


ROWS = [
    Row("PUT", "/api/blobs/{key}", public_rule(), _signed_put),
    Row("GET", "/api/blobs/{key}", public_rule(), _signed_get),
]
