"""Builds a FastAPI app from service routers: used by every Lambda handler and by the local server.

A composition root: it puts the HTTP plumbing of `app/` together with the audit trail, so that
`app/` itself depends on no service package.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import compile_path

from . import __version__
from .app.body_limit import DeclaredBodyLimit
from .app.http_errors import ERROR_RESPONSES, install_error_handlers
from .app.state import API_PREFIX, MAX_REQUEST_BYTES, AppState
from .audit.middleware import AuditMiddleware
from .reports.sharing import link_projects

__all__ = ["create_app"]


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
    # Every service's read routes honour a report's share link (the shared report's panels read runs).
    app.state.wl.link_projects = link_projects
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
