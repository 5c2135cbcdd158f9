"""Deletion fixtures on both backends (SQLite + local blobs; moto DynamoDB + S3): the runs world, with
a deletion service and a purger that share its stores."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto import mock_aws

from tests.functions.runs.conftest import World, build_world
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.deletes.purge import Purger
from wanllmdb_functions.deletes.service import DeletionService
from wanllmdb_functions.handlers.project_purge import PROJECT_PURGE_PARTS


@dataclass
class Bin:
    world: World
    deletes: DeletionService

    def purger(self, **kwargs: object) -> Purger:
        w = self.world
        return Purger(w.items, w.blobs, w.settings, owned=PROJECT_PURGE_PARTS, **kwargs)  # type: ignore[arg-type]


def _bin(world: World) -> Bin:
    return Bin(world, DeletionService(world.items, world.blobs, world.settings))


@pytest.fixture(params=["local", "aws"])
def trash_bin(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Bin]:
    # No grace period: a deletion is due for purging as soon as it is made (tests restore first).
    settings = Settings(data_dir=tmp_path, config_inline_max_bytes=4096, delete_grace_s=0)
    if request.param == "local":
        items = SqliteItemStore(tmp_path / "items.sqlite3")
        blobs = LocalBlobStore(
            tmp_path / "lake", work_dir=tmp_path / "work", signer=UrlSigner(b"k" * 32, "http://127.0.0.1:9")
        )
        yield _bin(build_world(items, blobs, settings))
        items.close()
        return
    with mock_aws():
        dynamo = DynamoItemStore("wl-deletes", region="us-east-1")
        dynamo.create_table()
        s3 = S3BlobStore("wl-deletes-lake", region="us-east-1")
        s3.create_bucket()
        yield _bin(build_world(dynamo, s3, settings))
