"""What artifact code needs to reach the server and the cache: one per (server, key, cache dir)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from wanllmdb.artifacts.cache import ArtifactCache
from wanllmdb.artifacts.http import ArtifactHttp
from wanllmdb.settings import Settings

__all__ = ["ArtifactContext", "cache_dir_of"]

_contexts: dict[tuple[str, str | None, Path], ArtifactContext] = {}
_lock = threading.Lock()


def cache_dir_of(settings: Settings) -> Path:
    return settings.cache_dir if settings.cache_dir is not None else settings.data_dir / "cache"


@dataclass
class ArtifactContext:
    settings: Settings
    http: ArtifactHttp
    cache: ArtifactCache
    _entity: str | None = field(default=None)

    @classmethod
    def of(cls, settings: Settings, *, entity: str | None = None) -> ArtifactContext:
        key = (settings.base_url, settings.api_key, cache_dir_of(settings))
        with _lock:
            ctx = _contexts.get(key)
            if ctx is None:
                ctx = _contexts[key] = cls(
                    settings,
                    ArtifactHttp(
                        settings.base_url,
                        settings.api_key,
                        timeout_s=max(settings.http_timeout_s, 60.0),
                        max_backoff_s=settings.retry_max_backoff_s,
                    ),
                    ArtifactCache(cache_dir_of(settings), max_bytes=settings.cache_max_bytes),
                )
        if entity and ctx._entity is None:
            ctx._entity = entity
        return ctx

    @property
    def entity(self) -> str:
        """The default entity: the API key's user, asked once."""
        if self._entity is None:
            self._entity = str(self.http.api("GET", "/auth/me")["username"])
        return self._entity

    @classmethod
    def forget_all(cls) -> None:
        """Close every context (tests, and a process that changed its server)."""
        with _lock:
            for ctx in _contexts.values():
                ctx.http.close()
                ctx.cache.close()
            _contexts.clear()
