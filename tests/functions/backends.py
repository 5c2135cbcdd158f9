"""Both storage backends for service and app tests: local (SQLite + files) and aws (moto DynamoDB + S3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from moto import mock_aws

from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.core.settings import Settings

BACKENDS = ["local", "aws"]
TABLE = "wl-test"
BUCKET = "wl-test-lake"


@contextmanager
def backend_state(kind: str, tmp_path: Path, **settings: object) -> Iterator[AppState]:
    """An AppState on a fresh local data dir, or on a moto table and bucket (inside mock_aws)."""
    if kind == "local":
        yield AppState(Settings(backend="local", data_dir=tmp_path / "data", **settings))  # type: ignore[arg-type]
        return
    with mock_aws():
        DynamoItemStore(TABLE, region="us-east-1").create_table()
        S3BlobStore(BUCKET, region="us-east-1").create_bucket()
        yield AppState(Settings(backend="aws", table=TABLE, bucket=BUCKET, **settings))  # type: ignore[arg-type]
