"""Start-up configuration: one typed object, clear errors naming the variable and the fix."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wanllmdb_functions.core.settings import SettingsError, load_settings


def test_unknown_backend_names_variable_and_allowed_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANLLMDB_BACKEND", "mongodb")
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "WANLLMDB_BACKEND='mongodb'" in str(err.value)
    assert "'local' or 'aws'" in str(err.value)


def test_aws_backend_requires_table_and_bucket(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANLLMDB_BACKEND", "aws")
    with pytest.raises(SettingsError, match="WANLLMDB_TABLE, WANLLMDB_BUCKET"):
        load_settings()


def test_bad_port_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANLLMDB_PORT", "http")
    with pytest.raises(SettingsError, match="WANLLMDB_PORT"):
        load_settings()


def test_cli_flags_win_over_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("WANLLMDB_PORT", "9999")
    settings = load_settings(port=1234, data_dir=tmp_path)
    assert settings.port == 1234
    assert settings.base_url == "http://127.0.0.1:1234"


def test_server_command_refuses_bad_backend_with_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", "server"],
        env={"WANLLMDB_BACKEND": "nope", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "WANLLMDB_BACKEND='nope' is not valid" in result.stderr
    assert "Traceback" not in result.stderr


def test_server_command_refuses_unusable_data_dir_with_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", "server", "--port", "0", "--data-dir", str(blocker / "data")],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "--data-dir" in result.stderr
    assert "choose a writable folder" in result.stderr
    assert "Traceback" not in result.stderr
