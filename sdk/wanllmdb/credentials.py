"""Where the SDK finds its API key: the environment, then ``wanllmdb login``, then the local server's key."""

from __future__ import annotations

import json
import os
from pathlib import Path

__all__ = ["LOCAL_BASE_URLS", "credentials_path", "find_api_key", "lookup_api_key", "store_api_key"]

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
    return find_api_key(base_url, env_key=env_key, data_dir=data_dir)[0]


def find_api_key(base_url: str, *, env_key: str | None, data_dir: Path) -> tuple[str | None, str]:
    """(key, where it came from): the environment, then `wanllmdb login`, then the local server's key."""
    if env_key:
        return env_key, "WANLLMDB_API_KEY"
    path = credentials_path()
    stored = _read_store(path).get(base_url.rstrip("/"))
    if stored:
        return stored, str(path)
    if base_url.rstrip("/") in LOCAL_BASE_URLS:
        admin = data_dir / "admin-api-key"
        try:
            key = admin.read_text(encoding="utf-8").strip()
        except OSError:
            key = ""
        if key:
            return key, str(admin)
    return None, "none"
