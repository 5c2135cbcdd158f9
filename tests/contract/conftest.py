"""Adapters for the port contract suites: each port's one suite runs against every adapter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.ports import BlobStore, ItemStore


@pytest.fixture(params=["sqlite", "dynamodb"])
def item_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ItemStore]:
    if request.param == "sqlite":
        store = SqliteItemStore(tmp_path / "items.sqlite3")
        yield store
        store.close()
        return
    with mock_aws():
        dynamo = DynamoItemStore("wl-test", region="us-east-1")
        dynamo.create_table()
        yield dynamo


@pytest.fixture(params=["local", "s3"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "local":
        signer = UrlSigner(b"k" * 32, "http://127.0.0.1:9")
        yield LocalBlobStore(tmp_path / "lake", work_dir=tmp_path / "work", signer=signer)
        return
    with mock_aws():
        s3 = S3BlobStore("wl-test-lake", region="us-east-1")
        s3.create_bucket()
        yield s3


@pytest.fixture(params=["local", "s3"])
def served_blob_store(request: pytest.FixtureRequest) -> BlobStore:
    """A BlobStore whose presigned URLs a real HTTP client can fetch: a real `wanllmdb server` for the
    local adapter (one per module), a real moto server for S3 (one per session, a fresh bucket per
    test; moto honours the response-content-* overrides)."""
    from tests.conftest import unique_name
    from wanllmdb_functions.app.storage import build_storage
    from wanllmdb_functions.core.settings import load_settings

    if request.param == "local":
        server = request.getfixturevalue("module_server")
        # The server's own lake and signing secret, as the grant service uses them.
        return build_storage(load_settings(data_dir=server.data_dir, public_url=server.url)).blobs
    endpoint = request.getfixturevalue("session_moto")
    s3 = S3BlobStore(unique_name("wl-served-lake"), region="us-east-1", endpoint_url=endpoint)
    s3.create_bucket()
    return s3
