"""The routers the identity service serves: in its Lambda, and mounted in the local server."""

from __future__ import annotations

from fastapi import APIRouter

from ..audit.routes import router as audit_router
from ..deletes.routes import router as deletes_router
from ..health.routes import router as health_router
from ..identity.auth_routes import router as auth_router
from ..identity.invitation_routes import router as invitation_router
from ..identity.key_routes import router as key_router
from ..identity.oidc_routes import router as oidc_router
from ..identity.org_routes import router as org_router
from ..notifications.automation_routes import router as automation_router
from ..notifications.routes import router as notification_router
from ..projects.activity_routes import router as activity_router
from ..projects.grant_routes import router as grant_router
from ..projects.routes import router as project_router
from ..views.routes import router as view_router

__all__ = ["IDENTITY_ROUTERS"]

IDENTITY_ROUTERS: list[APIRouter] = [
    health_router,
    auth_router,
    oidc_router,
    invitation_router,
    key_router,
    org_router,
    project_router,
    deletes_router,
    view_router,
    audit_router,
    notification_router,
    automation_router,
    activity_router,
    grant_router,
]
