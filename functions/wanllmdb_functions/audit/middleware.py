"""ASGI middleware: tags every request with an id and records every mutating one in the audit log.

Pure ASGI rather than BaseHTTPMiddleware, so streamed bodies (blob uploads) pass through untouched.
The entry is written after the response is sent, whatever its status: refused and failed attempts
are exactly what an auditor looks for.
"""

from __future__ import annotations

import logging
import re
import secrets
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..app.offload import store_call
from ..core.request_scope import RequestScope, begin_scope
from ..core.values import now_utc
from .activity import kind_of, object_of
from .service import AuditLog, AuditRecord

if TYPE_CHECKING:
    from ..app.state import AppState
    from ..core.caller import Caller

__all__ = ["AUDITED_METHODS", "REQUEST_ID_HEADER", "AuditMiddleware"]

log = logging.getLogger(__name__)

AUDITED_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
REQUEST_ID_HEADER = "x-request-id"
_CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Presigned object transfers are authorised by their signature, not by a user, and in AWS they go
# straight to S3 (whose own logs cover them); the grant that allowed them is audited instead.
_UNAUDITED_PREFIXES = ("/api/blobs/",)
# GETs that change state: the OIDC callback signs someone in (the issuer's redirect is a GET). The
# target is the path alone; the query, which holds the authorization code, is never recorded.
_AUDITED_GETS = frozenset({"/api/auth/oidc/callback"})
# Liveness pings change nothing an auditor asks about, and every live run sends one every few
# seconds: they are recorded only when refused (a revoked key still pinging is worth seeing). So are
# the workspace's reads that take a body only because 1,000 run ids do not fit a URL: a band of a
# live run is asked for every few seconds, and as GETs they would not be recorded at all.
_AUDITED_WHEN_REFUSED = frozenset(
    {
        "POST /api/runs/{run_id}/heartbeat",
        "POST /api/projects/{project_id}/metrics/batch",
        "POST /api/projects/{project_id}/keys",
    }
)


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            given = value.decode("latin-1")
            if _CLIENT_REQUEST_ID.match(given):
                return given
    return secrets.token_hex(12)


def _action(scope: Scope, api_prefix: str) -> str:
    """`METHOD /api/route/{template}`: groups requests by what they did, not by which ids they named."""
    path: str = scope.get("path", "")
    template = getattr(scope.get("route"), "path_format", None) or path
    # FastAPI reports a route as declared on its router, without the prefix the app mounted it at.
    if path.startswith(api_prefix + "/") and not template.startswith(api_prefix + "/"):
        template = api_prefix + template
    return f"{scope['method']} {template}"[:256]


class AuditMiddleware:
    def __init__(self, app: ASGIApp, *, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER.encode(), request_id.encode())]
            await send(message)

        path: str = scope.get("path", "")
        audited = (scope["method"] in AUDITED_METHODS and not path.startswith(_UNAUDITED_PREFIXES)) or (
            scope["method"] == "GET" and path in _AUDITED_GETS
        )
        acted_on = begin_scope()
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            action = _action(scope, self.api_prefix) if audited else ""
            if audited and (status >= 400 or action not in _AUDITED_WHEN_REFUSED):
                await self._record(scope, action, request_id, status, acted_on)

    async def _record(
        self, scope: Scope, action: str, request_id: str, status: int, acted_on: RequestScope
    ) -> None:
        state: dict[str, Any] = scope.get("state") or {}
        caller: Caller | None = state.get("caller")
        client = scope.get("client")
        entry = AuditRecord(
            time=now_utc(),
            actor=caller.username if caller else None,
            actor_id=caller.user_id if caller else None,
            via=caller.via if caller else None,
            action=action,
            target=str(scope.get("path", ""))[:1024],
            status=status,
            source_ip=client[0] if client else None,
            request_id=request_id,
            project_id=acted_on.project_id,
            owner=acted_on.owner,
            kind=kind_of(action, acted_on.kind),
            object=acted_on.object or object_of(scope.get("path_params") or {}),
        )
        app_state: AppState = scope["app"].state.wl
        try:
            items = app_state.storage.items
            audit = AuditLog(items, retention_days=app_state.settings.audit_retention_days)
            await store_call(items, audit.record, entry)
        except Exception:  # the response is already sent; losing an entry must be loud but not fatal
            log.exception("could not write the audit entry for request %s", request_id)
