"""Audit entries as the API returns them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["AuditEntry", "AuditPage"]


class AuditEntry(BaseModel):
    time: datetime
    actor: str | None
    actor_id: str | None
    via: str | None
    action: str
    target: str
    status: int
    source_ip: str | None
    request_id: str


class AuditPage(BaseModel):
    items: list[AuditEntry]
    next_cursor: str | None
