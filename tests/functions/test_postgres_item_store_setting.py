"""WANLLMDB_ITEM_STORE_URL picks the PostgreSQL item store; a bad or unreachable one stops the server
at start with a message naming the variable (and never the password)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import free_port
from tests.postgres_server import session_postgres  # noqa: F401  (a fixture, shared by name)
from wanllmdb.cli import main
from wanllmdb_functions.adapters.postgres_items import PostgresItemStore
from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core.errors import Forbidden
from wanllmdb_functions.core.settings import SettingsError, load_settings


@pytest.mark.parametrize("url", ["mysql://u@127.0.0.1/db", "127.0.0.1:5432", "sqlite:///x.db"])
def test_a_url_that_is_not_postgresql_is_refused_naming_the_variable(url: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"WANLLMDB_ITEM_STORE_URL: must be a postgresql://"):
        load_settings(data_dir=tmp_path, item_store_url=url)


def test_the_aws_backend_refuses_a_postgres_item_store(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ITEM_STORE_URL is for the local backend"):
        load_settings(backend="aws", table="t", bucket="b", item_store_url="postgresql://u@127.0.0.1/d")


def test_an_unreachable_database_fails_at_build_naming_the_variable_not_the_password(tmp_path: Path) -> None:
    url = f"postgresql://wl:s3cret-pw@127.0.0.1:{free_port()}/wl"
    settings = load_settings(data_dir=tmp_path, item_store_url=url)
    with pytest.raises(SettingsError, match="WANLLMDB_ITEM_STORE_URL=") as raised:
        build_storage(settings)
    assert "s3cret-pw" not in str(raised.value) and ":***@" in str(raised.value)
    assert "cannot open the PostgreSQL item store" in str(raised.value)


def test_server_start_with_an_unreachable_database_exits_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANLLMDB_ITEM_STORE_URL", f"postgresql://wl@127.0.0.1:{free_port()}/wl")
    result = CliRunner().invoke(main, ["server", "--port", str(free_port()), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1, result.output
    assert "WANLLMDB_ITEM_STORE_URL=postgresql://wl@127.0.0.1" in result.output
    assert "cannot open the PostgreSQL item store" in result.output


def test_a_reachable_database_is_the_item_store(session_postgres: str, tmp_path: Path) -> None:  # noqa: F811
    storage = build_storage(load_settings(data_dir=tmp_path, item_store_url=session_postgres))
    assert isinstance(storage.items, PostgresItemStore)
    storage.items.put({"pk": "setting-test", "sk": "a", "v": 1})
    assert storage.items.get("setting-test", "a") == {"pk": "setting-test", "sk": "a", "v": 1}
    assert not (tmp_path / "wanllmdb.sqlite3").exists()
    storage.items.close()


SECRET = "ab" * 32


@pytest.mark.parametrize("secret", ["zz" * 32, "ab" * 16, "not hex"])
def test_a_short_or_non_hex_signing_secret_is_refused(secret: str, tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"WANLLMDB_BLOB_SIGNING_SECRET: must be 32 or more random bytes"):
        load_settings(data_dir=tmp_path, blob_signing_secret=secret)


def test_replicas_with_one_signing_secret_accept_each_others_urls(tmp_path: Path) -> None:
    from wanllmdb_functions.adapters.url_signing import SECRET_FILE, SignedGrant
    from wanllmdb_functions.app.signing import blob_url_signer

    grant = SignedGrant("GET", "metrics/x.parquet", expires=2**40, max_length=10)
    a = blob_url_signer(load_settings(data_dir=tmp_path / "a", port=1, blob_signing_secret=SECRET))
    b = blob_url_signer(load_settings(data_dir=tmp_path / "b", port=2, blob_signing_secret=SECRET))
    signature = a.url("k", grant).rsplit("X-Wl-Signature=", 1)[1]
    b.verify(grant, signature)
    assert not (tmp_path / "a" / SECRET_FILE).exists()
    # Without the setting each keeps its own secret, and the other's URLs are refused.
    own = blob_url_signer(load_settings(data_dir=tmp_path / "c"))
    with pytest.raises(Forbidden):
        own.verify(grant, signature)


def test_replicas_sharing_a_file_lake_share_its_multipart_uploads(tmp_path: Path) -> None:
    from wanllmdb_functions.app.blob_url import blob_store_from_url

    lake = f"file://{tmp_path / 'shared' / 'lake'}"
    a, b = (
        blob_store_from_url(
            load_settings(data_dir=tmp_path / name, blob_url=lake, blob_signing_secret=SECRET)
        )
        for name in ("a", "b")
    )
    upload = a.create_multipart("artifacts/x.bin", content_type="application/octet-stream")
    etag = b.write_part("artifacts/x.bin", upload, 1, [b"part one"], max_bytes=100)  # type: ignore[attr-defined]
    a.complete_multipart("artifacts/x.bin", upload, [(1, etag)])
    assert b.get("artifacts/x.bin") == b"part one"
    b.put("metrics/y", b"y")
    assert [i.key for i in a.list("")] == ["artifacts/x.bin", "metrics/y"]
