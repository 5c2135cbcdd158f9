"""The BlobStore contract: every adapter must pass every test here.

moto does not check presigned signatures, expiry or length bounds, so for S3 the grant's scope is
tested by inspecting the URL it generates (see test_s3_grant_signs_key_length_and_checksum); the
local adapter's verification is tested over real HTTP in tests/functions/test_blob_endpoint.py.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.core.errors import InvalidInput, NotFound
from wanllmdb_functions.ports import BlobStore
from wanllmdb_functions.ports.blob_store import BlobInfo

TRAVERSAL_KEYS = ["../etc/passwd", "a/../../b", "/abs/key", "a//b", "a/./b", "nul\x00key", "back\\slash", ""]


def test_put_get_head_round_trip(blob_store: BlobStore) -> None:
    blob_store.put("metrics/project=p/run=r/a.parquet", b"hello", content_type="application/octet-stream")
    assert blob_store.get("metrics/project=p/run=r/a.parquet") == b"hello"
    info = blob_store.head("metrics/project=p/run=r/a.parquet")
    assert info is not None and info.size == 5 and info.etag


def test_put_overwrites_whole_object(blob_store: BlobStore) -> None:
    blob_store.put("k/x", b"first version")
    blob_store.put("k/x", b"v2")
    assert blob_store.get("k/x") == b"v2"


def test_missing_object_is_not_found_and_head_is_none(blob_store: BlobStore) -> None:
    with pytest.raises(NotFound):
        blob_store.get("nope/none")
    assert blob_store.head("nope/none") is None


def test_list_by_prefix_in_key_order(blob_store: BlobStore) -> None:
    for key in ["runs/b/2", "runs/a/1", "runs/a/0", "runsx/z", "other/q"]:
        blob_store.put(key, b"x")
    assert [i.key for i in blob_store.list("runs/")] == ["runs/a/0", "runs/a/1", "runs/b/2"]
    assert [i.key for i in blob_store.list("runs/a/")] == ["runs/a/0", "runs/a/1"]
    assert [i.key for i in blob_store.list("runs")] == ["runs/a/0", "runs/a/1", "runs/b/2", "runsx/z"]
    assert list(blob_store.list("absent/")) == []


def test_an_object_deleted_while_a_listing_is_read_is_no_error(blob_store: BlobStore) -> None:
    """A compaction deletes its inputs while readers list the stream: the listing goes on (the local
    store found the file in its walk, then failed to stat it: a FileNotFoundError at 1,000 runs)."""
    for key in ["s/chunk-0", "s/chunk-1", "s/chunk-2"]:
        blob_store.put(key, b"x")
    listing = blob_store.list("s/")
    first = next(listing)
    blob_store.delete("s/chunk-1")
    rest = [info.key for info in listing]
    assert first.key == "s/chunk-0" and rest[-1] == "s/chunk-2"
    assert set(rest) <= {"s/chunk-1", "s/chunk-2"}  # S3 may still show it from a page already read


def test_the_local_store_lists_past_a_file_deleted_between_its_check_and_its_stat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narrow window the contract test above cannot aim at: the file is still there when the walk
    and the is-it-a-file check see it, and gone when its size and time are read."""
    store = LocalBlobStore(
        tmp_path / "lake", work_dir=tmp_path / "work", signer=UrlSigner(b"k" * 32, "http://x")
    )
    for key in ["s/chunk-0", "s/chunk-1", "s/chunk-2"]:
        store.put(key, b"x")
    info = LocalBlobStore._info

    def deleted_first(self: LocalBlobStore, key: str, path: Path) -> BlobInfo:
        if key == "s/chunk-1":
            path.unlink()
        return info(self, key, path)

    monkeypatch.setattr(LocalBlobStore, "_info", deleted_first)
    assert [i.key for i in store.list("s/")] == ["s/chunk-0", "s/chunk-2"]


def test_delete_is_idempotent(blob_store: BlobStore) -> None:
    blob_store.put("d/1", b"x")
    blob_store.delete("d/1")
    blob_store.delete("d/1")
    assert blob_store.head("d/1") is None


def test_copy(blob_store: BlobStore) -> None:
    blob_store.put("c/src", b"payload")
    blob_store.copy("c/src", "c/dst")
    assert blob_store.get("c/dst") == b"payload"
    assert blob_store.get("c/src") == b"payload"


def test_copy_replaces_the_destination_and_a_missing_source_is_not_found(blob_store: BlobStore) -> None:
    blob_store.put("c/src", b"new")
    blob_store.put("c/dst", b"old and longer")
    blob_store.copy("c/src", "c/dst")
    assert blob_store.get("c/dst") == b"new"
    with pytest.raises(NotFound):
        blob_store.copy("c/absent", "c/other")
    assert blob_store.head("c/other") is None
    with pytest.raises(InvalidInput):
        blob_store.copy("c/src", "../escape")


@pytest.mark.parametrize("key", TRAVERSAL_KEYS)
def test_traversal_and_malformed_keys_are_refused(blob_store: BlobStore, key: str) -> None:
    with pytest.raises(InvalidInput):
        blob_store.put(key, b"x")
    with pytest.raises(InvalidInput):
        blob_store.presign_put(key, expires_s=60, content_length=1, content_type="text/plain")


def test_presigned_put_names_the_key_method_and_expiry(blob_store: BlobStore) -> None:
    grant = blob_store.presign_put(
        "files/r/a.txt",
        expires_s=300,
        content_length=5,
        content_type="text/plain",
        sha256_hex=hashlib.sha256(b"hello").hexdigest(),
    )
    assert grant.method == "PUT"
    assert "files/r/a.txt" in grant.url
    assert grant.headers["Content-Type"] == "text/plain"
    assert grant.expires_at is not None
    get = blob_store.presign_get("files/r/a.txt", expires_s=60)
    assert get.method == "GET" and "files/r/a.txt" in get.url


def test_multipart_upload_assembles_parts_in_order(blob_store: BlobStore) -> None:
    upload_id = blob_store.create_multipart("big/obj", content_type="application/octet-stream")
    part_url = blob_store.presign_part("big/obj", upload_id, 1, expires_s=60, content_length=5 << 20)
    assert upload_id in part_url.url
    # Uploading through the URL is the HTTP tests' job; here the adapters' own part writers are used.
    parts = _upload_parts_directly(blob_store, "big/obj", upload_id, [b"a" * (5 << 20), b"tail"])
    blob_store.complete_multipart("big/obj", upload_id, parts)
    data = blob_store.get("big/obj")
    assert len(data) == (5 << 20) + 4 and data.endswith(b"tail")


def test_complete_with_unknown_part_is_invalid_and_abort_is_idempotent(blob_store: BlobStore) -> None:
    upload_id = blob_store.create_multipart("big/bad", content_type="application/octet-stream")
    with pytest.raises((InvalidInput, NotFound)):
        blob_store.complete_multipart("big/bad", upload_id, [(1, "0" * 32)])
    blob_store.abort_multipart("big/bad", upload_id)
    blob_store.abort_multipart("big/bad", upload_id)
    assert blob_store.head("big/bad") is None


def test_multipart_refuses_bad_part_numbers_and_empty_part_lists(blob_store: BlobStore) -> None:
    upload_id = blob_store.create_multipart("big/odd", content_type="application/octet-stream")
    for number in (0, 10_001):
        with pytest.raises(InvalidInput):
            blob_store.presign_part("big/odd", upload_id, number, expires_s=60, content_length=1)
    with pytest.raises(InvalidInput):
        blob_store.complete_multipart("big/odd", upload_id, [])
    blob_store.abort_multipart("big/odd", upload_id)


def test_abort_of_an_upload_never_started_is_a_no_op(blob_store: BlobStore) -> None:
    blob_store.abort_multipart("big/never", "0" * 32)
    assert blob_store.head("big/never") is None


def test_location_points_readers_at_the_prefix(blob_store: BlobStore) -> None:
    loc = blob_store.location("metrics/")
    assert loc.uri.rstrip("/").endswith("metrics")


def _upload_parts_directly(
    store: BlobStore, key: str, upload_id: str, parts: list[bytes]
) -> list[tuple[int, str]]:
    from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
    from wanllmdb_functions.adapters.s3_blobs import S3BlobStore

    done = []
    for number, body in enumerate(parts, start=1):
        if isinstance(store, LocalBlobStore):
            etag = store.write_part(key, upload_id, number, [body], max_bytes=len(body))
        elif not isinstance(store, S3BlobStore):
            # GCS and Azure have no part writer beside the presigned URL: the emulators take it as is.
            grant = store.presign_part(key, upload_id, number, expires_s=60, content_length=len(body))
            resp = httpx.put(grant.url, headers=grant.headers, content=body)
            assert resp.status_code in (200, 201), resp.text
            etag = resp.headers.get("ETag", "")
        else:
            etag = store.client.upload_part(
                Bucket=store.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
            )["ETag"]
        done.append((number, etag))
    return done
