"""The local server's websocket for a report's collaboration: /api/reports/{id}/collab/ws.

Authenticated as REST is (identity/socket_auth.py): `Authorization: Bearer` (an API key or session
token), or the browser's `wl_session` cookie from a page of this server's own origin. Its messages are
those of collab_protocol.py; on AWS, API Gateway's WebSocket API carries the same (collab_sockets.py).
"""

from __future__ import annotations

import asyncio
import contextlib

from fastapi import WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from ..app.deps import state_of
from ..app.routing import ServiceRouter
from ..core.caller import Caller
from ..core.errors import WanError
from ..identity.authn import resolve_caller
from ..identity.socket_auth import socket_token
from .collab_protocol import CollabProtocol, presence_message
from .collab_routes import BASE, ReportIdPath, collab_service, hub_of

__all__ = ["collab_socket", "ws_router"]

# Mounted by the local server only: a Lambda behind API Gateway HTTP cannot hold a socket.
ws_router = ServiceRouter(tags=["reports"])

# Close codes of the 4000 range: the HTTP status the same request would get, plus 4000.
CLOSE_UNAUTHENTICATED, CLOSE_FORBIDDEN = 4401, 4403


@ws_router.websocket(f"{BASE}/ws")
async def collab_socket(ws: WebSocket, report_id: ReportIdPath) -> None:
    state = state_of(ws)  # type: ignore[arg-type]
    svc, hub = collab_service(state), hub_of(state)
    items, ttl = state.storage.items, state.settings.session_ttl_s
    protocol = CollabProtocol(svc, report_id)
    try:
        token, cookie = socket_token(ws.headers, ws.cookies, own_hosts={ws.headers.get("host", "")})
        reader = await run_in_threadpool(resolve_caller, items, token, session_ttl_s=ttl, cookie=cookie)
        await run_in_threadpool(svc.check, reader, report_id, write=False)
    except WanError as exc:
        code = CLOSE_UNAUTHENTICATED if exc.status == 401 else CLOSE_FORBIDDEN
        await ws.close(code=code, reason=exc.message[:120])
        return
    await ws.accept()
    writer: Caller | None = None  # resolved again as a writer at the first update (read-only keys)
    clients: set[str] = set()

    def as_writer() -> Caller:
        nonlocal writer
        if writer is None:
            writer = resolve_caller(items, token, session_ttl_s=ttl, cookie=cookie, unsafe=True)
        return writer

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
                outcome = await run_in_threadpool(protocol.handle, message, reader=reader, writer=as_writer)
                if outcome.joined:
                    clients.add(outcome.joined)
                if outcome.broadcast is not None:
                    hub.publish(report_id, outcome.broadcast, skip=sub)
                if outcome.reply is not None:
                    sub._offer(outcome.reply)
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
