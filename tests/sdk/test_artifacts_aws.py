"""Artifacts through the aws backend (DynamoDB and S3 on a moto server): presigned PUTs with their
SHA-256 checksum, multipart parts on S3, dedup on re-log, and a cold download back."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
    puts: list[tuple[str, int]] = []  # (key, bytes) of each blob, part and pack PUT to S3
    real_file, real_bytes = ArtifactHttp.put_file, ArtifactHttp.put_bytes

    def put_file(self: ArtifactHttp, put_url: str, *args: Any, **kwargs: Any) -> str:
        puts.append((urlsplit(put_url).path, kwargs.get("length") or 0))
        return real_file(self, put_url, *args, **kwargs)

    def put_bytes(self: ArtifactHttp, put_url: str, headers: dict[str, str], data: bytes) -> None:
        if "/manifests/" not in put_url:
            puts.append((urlsplit(put_url).path, len(data)))
        real_bytes(self, put_url, headers, data)

    monkeypatch.setattr(ArtifactHttp, "put_file", put_file)
    monkeypatch.setattr(ArtifactHttp, "put_bytes", put_bytes)
    src = tmp_path / "src"
    files = write_tree(src, 20)
    (src / "weights.bin").write_bytes(os.urandom((12 << 20) + 5))  # 3 parts on S3
    files["weights.bin"] = (src / "weights.bin").read_bytes()
    try:
        art = wanllmdb.Artifact("s3-data", "dataset")
        art.add_dir(src)
        art.save(project="aws")
        # The 20 small files in one pack, the big one in 3 parts.
        assert art.version == "v0" and sorted("/packs/" in k for k, _ in puts) == [False] * 3 + [True]
        assert sum(n for _, n in puts) == sum(len(b) for b in files.values())
        (src / "d0" / "f00000.bin").write_bytes(b"changed")
        files["d0/f00000.bin"] = b"changed"
        puts.clear()
        again = wanllmdb.Artifact("s3-data", "dataset")
        again.add_dir(src)
        again.save(project="aws")
        assert again.version == "v1" and [("/packs/" in k, n) for k, n in puts] == [(True, len(b"changed"))]
        monkeypatch.setenv("WANLLMDB_CACHE_DIR", str(tmp_path / "cold-cache"))
        fetched = wanllmdb.Api().artifact("artsdk/aws/s3-data:latest")
        root = Path(fetched.download(tmp_path / "out"))
        assert {p: (root / p).read_bytes() for p in files} == files
        fetched.verify(root)
    finally:
        ArtifactContext.forget_all()
