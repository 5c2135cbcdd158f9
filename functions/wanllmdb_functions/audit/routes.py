"""GET /api/audit: the tenant's audit log, for admins."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from ..app.deps import SettingsDep, StorageDep
from ..core.policy import Permission, authorize
from ..identity.authn import CallerDep
from .models import AuditPage
from .service import AuditLog

router = APIRouter(tags=["audit"])


@router.get("/audit")
def list_audit(
    caller: CallerDep,
    storage: StorageDep,
    settings: SettingsDep,
    actor: Annotated[str | None, Query(max_length=128, description="Username; '-' for anonymous")] = None,
    action: Annotated[
        str | None, Query(max_length=256, description="Case-insensitive substring, e.g. 'POST /api/keys'")
    ] = None,
    since: Annotated[datetime | None, Query(description="ISO-8601 time; entries at or after it")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
) -> AuditPage:
    authorize(caller, Permission.AUDIT_READ, None)
    log = AuditLog(storage.items, retention_days=settings.audit_retention_days)
    return log.list_entries(actor=actor, action=action, since=since, limit=limit, cursor=cursor)
