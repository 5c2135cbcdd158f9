"""The local server's websocket for a report's collaboration: /api/reports/{id}/collab/ws.

Authenticated as REST is: `Authorization: Bearer` (an API key or session token), or the browser's
`wl_session` cookie. A browser cannot send the CSRF header on a websocket, so a cookie-authenticated
socket must come from this server's own origin (a page elsewhere cannot ride the cookie).

Messages are the REST bodies with a `type`:

    -> {"type": "sync", "since": n, "presence": tag?}    <- {"type": "state", ...CollabState}
    -> {"type": "update", ...UpdateIn}                    <- {"type": "ack", "id", "seq"}
    -> {"type": "presence", ...PresenceIn}                (the others get {"type": "presence", ...})
    -> {"type": "leave", "client_id"}
    <- {"type": "update", "seq", "update", "client_id"}   another client's update, at once
    <- {"type": "resync"}                                 messages were dropped: send a sync
    <- {"type": "error", "id"?, "status", "error": {code, message, field}}

An update from a caller without edit rights is answered with an error of status 403 and stored nowhere.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ..app.deps import state_of
from ..core.caller import Caller
from ..core.errors import InvalidInput, Unauthenticated, WanError
from ..identity.authn import CookieAuth, resolve_caller
from ..identity.cookies import SESSION_COOKIE
from .collab import UpdateInvalid, decode_update
from .collab_models import PresenceIn, UpdateIn
from .collab_routes import BASE, ReportIdPath, collab_service, collab_state, hub_of, presence_message

__all__ = ["collab_socket", "ws_router"]

# Mounted by the local server only: a Lambda behind API Gateway HTTP cannot hold a socket.
ws_router = APIRouter(tags=["reports"])

# Close codes of the 4000 range: the HTTP status the same request would get, plus 4000.
CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN = 4401, 4403


def _token(ws: WebSocket) -> tuple[str, bool]:
    header = ws.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token:
        return token, False
    cookie = ws.cookies.get(SESSION_COOKIE)
    if cookie:
        origin = ws.headers.get("origin")
        if origin is None or urlsplit(origin).netloc != ws.headers.get("host"):
            raise Unauthenticated("a websocket on the session cookie must come from this site")
        return cookie, True
    raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <API key>'")


def _error(exc: WanError, message_id: str | None = None) -> dict[str, Any]:
    return {"type": "error", "id": message_id, "status": exc.status, **exc.body()}


@ws_router.websocket(f"{BASE}/ws")
async def collab_socket(ws: WebSocket, report_id: ReportIdPath) -> None:
    state = state_of(ws)  # type: ignore[arg-type]
    svc, hub = collab_service(state), hub_of(state)
    items, ttl = state.storage.items, state.settings.session_ttl_s
    try:
        token, from_cookie = _token(ws)
        cookie = CookieAuth(csrf=None, unsafe=False) if from_cookie else None
        reader = await run_in_threadpool(resolve_caller, items, token, session_ttl_s=ttl, cookie=cookie)
        await run_in_threadpool(svc.check, reader, report_id, write=False)
    except WanError as exc:
        code = CLOSE_UNAUTHENTICATED if exc.status == 401 else CLOSE_FORBIDDEN
        await ws.close(code=code, reason=exc.message[:120])
        return
    await ws.accept()
    writer: Caller | None = None  # resolved again as a writer at the first update (read-only keys)
    clients: set[str] = set()

    async def as_writer() -> Caller:
        nonlocal writer
        if writer is None:
            writer = await run_in_threadpool(
                resolve_caller, items, token, session_ttl_s=ttl, cookie=cookie, unsafe=True
            )
        return writer

    async def handle(message: dict[str, Any]) -> dict[str, Any] | None:
        kind = message.get("type")
        body = {k: v for k, v in message.items() if k != "type"}
        if kind == "sync":
            since = int(body.get("since") or 0)
            answer = await run_in_threadpool(collab_state, svc, report_id, since)
            return {"type": "state", **answer.model_dump()}
        if kind == "update":
            update_in = UpdateIn.model_validate(body)
            data = decode_update(update_in.update)
            seq = await run_in_threadpool(
                svc.append, await as_writer(), report_id, update_in.client_id, data, update_in.id
            )
            hub.publish(
                report_id,
                {"type": "update", "seq": seq, "update": update_in.update, "client_id": update_in.client_id},
                skip=sub,
            )
            return {"type": "ack", "id": update_in.id, "seq": seq}
        if kind == "presence":
            presence_in = PresenceIn.model_validate(body)
            clients.add(presence_in.client_id)
            await run_in_threadpool(
                svc.touch_presence,
                reader,
                report_id,
                presence_in.client_id,
                cursor=presence_in.cursor,
                block_id=presence_in.block_id,
            )
            hub.publish(report_id, await run_in_threadpool(presence_message, svc, report_id), skip=sub)
            return None
        if kind == "leave":
            await run_in_threadpool(svc.leave, reader, report_id, str(body.get("client_id", "")))
            hub.publish(report_id, await run_in_threadpool(presence_message, svc, report_id), skip=sub)
            return None
        raise InvalidInput(f"unknown message type {kind!r}", field="type")

    async def send_all() -> None:
        # The one task that sends: replies and broadcasts share the subscription's queue, in order.
        while True:
            message = await sub.queue.get()
            if sub.overflowed:
                sub.overflowed = False
                await ws.send_json({"type": "resync"})
            await ws.send_json(message)

    with hub.subscribe(report_id) as sub:
        sender = asyncio.create_task(send_all())
        try:
            while True:
                message = await ws.receive_json()
                message_id = message.get("id") if isinstance(message, dict) else None
                try:
                    if not isinstance(message, dict):
                        raise InvalidInput("a message is a JSON object", field="type")
                    reply = await handle(message)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    field = ".".join(str(p) for p in first["loc"]) or None
                    reply = _error(UpdateInvalid(str(first["msg"]), field=field), message_id)
                except WanError as exc:
                    reply = _error(exc, message_id)
                if reply is not None:
                    sub._offer(reply)
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
            for client_id in clients:
                with contextlib.suppress(WanError):
                    await run_in_threadpool(svc.leave, reader, report_id, client_id)
            if clients:
                hub.publish(report_id, await run_in_threadpool(presence_message, svc, report_id))
