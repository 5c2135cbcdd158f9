"""The routers the reports function serves: in its Lambda, and mounted in the local server."""

from __future__ import annotations

from fastapi import APIRouter

from ..reports.collab_routes import router as collab_router
from ..reports.routes import router as reports_router

__all__ = ["REPORT_ROUTERS"]

# The collaboration's REST long-poll and POSTs ride the reports function; its websocket is the local
# server's own (services.py), as API Gateway's HTTP APIs carry no websockets.
REPORT_ROUTERS: list[APIRouter] = [reports_router, collab_router]
