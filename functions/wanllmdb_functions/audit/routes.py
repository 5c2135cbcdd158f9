"""GET /api/audit: the tenant's audit log, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Query

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep
from .models import AuditPage
from .service import AuditLog

router = ServiceRouter(tags=["audit"])


async def audit_log(state: AppStateDep) -> AuditLog:
    return AuditLog(state.storage.items, retention_days=state.settings.audit_retention_days)


AuditDep = Annotated[AuditLog, Depends(audit_log)]


@router.get("/audit")
def list_audit(
    caller: CallerDep,
    log: AuditDep,
    actor: Annotated[str | None, Query(max_length=128, description="Username; '-' for anonymous")] = None,
    action: Annotated[
        str | None, Query(max_length=256, description="Case-insensitive substring, e.g. 'POST /api/keys'")
    ] = None,
    since: Annotated[datetime | None, Query(description="ISO-8601 time; entries at or after it")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AuditPage:
    return log.read(caller, actor=actor, action=action, since=since, limit=limit, cursor=cursor)
