"""The BlobStore upload contract, over real HTTP: what a client does with presigned PUT and part URLs.

Artifacts and media upload this way, so both adapters must answer the same: a presigned PUT stores
the body, and a multipart upload's part URLs answer with the ETag that `complete_multipart` takes.
"""

from __future__ import annotations

import hashlib

import httpx

from wanllmdb_functions.ports import BlobStore

# S3 refuses parts under 5 MiB except the last, so the first part is exactly that.
PARTS = [b"a" * (5 << 20), b"tail"]


def test_presigned_put_stores_the_body(served_blob_store: BlobStore) -> None:
    body = b"artifact bytes"
    grant = served_blob_store.presign_put(
        "artifacts/a/v0/model.bin",
        expires_s=60,
        content_length=len(body),
        content_type="application/octet-stream",
        sha256_hex=hashlib.sha256(body).hexdigest(),
    )
    response = httpx.request(grant.method, grant.url, content=body, headers=grant.headers)
    assert response.status_code == 200, response.text
    assert served_blob_store.get("artifacts/a/v0/model.bin") == body


def test_multipart_upload_through_presigned_part_urls(served_blob_store: BlobStore) -> None:
    key = "artifacts/a/v1/weights.bin"
    upload_id = served_blob_store.create_multipart(key, content_type="application/octet-stream")
    parts = []
    # Out of order on purpose: parts may arrive in any order; completion orders them by number.
    for number, body in reversed(list(enumerate(PARTS, start=1))):
        grant = served_blob_store.presign_part(key, upload_id, number, expires_s=60, content_length=len(body))
        response = httpx.request(grant.method, grant.url, content=body, headers=grant.headers)
        assert response.status_code == 200, response.text
        parts.append((number, response.headers["ETag"]))
    assert served_blob_store.head(key) is None  # nothing is visible before completion
    served_blob_store.complete_multipart(key, upload_id, parts)
    assert served_blob_store.get(key) == b"".join(PARTS)
    served_blob_store.copy(key, "artifacts/a/latest/weights.bin")
    info = served_blob_store.head("artifacts/a/latest/weights.bin")
    assert info is not None and info.size == sum(map(len, PARTS))
