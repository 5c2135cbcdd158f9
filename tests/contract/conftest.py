"""Adapters for the port contract suites: each port's one suite runs against every adapter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from tests.postgres_server import session_postgres  # noqa: F401  (a fixture, shared by name)
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.ports import BlobStore, ItemStore


@pytest.fixture(params=["sqlite", "dynamodb", "postgres"])
def item_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ItemStore]:
    if request.param == "postgres":
        from wanllmdb_functions.adapters.postgres_items import PostgresItemStore

        postgres = PostgresItemStore(request.getfixturevalue("session_postgres"), max_size=12)
        postgres.truncate()
        yield postgres
        postgres.close()
        return
    if request.param == "sqlite":
        store = SqliteItemStore(tmp_path / "items.sqlite3")
        yield store
        store.close()
        return
    with mock_aws():
        dynamo = DynamoItemStore("wl-test", region="us-east-1")
        dynamo.create_table()
        yield dynamo


@pytest.fixture(scope="session")
def session_gcs_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.contract.emulators import gcs_emulator

    with gcs_emulator(tmp_path_factory.mktemp("gcs")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def session_azurite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.contract.emulators import azurite

    with azurite(tmp_path_factory.mktemp("azurite")) as endpoint:
        yield endpoint


def emulated_store(request: pytest.FixtureRequest, kind: str) -> BlobStore:
    """A fresh bucket or container on the session's emulator for `kind` (gcs, azure, minio)."""
    from tests.conftest import unique_name
    from tests.contract.emulators import AZURITE_ACCOUNT, AZURITE_KEY, fake_service_account
    from wanllmdb_functions.adapters.azure_blobs import AzureBlobStore
    from wanllmdb_functions.adapters.gcs_blobs import GcsBlobStore

    if kind == "gcs":
        gcs = GcsBlobStore(
            unique_name("wl-gcs"),
            service_account=fake_service_account(),
            prefix="tenant",
            endpoint=request.getfixturevalue("session_gcs_emulator"),
        )
        gcs.create_bucket()
        return gcs
    if kind == "azure":
        azure = AzureBlobStore(
            AZURITE_ACCOUNT,
            unique_name("wl-az"),
            account_key=AZURITE_KEY,
            prefix="tenant",
            endpoint=request.getfixturevalue("session_azurite"),
        )
        azure.create_container()
        return azure
    assert kind == "minio"
    endpoint = request.getfixturevalue("session_moto")
    minio = S3BlobStore(unique_name("wl-minio"), region="us-east-1", endpoint_url=endpoint, path_style=True)
    minio.create_bucket()
    return minio


@pytest.fixture(params=["local", "s3", "minio", "gcs", "azure"])
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param in ("minio", "gcs", "azure"):
        yield emulated_store(request, request.param)
        return
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
