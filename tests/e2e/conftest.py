"""The aws backend end to end: a ThreadedMotoServer plays AWS, and a real `wanllmdb server` process
runs with WANLLMDB_BACKEND=aws against it, so presigned S3 URLs are real HTTP to moto."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from tests.conftest import LocalServer, free_port, start_local_server
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore

TABLE = "wanllmdb-e2e"
BUCKET = "wanllmdb-e2e-lake"
REGION = "us-east-1"


@dataclass
class AwsStack:
    endpoint: str
    server: LocalServer
    env: dict[str, str]


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    moto.start()
    endpoint = f"http://127.0.0.1:{port}"
    DynamoItemStore(TABLE, region=REGION, endpoint_url=endpoint).create_table()
    S3BlobStore(BUCKET, region=REGION, endpoint_url=endpoint).create_bucket()
    try:
        yield endpoint
    finally:
        moto.stop()


@pytest.fixture(scope="module")
def aws_stack(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsStack]:
    env = {
        "WANLLMDB_BACKEND": "aws",
        "WANLLMDB_TABLE": TABLE,
        "WANLLMDB_BUCKET": BUCKET,
        "WANLLMDB_REGION": REGION,
        "WANLLMDB_DYNAMODB_ENDPOINT_URL": moto_endpoint,
        "WANLLMDB_S3_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    data_dir: Path = tmp_path_factory.mktemp("aws") / "data"
    server = start_local_server(data_dir, env=env)
    try:
        yield AwsStack(moto_endpoint, server, env)
    finally:
        server.stop()
