"""The routers the reports functions serve: in their Lambdas, and mounted in the local server."""

from __future__ import annotations

from fastapi import APIRouter

from ..app.routing import ServiceRouter
from ..reports.collab_routes import router as collab_router
from ..reports.routes import router as reports_router

__all__ = ["EXPORT_PATH", "REPORT_EXPORT_ROUTERS", "REPORT_ROUTERS"]

# The export prints with headless Chromium, which only the export function's container image carries
# (functions/pdf_image/): on AWS that route goes there, and every other report route to the zip function.
EXPORT_PATH = "/reports/{report_id}/export"


def _routes(router: APIRouter, *, export: bool) -> APIRouter:
    chosen = [r for r in router.routes if (getattr(r, "path", None) == EXPORT_PATH) is export]
    return ServiceRouter(routes=chosen, tags=list(router.tags))


# The collaboration's REST long-poll and POSTs ride the reports function; its websocket is the local
# server's own (services.py), or API Gateway's WebSocket API on AWS (handlers/report_collab.py).
REPORT_ROUTERS: list[APIRouter] = [_routes(reports_router, export=False), collab_router]
REPORT_EXPORT_ROUTERS: list[APIRouter] = [_routes(reports_router, export=True)]
