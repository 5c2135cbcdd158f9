"""Builds a FastAPI app from service routers: used by every Lambda handler and by the local server."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from .. import __version__
from ..audit.middleware import AuditMiddleware
from .body_limit import DeclaredBodyLimit
from .hooks import Hook
from .http_errors import ERROR_RESPONSES, install_error_handlers
from .settings import Settings, load_settings
from .storage import Storage, build_storage

if TYPE_CHECKING:
    from ..runs.events import RunFinished

__all__ = ["API_PREFIX", "MAX_REQUEST_BYTES", "AppState", "create_app"]

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
        # Keys of objects the embedded blob endpoint stored (in AWS, S3 events play this part).
        self.object_created: Hook[str] = Hook("object created")

    def reset(self) -> None:
        """Read settings and build storage again on next use; hook listeners stay attached.

        What a fresh cold start of the same handler code would see (tests use it between cases).
        """
        with self._lock:
            self._settings = None
            self._storage = None

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


def create_app(
    routers: Iterable[APIRouter], *, state: AppState | None = None, title: str = "wanLLMDB"
) -> FastAPI:
    app = FastAPI(
        title=title,
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.wl = state or AppState()
    install_error_handlers(app)
    routers = list(routers)
    for router in routers:
        app.include_router(
            router, prefix=API_PREFIX, responses=ERROR_RESPONSES, max_body_size=MAX_REQUEST_BYTES
        )
    # A route may declare a larger max_body_size of its own (a route's own limit wins in FastAPI);
    # the declared-length check must honour it too.
    larger = [
        (compile_path(API_PREFIX + route.path)[0], route.max_body_size)
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.max_body_size and route.max_body_size > MAX_REQUEST_BYTES
    ]
    app.add_middleware(
        DeclaredBodyLimit,
        max_bytes=MAX_REQUEST_BYTES,
        exempt_prefixes=(f"{API_PREFIX}/blobs/",),
        route_limits=larger,
    )
    # Every service's app gets the audit trail and request ids, whichever Lambda serves it. Added
    # last, so it is outermost: refused requests (a 413 included) are audited too.
    app.add_middleware(AuditMiddleware, api_prefix=API_PREFIX)
    return app
