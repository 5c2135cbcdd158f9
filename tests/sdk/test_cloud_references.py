"""gs:// and Azure references against the emulators: what is recorded (generation, version, ETag),
max_objects, and a download that refuses an object changed since it was logged."""

from __future__ import annotations

from pathlib import Path

import pytest

import wanllmdb
from tests.contract.conftest import emulated_store, session_azurite, session_gcs_emulator
from tests.contract.emulators import AZURITE_ACCOUNT, AZURITE_KEY
from wanllmdb.artifacts.references import ReferenceChanged, fetch_reference
from wanllmdb.errors import UsageError
from wanllmdb_functions.adapters.azure_blobs import AzureBlobStore
from wanllmdb_functions.adapters.gcs_blobs import GcsBlobStore

__all__ = ["session_azurite", "session_gcs_emulator"]  # fixtures, imported to be found here


@pytest.fixture
def gcs(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> GcsBlobStore:
    store = emulated_store(request, "gcs")
    assert isinstance(store, GcsBlobStore)
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", request.getfixturevalue("session_gcs_emulator"))
    for key, body in {"data/a.txt": b"alpha", "data/sub/b.txt": b"beta", "data/c.txt": b"gamma"}.items():
        store.put(key, body)
    return store


@pytest.fixture
def azure(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> AzureBlobStore:
    store = emulated_store(request, "azure")
    assert isinstance(store, AzureBlobStore)
    endpoint = request.getfixturevalue("session_azurite")
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        f"AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};BlobEndpoint={endpoint}",
    )
    for key, body in {"data/a.txt": b"alpha", "data/sub/b.txt": b"beta", "data/c.txt": b"gamma"}.items():
        store.put(key, body)
    return store


def test_a_gcs_prefix_records_generation_and_etag_and_downloads_exactly(
    gcs: GcsBlobStore, tmp_path: Path
) -> None:
    art = wanllmdb.Artifact("refs", "dataset")
    entries = art.add_reference(f"gs://{gcs.bucket}/tenant/data", name="d")
    assert [e.path for e in entries] == ["d/a.txt", "d/c.txt", "d/sub/b.txt"]
    first = entries[0]
    assert first.ref == f"gs://{gcs.bucket}/tenant/data/a.txt" and first.size == 5
    assert first.extra["generation"] and first.extra["etag"]
    fetch_reference(first, tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_bytes() == b"alpha"
    gcs.put("data/a.txt", b"rewritten")  # a new generation: the logged one is gone
    with pytest.raises(ReferenceChanged, match="changed since it was logged"):
        fetch_reference(first, tmp_path / "again.txt")


def test_a_single_gcs_object_and_max_objects(gcs: GcsBlobStore) -> None:
    [one] = wanllmdb.Artifact("refs", "dataset").add_reference(f"gs://{gcs.bucket}/tenant/data/c.txt")
    assert one.path == "c.txt" and one.size == 5
    with pytest.raises(UsageError, match="max_objects=2"):
        wanllmdb.Artifact("refs", "dataset").add_reference(f"gs://{gcs.bucket}/tenant/data", max_objects=2)
    with pytest.raises(UsageError, match="no object or prefix"):
        wanllmdb.Artifact("refs", "dataset").add_reference(f"gs://{gcs.bucket}/absent")


@pytest.mark.parametrize("form", ["az", "https"])
def test_azure_references_record_etags_and_refuse_a_changed_blob(
    form: str, azure: AzureBlobStore, tmp_path: Path
) -> None:
    uri = (
        f"az://{azure.container}/tenant/data"
        if form == "az"
        else f"https://{AZURITE_ACCOUNT}.blob.core.windows.net/{azure.container}/tenant/data"
    )
    # The https form names its account in the host; Azurite is reached through the connection string's
    # BlobEndpoint, as a real account's would be through its default endpoint.
    entries = wanllmdb.Artifact("refs", "dataset").add_reference(uri, max_objects=3)
    assert [e.path for e in entries] == ["a.txt", "c.txt", "sub/b.txt"]
    first = entries[0]
    assert first.extra["etag"] and first.digest == first.extra["etag"] and first.size == 5
    assert (first.ref or "").endswith(f"{azure.container}/tenant/data/a.txt")
    fetch_reference(first, tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_bytes() == b"alpha"
    azure.put("data/a.txt", b"rewritten")
    with pytest.raises(ReferenceChanged):
        fetch_reference(first, tmp_path / "again.txt")
    with pytest.raises(UsageError, match="max_objects=2"):
        wanllmdb.Artifact("refs", "dataset").add_reference(uri, max_objects=2)


def test_azure_references_without_credentials_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "AZURE_STORAGE_CONNECTION_STRING",
        "AZURE_STORAGE_ACCOUNT_NAME",
        "AZURE_STORAGE_ACCOUNT_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UsageError, match="AZURE_STORAGE_ACCOUNT_NAME"):
        wanllmdb.Artifact("refs", "dataset").add_reference("az://lake/data")
    with pytest.raises(UsageError, match="AZURE_STORAGE_ACCOUNT_KEY"):
        wanllmdb.Artifact("refs", "dataset").add_reference("https://acct.blob.core.windows.net/lake/data")
