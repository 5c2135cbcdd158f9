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


# -- per-field precedence: a Settings object overrides the environment only where its caller set a field --
ENV_VALUES: dict[str, tuple[str, str, object]] = {
    # variable: (field, raw value, parsed value)
    "WANLLMDB_BASE_URL": ("base_url", "http://env.test:9000", "http://env.test:9000"),
    "WANLLMDB_API_KEY": ("api_key", "wl_from_env", "wl_from_env"),
    "WANLLMDB_PROJECT": ("project", "env-project", "env-project"),
    "WANLLMDB_ENTITY": ("entity", "env-entity", "env-entity"),
    "WANLLMDB_MODE": ("mode", "offline", "offline"),
    "WANLLMDB_DIR": ("dir", "/tmp/env-dir", Path("/tmp/env-dir")),
    "WANLLMDB_DATA_DIR": ("data_dir", "/tmp/env-data", Path("/tmp/env-data")),
    "WANLLMDB_SILENT": ("silent", "true", True),
    "WANLLMDB_QUIET": ("quiet", "1", True),
    "WANLLMDB_CONSOLE": ("console", "off", "off"),
    "WANLLMDB_INIT_TIMEOUT": ("init_timeout_s", "3.5", 3.5),
    "WANLLMDB_FINISH_TIMEOUT": ("finish_timeout_s", "4", 4.0),
    "WANLLMDB_DISABLE_GIT": ("disable_git", "true", True),
    "WANLLMDB_SAVE_CODE": ("save_code", "yes", True),
    "WANLLMDB_CACHE_DIR": ("cache_dir", "/tmp/env-cache", Path("/tmp/env-cache")),
    "WANLLMDB_CACHE_MAX_BYTES": ("cache_max_bytes", "1000000", 1_000_000),
    "WANLLMDB_ARTIFACT_MULTIPART_BYTES": ("artifact_multipart_bytes", "10485760", 10 << 20),
}


def test_every_environment_variable_is_in_the_table() -> None:
    from wanllmdb.settings import ENVIRONMENT

    assert {k: v[0] for k, v in ENV_VALUES.items()} == ENVIRONMENT


@pytest.mark.parametrize("variable", sorted(ENV_VALUES))
def test_a_settings_object_keeps_the_environment_for_fields_it_did_not_set(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, raw, parsed = ENV_VALUES[variable]
    monkeypatch.setenv(variable, raw)
    s = Settings.resolve(Settings(system_interval_s=1.0))
    assert getattr(s, name) == parsed
    assert s.system_interval_s == 1.0


@pytest.mark.parametrize("variable", sorted(ENV_VALUES))
def test_a_field_the_caller_set_beats_the_environment(variable: str, monkeypatch: pytest.MonkeyPatch) -> None:
    name, raw, _ = ENV_VALUES[variable]
    mine: dict[str, object] = {
        "base_url": "http://mine.test:1",
        "api_key": "wl_mine",
        "project": "mine",
        "entity": "me",
        "mode": "disabled",
        "dir": Path("/tmp/mine"),
        "data_dir": Path("/tmp/mine-data"),
        "silent": False,
        "quiet": False,
        "console": "wrap",
        "init_timeout_s": 7.0,
        "finish_timeout_s": 9.0,
        "disable_git": False,
        "save_code": False,
        "cache_dir": Path("/tmp/mine-cache"),
        "cache_max_bytes": 123,
        "artifact_multipart_bytes": 6 << 20,
    }
    monkeypatch.setenv(variable, raw)
    s = Settings.resolve(Settings(**{name: mine[name]}))  # type: ignore[arg-type]
    assert getattr(s, name) == mine[name]
    assert Settings.resolve({name: mine[name]}).__getattribute__(name) == mine[name]


def test_init_arguments_beat_settings_and_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("WANLLMDB_MODE", "offline")
    s = Settings.resolve(Settings(mode="online", project="p"), mode="disabled", dir=tmp_path)
    assert s.mode == "disabled" and s.project == "p" and s.dir == tmp_path


def test_settings_remember_which_fields_their_caller_set() -> None:
    assert Settings(system_interval_s=1.0).fields_set == {"system_interval_s"}
    assert Settings().fields_set == frozenset()
    assert "quiet" in Settings.resolve({"quiet": True}).fields_set


def test_an_unparseable_boolean_in_the_environment_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANLLMDB_SILENT", "perhaps")
    with pytest.raises(UsageError, match="silent='perhaps'"):
        Settings.resolve()


# -- wandb's setting names ----------------------------------------------------------------------------
def test_wandb_setting_names_act_on_our_fields() -> None:
    assert Settings(_disable_stats=True).system_metrics is False
    assert Settings(x_disable_stats=True).system_metrics is False
    assert Settings(_disable_meta=True).metadata is False
    assert Settings(x_disable_meta=True).metadata is False
    assert Settings(disable_git=True).git is False
    assert Settings(init_timeout=2).init_timeout_s == 2.0
    assert Settings(show_info=False).quiet is True
    assert Settings(mode="dryrun").mode == "offline"  # type: ignore[arg-type]
    assert Settings(mode="run").mode == "online"  # type: ignore[arg-type]
    assert Settings().console == "auto"  # descriptor capture where it works, else wrap (console.py)
    assert Settings(console="wrap_raw").console == "wrap"
    assert Settings(console="redirect").console == "redirect"
    assert Settings(console="off").console == "off"
    assert Settings(start_method="thread").start_method == "thread"
    assert Settings(anonymous="never").anonymous == "never"


def test_wandb_settings_we_cannot_honour_say_so() -> None:
    with pytest.warns(UserWarning, match="start_method='fork' has no effect"):
        Settings(start_method="fork")
    with pytest.raises(UsageError, match="no anonymous runs"):
        Settings(anonymous="must")
    with pytest.raises(UsageError, match="console='tty'"):
        Settings(console="tty")


def test_init_with_a_settings_object_keeps_mode_and_dir_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import wanllmdb

    monkeypatch.setenv("WANLLMDB_MODE", "offline")
    monkeypatch.setenv("WANLLMDB_DIR", str(tmp_path))
    run = wanllmdb.init(project="p", settings=Settings(system_interval_s=1.0, system_metrics=False))
    run.finish()
    assert run.mode == "offline" and run.dir is not None and run.dir.parent == tmp_path / "wanllmdb"
