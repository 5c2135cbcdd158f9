"""The SDK's one typed settings object.

Precedence: explicit ``init()`` arguments > ``settings=`` > ``WANLLMDB_*`` environment > defaults.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from wanllmdb.credentials import lookup_api_key
from wanllmdb.errors import UsageError

__all__ = ["DEFAULT_BASE_URL", "Mode", "Settings"]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
Mode = Literal["online", "offline", "disabled"]
Resume = Literal["allow", "never", "must", "auto"]

# Environment variable → field. Only these are read; everything else comes from settings= or init().
_ENV = {
    "WANLLMDB_BASE_URL": "base_url",
    "WANLLMDB_API_KEY": "api_key",
    "WANLLMDB_PROJECT": "project",
    "WANLLMDB_ENTITY": "entity",
    "WANLLMDB_MODE": "mode",
    "WANLLMDB_DIR": "dir",
    "WANLLMDB_DATA_DIR": "data_dir",
}


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    project: str | None = None
    entity: str | None = None
    mode: Mode = "online"
    dir: Path = field(default_factory=Path.cwd)  # run dirs go to <dir>/wanllmdb/
    data_dir: Path = field(default_factory=lambda: Path.home() / ".wanllmdb")  # the local server's
    flush_interval_s: float = 5.0  # a chunk is cut at least this often...
    flush_max_values: int = 50_000  # ...or as soon as this many values are buffered
    system_interval_s: float = 10.0
    system_metrics: bool = True
    console: Literal["wrap", "off"] = "wrap"
    git: bool = True
    heartbeat_interval_s: float = 30.0
    http_timeout_s: float = 10.0
    init_timeout_s: float = 15.0  # init() waits this long for the server before going on from the spool
    finish_timeout_s: float = 60.0  # finish() waits this long for uploads, then leaves the rest for sync
    upload_batch: int = 100  # grants asked for per POST /uploads (the contract's maximum)
    retry_max_backoff_s: float = 30.0
    handle_signals: bool = True

    def __post_init__(self) -> None:
        if self.mode not in get_args(Mode):
            raise UsageError(f"mode={self.mode!r}: use one of {', '.join(get_args(Mode))}")
        if self.console not in ("wrap", "off"):
            raise UsageError(f"settings console={self.console!r}: use 'wrap' or 'off'")
        if not self.system_interval_s >= 1.0:
            raise UsageError(f"settings system_interval_s={self.system_interval_s}: the minimum is 1 second")
        if self.flush_interval_s <= 0 or self.flush_max_values <= 0:
            raise UsageError("settings flush_interval_s and flush_max_values must be positive")
        if not 1 <= self.upload_batch <= 100:
            raise UsageError(f"settings upload_batch={self.upload_batch}: use 1..100")
        if not self.base_url.startswith(("http://", "https://")):
            raise UsageError(f"base_url={self.base_url!r}: give an http:// or https:// URL")

    @classmethod
    def resolve(cls, overrides: Settings | dict[str, Any] | None = None, **explicit: Any) -> Settings:
        """Build settings from the environment, then ``overrides``, then non-None ``explicit`` arguments."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for env, name in _ENV.items():
            raw = os.environ.get(env)
            if raw:
                values[name] = raw
        if isinstance(overrides, Settings):
            overrides = {f: getattr(overrides, f) for f in known}
        for source in (overrides or {}, {k: v for k, v in explicit.items() if v is not None}):
            for name, value in source.items():
                if name not in known:
                    raise UsageError(f"settings: unknown setting {name!r}; known: {', '.join(sorted(known))}")
                values[name] = value
        for name in ("dir", "data_dir"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        for name, f in known.items():
            if name in values and f.type in ("float", "int", "bool") and isinstance(values[name], str):
                values[name] = _parse_scalar(name, str(f.type), values[name])
        values["base_url"] = str(values.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
        settings = cls(**values)
        key = lookup_api_key(settings.base_url, env_key=settings.api_key, data_dir=settings.data_dir)
        return dataclasses.replace(settings, api_key=key)

    @property
    def root(self) -> Path:
        return self.dir / "wanllmdb"


def _parse_scalar(name: str, kind: str, raw: str) -> Any:
    try:
        if kind == "bool":
            return raw.strip().lower() in ("1", "true", "yes", "on")
        return float(raw) if kind == "float" else int(raw)
    except ValueError as exc:
        raise UsageError(f"settings {name}={raw!r}: expected a {kind}") from exc
