"""Fixtures for the query service: a BlobStore on each adapter, with a lake written per the schema."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto import mock_aws

from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.ports import BlobStore


@pytest.fixture(params=["local", "s3"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    if request.param == "local":
        signer = UrlSigner(b"k" * 32, "http://127.0.0.1:9")
        yield LocalBlobStore(tmp_path / "lake", work_dir=tmp_path / "work", signer=signer)
        return
    with mock_aws():
        s3 = S3BlobStore("wl-query-lake", region="us-east-1")
        s3.create_bucket()
        yield s3


@pytest.fixture
def local_blobs(tmp_path: Path) -> LocalBlobStore:
    signer = UrlSigner(b"k" * 32, "http://127.0.0.1:9")
    return LocalBlobStore(tmp_path / "lake", work_dir=tmp_path / "work", signer=signer)
