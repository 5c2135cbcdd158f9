"""What one app holds for its lifetime: settings, storage and in-process hooks, built on first use."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from ..core.hooks import Hook
from ..core.settings import Settings, load_settings
from .storage import Storage, build_storage

if TYPE_CHECKING:
    from ..ports import ItemStore
    from ..ports.events import RunChanged, RunFinished, RunSummaryChanged

__all__ = ["API_PREFIX", "MAX_REQUEST_BYTES", "AppState"]

T = TypeVar("T")

API_PREFIX = "/api"
# JSON API bodies (configs, summaries, grant requests) are far smaller; a bigger body is refused with
# 413 before it is read into memory. Routers that take object data set their own limit.
MAX_REQUEST_BYTES = 2 << 20


class AppState:
    """Settings, storage and in-process hooks for one app, built on first use so imports stay cheap."""

    def __init__(
        self, settings: Settings | None = None, storage_factory: Callable[[Settings], Storage] = build_storage
    ):
        self._settings = settings
        self._storage: Storage | None = None
        self._factory = storage_factory
        self._lock = threading.Lock()
        self.run_finished: Hook[RunFinished] = Hook("run finished")
        self.run_changed: Hook[RunChanged] = Hook("run changed")
        self.run_summary: Hook[RunSummaryChanged] = Hook("run summary changed")
        # Keys of objects the embedded blob endpoint stored (in AWS, S3 events play this part).
        self.object_created: Hook[str] = Hook("object created")
        # The projects a report share link's token lets its holder read (reports.sharing.link_projects),
        # set by the composition root: identity resolves the link header with it on read routes.
        self.link_projects: Callable[[ItemStore, str], frozenset[str]] | None = None
        # Caches that live as long as the app (one decoded-object cache per app, not per module).
        self._shared: dict[type[Any], Any] = {}

    def reset(self) -> None:
        """Read settings and build storage, and every `shared` instance, again on next use; hook
        listeners stay attached.

        What a fresh cold start of the same handler code would see (tests use it between cases): a
        shared client built from the old settings (an SES or SQS endpoint) must not outlive them.
        """
        with self._lock:
            self._settings = None
            self._storage = None
            self._shared.clear()

    def shared(self, kind: type[T], build: Callable[[Settings], T]) -> T:
        """This app's one instance of `kind`, built from settings on first use.

        Process-wide caches live here rather than in module globals, so two apps in one process
        (tests, the local server beside a handler) never share or evict each other's entries.
        """
        found = self._shared.get(kind)
        if found is None:
            with self._lock:
                found = self._shared.get(kind)
                if found is None:
                    found = self._shared[kind] = build(self.settings)
        return found  # type: ignore[no-any-return]

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            with self._lock:
                if self._storage is None:
                    self._storage = self._factory(self.settings)
        return self._storage
