"""The routers the reports function serves: in its Lambda, and mounted in the local server."""

from __future__ import annotations

from fastapi import APIRouter

from ..reports.routes import router as reports_router

__all__ = ["REPORT_ROUTERS"]

REPORT_ROUTERS: list[APIRouter] = [reports_router]
