from __future__ import annotations

import stat
from pathlib import Path

import pytest

from wanllmdb.credentials import find_api_key, store_api_key
from wanllmdb.errors import UsageError
from wanllmdb.settings import DEFAULT_BASE_URL, Settings


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = Settings.resolve()
    assert s.base_url == DEFAULT_BASE_URL and s.mode == "online" and s.system_interval_s == 10.0
    monkeypatch.setenv("WANLLMDB_BASE_URL", "http://example.test:9000/")
    monkeypatch.setenv("WANLLMDB_DIR", str(tmp_path))
    s = Settings.resolve()
    assert s.base_url == "http://example.test:9000" and s.root == tmp_path / "wanllmdb"


def test_bad_settings_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UsageError, match="mode='sometimes'"):
        Settings.resolve(mode="sometimes")
    with pytest.raises(UsageError, match="unknown setting 'flush_every'"):
        Settings.resolve({"flush_every": 3})
    with pytest.raises(UsageError, match="the minimum is 1 second"):
        Settings.resolve({"system_interval_s": 0.5})
    monkeypatch.setenv("WANLLMDB_MODE", "nope")
    with pytest.raises(UsageError, match="mode='nope'"):
        Settings.resolve()


def test_api_key_lookup_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    (data_dir / "admin-api-key").write_text("wl_admin\n")
    assert find_api_key(DEFAULT_BASE_URL, env_key=None, data_dir=data_dir) == (
        "wl_admin",
        str(data_dir / "admin-api-key"),
    )
    # The local server's key is only for the local default URL.
    assert find_api_key("https://tracking.example.com", env_key=None, data_dir=data_dir)[0] is None
    path = store_api_key(DEFAULT_BASE_URL, "wl_stored")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert find_api_key(DEFAULT_BASE_URL, env_key=None, data_dir=data_dir)[0] == "wl_stored"
    assert find_api_key(DEFAULT_BASE_URL, env_key="wl_env", data_dir=data_dir)[0] == "wl_env"
    monkeypatch.setenv("WANLLMDB_API_KEY", "wl_env")
    assert Settings.resolve().api_key == "wl_env"
