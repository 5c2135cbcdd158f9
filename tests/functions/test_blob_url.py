"""WANLLMDB_BLOB_URL: the scheme picks the store; bad input is refused at start, naming what to set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port
from tests.contract.emulators import AZURITE_KEY, fake_service_account
from wanllmdb_functions.adapters.azure_blobs import AzureBlobStore
from wanllmdb_functions.adapters.gcs_blobs import GcsBlobStore
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.app.blob_url import blob_store_from_url
from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core.settings import SettingsError, load_settings

AWS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def _store(url: str, env: dict[str, str], tmp_path: Path) -> object:
    return blob_store_from_url(load_settings(data_dir=tmp_path, blob_url=url), env)


def test_each_scheme_picks_its_adapter(tmp_path: Path) -> None:
    key_file = tmp_path / "sa.json"
    key_file.write_text(json.dumps(fake_service_account()))
    local = _store(f"file://{tmp_path}/lake", {}, tmp_path)
    assert isinstance(local, LocalBlobStore)
    minio = _store("s3://lake?endpoint=http://127.0.0.1:9000&region=eu-west-1", AWS, tmp_path)
    assert isinstance(minio, S3BlobStore) and minio._path_style and minio._region == "eu-west-1"
    aws = _store("s3://lake", AWS, tmp_path)
    assert isinstance(aws, S3BlobStore) and not aws._path_style
    gcs = _store("gs://bkt/team/a", {"GOOGLE_APPLICATION_CREDENTIALS": str(key_file)}, tmp_path)
    assert isinstance(gcs, GcsBlobStore) and gcs.location().uri == "gs://bkt/team/a/"
    azure = _store(
        "az://lake/team",
        {"AZURE_STORAGE_CONNECTION_STRING": f"AccountName=acct;AccountKey={AZURITE_KEY};EndpointSuffix=x"},
        tmp_path,
    )
    assert isinstance(azure, AzureBlobStore) and azure.account == "acct"
    assert azure.blob_url("k").startswith("https://acct.blob.core.windows.net/lake/team/k")


def test_an_unknown_scheme_names_the_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as err:
        _store("ftp://host/lake", {}, tmp_path)
    message = str(err.value)
    assert "WANLLMDB_BLOB_URL" in message and "ftp://" in message
    for scheme in ("file://", "s3://", "gs://", "az://"):
        assert scheme in message
    assert "wanllmdb.blob_stores" in message


@pytest.mark.parametrize(
    ("url", "env", "variable"),
    [
        ("gs://bkt", {}, "GOOGLE_APPLICATION_CREDENTIALS"),
        (
            "gs://bkt",
            {"GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent.json"},
            "GOOGLE_APPLICATION_CREDENTIALS",
        ),
        ("az://lake", {}, "AZURE_STORAGE_ACCOUNT_NAME"),
        ("az://lake", {"AZURE_STORAGE_ACCOUNT_NAME": "acct"}, "AZURE_STORAGE_ACCOUNT_KEY"),
        ("az://lake", {}, "AZURE_STORAGE_CONNECTION_STRING"),
        ("s3://lake?endpoint=http://127.0.0.1:9000", {"AWS_PROFILE": "dev"}, "AWS_ACCESS_KEY_ID"),
        ("s3://lake", {}, "AWS_SECRET_ACCESS_KEY"),
        ("file://relative/path", {}, "absolute path"),
        ("gs:///prefix", {}, "bucket or container"),
    ],
)
def test_missing_credentials_name_the_variable(
    url: str, env: dict[str, str], variable: str, tmp_path: Path
) -> None:
    with pytest.raises(SettingsError, match=variable):
        _store(url, env, tmp_path)


def test_the_builder_uses_the_url_for_blobs_only(tmp_path: Path) -> None:
    storage = build_storage(load_settings(data_dir=tmp_path, blob_url=f"file://{tmp_path}/elsewhere"))
    storage.blobs.put("a/b", b"x")
    assert (tmp_path / "elsewhere" / "a" / "b").read_bytes() == b"x"


def test_the_server_refuses_to_start_without_cloud_credentials(tmp_path: Path) -> None:
    """At start, not at the first upload: the process exits before it serves anything."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "WANLLMDB_"))}
    env["WANLLMDB_BLOB_URL"] = "gs://team-lake/wanllmdb"
    port = str(free_port())
    command = [sys.executable, "-m", "wanllmdb.cli", "server", "--port", port, "--data-dir", str(tmp_path)]
    result = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "GOOGLE_APPLICATION_CREDENTIALS" in result.stderr and "gs://team-lake" in result.stderr
    assert "wanLLMDB server:" not in result.stdout  # never got as far as the banner
