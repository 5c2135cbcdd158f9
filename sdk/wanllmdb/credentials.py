"""Where the SDK finds its API key: the environment, then ``wanllmdb login``, then the local server's key."""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["LOCAL_BASE_URLS", "credentials_path", "lookup_api_key", "store_api_key"]

LOCAL_BASE_URLS = frozenset({"http://127.0.0.1:8080", "http://localhost:8080"})


def credentials_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "wanllmdb" / "credentials.json"


def _read_store(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def store_api_key(base_url: str, key: str, *, path: Path | None = None) -> Path:
    """Save ``key`` for ``base_url`` in a file only the user can read (0600 from its first byte)."""
    path = path or credentials_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    store = _read_store(path)
    store[base_url.rstrip("/")] = key
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(store, f, indent=1)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def lookup_api_key(base_url: str, *, env_key: str | None, data_dir: Path) -> str | None:
    if env_key:
        return env_key
    stored = _read_store(credentials_path()).get(base_url.rstrip("/"))
    if stored:
        return stored
    if base_url.rstrip("/") in LOCAL_BASE_URLS:
        try:
            return (data_dir / "admin-api-key").read_text(encoding="utf-8").strip() or None
        except OSError:
            return None
    return None
