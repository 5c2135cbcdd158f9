"""Builds the two storage ports from settings: the only place that picks an adapter."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import SecretStr

from ..core.settings import Settings, SettingsError
from ..ports import BlobStore, ItemStore

__all__ = ["Storage", "build_storage"]

SQLITE_FILE = "wanllmdb.sqlite3"


@dataclass(frozen=True)
class Storage:
    items: ItemStore
    blobs: BlobStore
    backend: str
    # Both stores are files on this machine, each call answering in about a millisecond: a request
    # whose blocking work is calls on them may make those calls on the event loop (app/offload.py).
    local_files: bool = False


def build_storage(settings: Settings) -> Storage:
    if settings.backend == "aws":
        from ..adapters.dynamodb_items import DynamoItemStore
        from ..adapters.s3_blobs import S3BlobStore

        assert settings.table and settings.bucket  # guaranteed by Settings validation
        return Storage(
            items=DynamoItemStore(
                settings.table, region=settings.region, endpoint_url=settings.dynamodb_endpoint_url
            ),
            blobs=_blob_url_store(settings)
            or S3BlobStore(settings.bucket, region=settings.region, endpoint_url=settings.s3_endpoint_url),
            backend="aws",
        )
    from ..adapters.local_blobs import LocalBlobStore
    from ..adapters.sqlite_items import SqliteItemStore
    from .signing import blob_url_signer

    data_dir = settings.data_dir.expanduser()
    signer = blob_url_signer(settings)
    items = (
        _postgres_items(settings.item_store_url)
        if settings.item_store_url
        else SqliteItemStore(data_dir / SQLITE_FILE)
    )
    blobs = _blob_url_store(settings) or LocalBlobStore(
        settings.lake_dir.expanduser(), work_dir=data_dir / "work", signer=signer
    )
    return Storage(
        items=items,
        blobs=blobs,
        backend="local",
        local_files=items.fast_calls and isinstance(blobs, LocalBlobStore),
    )


def _blob_url_store(settings: Settings) -> BlobStore | None:
    """The store WANLLMDB_BLOB_URL names (gs://, az://, s3://…?endpoint=, file://, or a plug-in's)."""
    if not settings.blob_url:
        return None
    from .blob_url import blob_store_from_url

    return blob_store_from_url(settings)


def _postgres_items(url: SecretStr) -> ItemStore:
    """The shared PostgreSQL item store; a server that cannot reach it stops at start, saying why."""
    dsn = url.get_secret_value()
    parts = urlsplit(dsn)
    shown = dsn.replace(f":{parts.password}@", ":***@") if parts.password else dsn
    try:
        import psycopg

        from ..adapters.postgres_items import PostgresItemStore
    except ImportError as exc:
        raise SettingsError(
            f"WANLLMDB_ITEM_STORE_URL needs the 'postgres' extra ({exc.name} is missing): "
            "pip install 'wanllmdb[postgres]'"
        ) from None
    try:
        return PostgresItemStore(dsn, timeout_s=10)
    except psycopg.Error as exc:
        raise SettingsError(
            f"WANLLMDB_ITEM_STORE_URL={shown}: cannot open the PostgreSQL item store: {exc}"
        ) from None
