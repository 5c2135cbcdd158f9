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


def test_s3_get_grant_signs_an_attachment_of_a_passive_type() -> None:
    with mock_aws():
        store = S3BlobStore("lake", region="us-east-1")
        html = store.presign_get("files/project=p/run=r/report.html", expires_s=60)
        svg = store.presign_get("files/project=p/run=r/chart.svg", expires_s=60)
        png = store.presign_get("files/project=p/run=r/loss.png", expires_s=60)
    for grant, name in ((html, "report.html"), (svg, "chart.svg"), (png, "loss.png")):
        query = parse_qs(urlparse(grant.url).query)
        # Query parameters are covered by the SigV4 signature: a client cannot strip or change them.
        assert query["response-content-disposition"] == [
            f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
        ]
        assert "X-Amz-Signature" in query
    assert parse_qs(urlparse(html.url).query)["response-content-type"] == ["application/octet-stream"]
    assert parse_qs(urlparse(svg.url).query)["response-content-type"] == ["application/octet-stream"]
    assert parse_qs(urlparse(png.url).query)["response-content-type"] == ["image/png"]
