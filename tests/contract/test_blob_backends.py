"""What the shared contract cannot say about each cloud: Azurite refuses bad SAS, the GCS V4 signature
recomputed independently, MinIO's path-style URLs, and signed URLs kept out of logs."""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.contract.conftest import emulated_store
from tests.contract.emulators import fake_service_account
from wanllmdb_functions.adapters.azure_blobs import AzureBlobStore
from wanllmdb_functions.adapters.azure_sas import blob_sas
from wanllmdb_functions.adapters.gcs_signing import MAX_EXPIRES_S, GcsSigner
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore


@pytest.fixture
def azure(request: pytest.FixtureRequest) -> AzureBlobStore:
    store = emulated_store(request, "azure")
    assert isinstance(store, AzureBlobStore)
    store.put("ok/a.txt", b"secret-a")
    store.put("ok/b.txt", b"secret-b")
    return store


def _sas_url(
    store: AzureBlobStore, key: str, *, signed_for: str | None = None, now: datetime | None = None
) -> str:
    query, _ = blob_sas(
        store.account, store._key, store.container, f"tenant/{signed_for or key}",
        permissions="r", expires_s=60, now=now,
    )  # fmt: skip
    return f"{store.blob_url(key)}?{query}"


def test_azurite_serves_a_good_sas(azure: AzureBlobStore) -> None:
    grant = azure.presign_get("ok/a.txt", expires_s=60)
    resp = httpx.get(grant.url)
    assert resp.status_code == 200 and resp.content == b"secret-a"
    assert resp.headers["content-disposition"].startswith("attachment")


def test_azurite_refuses_an_expired_sas(azure: AzureBlobStore) -> None:
    url = _sas_url(azure, "ok/a.txt", now=datetime.now(tz=UTC) - timedelta(hours=1))
    assert httpx.get(url).status_code == 403


def test_azurite_refuses_a_tampered_sas(azure: AzureBlobStore) -> None:
    url = azure.presign_get("ok/a.txt", expires_s=60).url
    assert httpx.get(url.replace("sp=r", "sp=rw")).status_code == 403  # widened permissions
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    sig = bytearray(base64.b64decode(query["sig"]))
    sig[0] ^= 1
    query["sig"] = base64.b64encode(bytes(sig)).decode()
    tampered = parts._replace(query="&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())).geturl()
    assert httpx.get(tampered).status_code == 403


def test_azurite_refuses_a_sas_for_another_path(azure: AzureBlobStore) -> None:
    assert httpx.get(_sas_url(azure, "ok/b.txt", signed_for="ok/a.txt")).status_code == 403
    assert httpx.get(_sas_url(azure, "ok/b.txt")).status_code == 200


def test_a_presigned_azure_put_cannot_write_another_key(azure: AzureBlobStore) -> None:
    grant = azure.presign_put("up/x.bin", expires_s=60, content_length=3, content_type="application/x-test")
    elsewhere = grant.url.replace("up/x.bin", "up/y.bin")
    assert httpx.put(elsewhere, headers=grant.headers, content=b"abc").status_code == 403
    assert httpx.put(grant.url, headers=grant.headers, content=b"abc").status_code == 201
    assert azure.get("up/x.bin") == b"abc" and azure.head("up/y.bin") is None


def _independent_v4_check(url: str, method: str, headers: dict[str, str]) -> None:
    """Rebuild the canonical request from the URL as GCS does and verify the RSA signature."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    signature = dict(params).pop("X-Goog-Signature")
    rest = sorted((k, v) for k, v in params if k != "X-Goog-Signature")
    canonical_query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in rest)
    all_headers = {"host": parts.netloc, **{k.lower(): v for k, v in headers.items()}}
    signed = dict(rest)["X-Goog-SignedHeaders"]
    assert signed == ";".join(sorted(all_headers))
    canonical_headers = "".join(f"{k}:{all_headers[k]}\n" for k in sorted(all_headers))
    request = "\n".join([method, parts.path, canonical_query, canonical_headers, signed, "UNSIGNED-PAYLOAD"])
    date = dict(rest)["X-Goog-Date"]
    scope = f"{date[:8]}/auto/storage/goog4_request"
    to_sign = f"GOOG4-RSA-SHA256\n{date}\n{scope}\n{hashlib.sha256(request.encode()).hexdigest()}"
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(fake_service_account()["private_key"].encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    key.public_key().verify(bytes.fromhex(signature), to_sign.encode(), padding.PKCS1v15(), hashes.SHA256())


def _signer() -> GcsSigner:
    account = fake_service_account()
    return GcsSigner(account["client_email"], account["private_key"])


def test_gcs_v4_signature_verifies_against_the_public_key() -> None:
    headers = {"Content-Type": "text/plain", "Content-Length": "5"}
    url, _ = _signer().sign("PUT", "bkt", "files/r/a b+c.txt", expires_s=300, headers=headers)
    assert url.startswith("https://storage.googleapis.com/bkt/files/r/a%20b%2Bc.txt?")
    _independent_v4_check(url, "PUT", headers)
    with pytest.raises(InvalidSignature):
        _independent_v4_check(url.replace("a%20b", "a%20x"), "PUT", headers)  # another object
    with pytest.raises(InvalidSignature):
        _independent_v4_check(url, "PUT", {**headers, "Content-Length": "6"})  # another size


def test_gcs_v4_expiry_maths() -> None:
    now = datetime(2026, 12, 31, 23, 59, 30, tzinfo=UTC)
    url, expires_at = _signer().sign("GET", "bkt", "k", expires_s=900, now=now)
    query = dict(parse_qsl(urlsplit(url).query))
    assert query["X-Goog-Date"] == "20261231T235930Z" and query["X-Goog-Expires"] == "900"
    assert query["X-Goog-Credential"].endswith("/20261231/auto/storage/goog4_request")
    assert expires_at == now + timedelta(seconds=900) and expires_at.day == 1  # crosses midnight
    _independent_v4_check(url, "GET", {})
    for bad in (0, MAX_EXPIRES_S + 1):
        with pytest.raises(ValueError, match="V4 signed URL"):
            _signer().sign("GET", "bkt", "k", expires_s=bad)


def test_minio_mode_uses_path_style_urls(request: pytest.FixtureRequest) -> None:
    store = emulated_store(request, "minio")
    assert isinstance(store, S3BlobStore)
    endpoint = request.getfixturevalue("session_moto")
    grant = store.presign_put("files/a.txt", expires_s=60, content_length=2, content_type="text/plain")
    assert grant.url.startswith(f"{endpoint}/{store.bucket}/files/a.txt?")
    assert httpx.put(grant.url, headers=grant.headers, content=b"hi").status_code == 200
    assert store.get("files/a.txt") == b"hi"
    assert store.location().storage_options == {
        "aws_region": "us-east-1",
        "aws_endpoint_url": endpoint,
        "aws_allow_http": "true",
        "aws_virtual_hosted_style_request": "false",
    }


@pytest.mark.parametrize("kind", ["gcs", "azure"])
def test_signed_urls_never_reach_the_logs(
    kind: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    """A whole signed multipart upload with every logger at DEBUG: no signature in any record."""
    caplog.set_level(logging.DEBUG)
    store = emulated_store(request, kind)
    upload_id = store.create_multipart("big/log", content_type="application/octet-stream")
    grant = store.presign_part("big/log", upload_id, 1, expires_s=60, content_length=4)
    with httpx.Client() as client:
        resp = client.put(grant.url, headers=grant.headers, content=b"data")
    store.complete_multipart("big/log", upload_id, [(1, resp.headers.get("ETag", ""))])
    assert store.get("big/log") == b"data"
    secret = dict(parse_qsl(urlsplit(grant.url).query)).get("sig") or dict(
        parse_qsl(urlsplit(grant.url).query)
    ).get("X-Goog-Signature")
    assert secret
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request" in text  # httpx did log the requests...
    assert secret not in text and quote(secret, safe="") not in text  # ...without their signatures
