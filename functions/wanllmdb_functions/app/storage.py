"""Builds the two storage ports from settings: the only place that picks an adapter."""

from __future__ import annotations

from dataclasses import dataclass

from ..core.settings import Settings
from ..ports import BlobStore, ItemStore

__all__ = ["Storage", "build_storage"]

SQLITE_FILE = "wanllmdb.sqlite3"


@dataclass(frozen=True)
class Storage:
    items: ItemStore
    blobs: BlobStore
    backend: str


def build_storage(settings: Settings) -> Storage:
    if settings.backend == "aws":
        from ..adapters.dynamodb_items import DynamoItemStore
        from ..adapters.s3_blobs import S3BlobStore

        assert settings.table and settings.bucket  # guaranteed by Settings validation
        return Storage(
            items=DynamoItemStore(
                settings.table, region=settings.region, endpoint_url=settings.dynamodb_endpoint_url
            ),
            blobs=S3BlobStore(settings.bucket, region=settings.region, endpoint_url=settings.s3_endpoint_url),
            backend="aws",
        )
    from ..adapters.local_blobs import LocalBlobStore
    from ..adapters.sqlite_items import SqliteItemStore
    from ..adapters.url_signing import UrlSigner, load_or_create_secret

    data_dir = settings.data_dir.expanduser()
    signer = UrlSigner(load_or_create_secret(data_dir), settings.base_url)
    return Storage(
        items=SqliteItemStore(data_dir / SQLITE_FILE),
        blobs=LocalBlobStore(settings.lake_dir.expanduser(), work_dir=data_dir / "work", signer=signer),
        backend="local",
    )
