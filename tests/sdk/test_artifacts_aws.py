"""Artifacts through the aws backend (DynamoDB and S3 on a moto server): presigned PUTs with their
SHA-256 checksum, multipart parts on S3, dedup on re-log, and a cold download back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wanllmdb
from tests.conftest import aws_backend_env, created_aws_stores, moto_server, start_local_server
from tests.sdk.artifact_fixtures import write_tree
from wanllmdb.artifacts.context import ArtifactContext
from wanllmdb.artifacts.http import ArtifactHttp

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def aws_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    from wanllmdb_functions.identity.credentials import CredentialService
    from wanllmdb_functions.identity.users import UserService

    with moto_server() as endpoint:
        items, _ = created_aws_stores(endpoint, table="artifacts-sdk", bucket="artifacts-sdk")
        user = UserService(items).create("artsdk", password=None)
        key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "sdk").key
        env = aws_backend_env(
            endpoint,
            table="artifacts-sdk",
            bucket="artifacts-sdk",
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            AWS_EC2_METADATA_DISABLED="true",
        )
        server = start_local_server(tmp_path_factory.mktemp("aws") / "data", env=env)
        try:
            yield server.url, key
        finally:
            server.stop()


def test_log_relog_and_download_through_s3(
    aws_server: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, key = aws_server
    monkeypatch.setenv("WANLLMDB_BASE_URL", url)
    monkeypatch.setenv("WANLLMDB_API_KEY", key)
    monkeypatch.setenv("WANLLMDB_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WANLLMDB_ARTIFACT_MULTIPART_BYTES", str(5 << 20))
    monkeypatch.setenv("WANLLMDB_SILENT", "true")
    puts: list[str] = []
    real = ArtifactHttp.put_file

    def counted(self: ArtifactHttp, put_url: str, *args: Any, **kwargs: Any) -> str:
        puts.append(put_url)
        return real(self, put_url, *args, **kwargs)

    monkeypatch.setattr(ArtifactHttp, "put_file", counted)
    src = tmp_path / "src"
    files = write_tree(src, 20)
    (src / "weights.bin").write_bytes(os.urandom((12 << 20) + 5))  # 3 parts on S3
    files["weights.bin"] = (src / "weights.bin").read_bytes()
    try:
        art = wanllmdb.Artifact("s3-data", "dataset")
        art.add_dir(src)
        art.save(project="aws")
        assert art.version == "v0" and len(puts) == 20 + 3
        (src / "d0" / "f00000.bin").write_bytes(b"changed")
        files["d0/f00000.bin"] = b"changed"
        puts.clear()
        again = wanllmdb.Artifact("s3-data", "dataset")
        again.add_dir(src)
        again.save(project="aws")
        assert again.version == "v1" and len(puts) == 1
        monkeypatch.setenv("WANLLMDB_CACHE_DIR", str(tmp_path / "cold-cache"))
        fetched = wanllmdb.Api().artifact("artsdk/aws/s3-data:latest")
        root = Path(fetched.download(tmp_path / "out"))
        assert {p: (root / p).read_bytes() for p in files} == files
        fetched.verify(root)
    finally:
        ArtifactContext.forget_all()
