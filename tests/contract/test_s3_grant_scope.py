"""S3 grant scoping, checked on the generated URL: moto does not verify signatures, expiry or length."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlparse

from moto import mock_aws

from wanllmdb_functions.adapters.s3_blobs import S3BlobStore


def test_s3_grant_signs_key_length_and_checksum() -> None:
    with mock_aws():
        store = S3BlobStore("lake", region="us-east-1")
        digest = hashlib.sha256(b"chunk").hexdigest()
        grant = store.presign_put(
            "metrics/project=p/run=r/stream=history/chunk-a0000-000000001.parquet",
            expires_s=600,
            content_length=5,
            content_type="application/vnd.apache.parquet",
            sha256_hex=digest,
        )
    url = urlparse(grant.url)
    query = parse_qs(url.query)
    assert url.path.endswith(
        "/metrics/project%3Dp/run%3Dr/stream%3Dhistory/chunk-a0000-000000001.parquet"
    ) or url.path.endswith("/metrics/project=p/run=r/stream=history/chunk-a0000-000000001.parquet")
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["600"]
    signed = query["X-Amz-SignedHeaders"][0].split(";")
    # Signed headers bind the grant: another size, type or body fails S3's signature check.
    assert {"content-length", "content-type", "host", "x-amz-checksum-sha256"} <= set(signed)
    assert grant.headers["Content-Length"] == "5"
    assert grant.headers["x-amz-checksum-sha256"]
