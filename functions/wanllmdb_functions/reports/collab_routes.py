"""Collaboration routes of a report (issue 21, "Collab"): parse, call the CollabService, shape the answer.

REST (every backend): POST an update or a presence, and GET what a client lacks, long-polling up to
`wait_s` for it. The local server also has the websocket of collab_ws.py, which carries the same
JSON; both wake at once through the in-process CollabHub, and fall back to reading the store with
backoff for what other processes (other Lambdas) append. On AWS, what is POSTed here is also posted to
the report's API Gateway websockets (collab_sockets.py), when the stack set their callback URL.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Query, status
from starlette.concurrency import run_in_threadpool

from ..adapters.apigw_connections import ApiGatewayConnections
from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..app.state import AppState
from ..identity.authn import CallerDep
from .collab import CollabService, decode_update
from .collab_hub import CollabHub
from .collab_models import CollabState, PresenceIn, PresenceOut, UpdateAck, UpdateIn
from .collab_protocol import collab_state, presence_message, update_message
from .collab_sockets import SocketFanOut, SocketRegistry, gated_collab_service

__all__ = ["collab_service", "hub_of", "publish", "router"]

router = ServiceRouter(tags=["reports"])

ReportIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
BASE = "/reports/{report_id}/collab"
# Store polls of a waiting long-poll, for updates that other processes append: from 50 ms, doubling
# to 1 s. On the local server the hub wakes a waiter at once, so these only bound the cost.
FIRST_POLL_S, MAX_POLL_S = 0.05, 1.0


def collab_service(state: AppState) -> CollabService:
    return gated_collab_service(state.storage.items)


def hub_of(state: AppState) -> CollabHub:
    return state.shared(CollabHub, lambda _: CollabHub())


def publish(state: AppState, report_id: str, message: dict[str, Any]) -> None:
    """Tell the report's sockets: this process's through the hub, and API Gateway's when there are any."""
    hub_of(state).publish(report_id, message)
    if state.settings.collab_callback_url:
        push = state.shared(
            ApiGatewayConnections,
            lambda s: ApiGatewayConnections(str(s.collab_callback_url), region=s.region),
        )
        SocketFanOut(SocketRegistry(state.storage.items), push).broadcast(report_id, message)


@router.get(f"{BASE}/updates")
async def collab_updates(
    report_id: ReportIdPath,
    caller: CallerDep,
    state: AppStateDep,
    since: Annotated[int, Query(ge=0, description="the last seq the client has applied")] = 0,
    wait_s: Annotated[float, Query(ge=0, le=25, description="wait this long for something new")] = 0,
    presence: Annotated[
        str | None, Query(max_length=64, description="the presence_tag the client has: a change answers")
    ] = None,
) -> CollabState:
    """The updates after `since` (or a snapshot and those after it) and who is here. With `wait_s`, a
    long-poll: answers as soon as there is an update, or presence other than `presence`."""
    svc = collab_service(state)
    await run_in_threadpool(svc.check, caller, report_id, write=False)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    with hub_of(state).subscribe(report_id) as sub:
        pause = FIRST_POLL_S
        while True:
            answer = await run_in_threadpool(collab_state, svc, report_id, since)
            remaining = deadline - loop.time()
            changed = presence is not None and answer.presence_tag != presence
            if answer.updates or changed or remaining <= 0:
                return answer
            try:
                await asyncio.wait_for(sub.queue.get(), timeout=min(pause, remaining))
                while not sub.queue.empty():  # one store read answers every message so far
                    sub.queue.get_nowait()
                pause = FIRST_POLL_S
            except TimeoutError:
                pause = min(pause * 2, MAX_POLL_S)


@router.post(f"{BASE}/updates")
def post_collab_update(
    report_id: ReportIdPath, body: UpdateIn, caller: CallerDep, state: AppStateDep
) -> UpdateAck:
    """Append one Yjs update (edit rights needed, else 403); a retry with the same `id` is answered
    with the seq of the first, and nothing is appended twice."""
    svc = collab_service(state)
    update = decode_update(body.update)
    seq = svc.append(caller, report_id, body.client_id, update, body.id)
    publish(state, report_id, update_message(seq, body.update, body.client_id))
    return UpdateAck(seq=seq)


@router.post(f"{BASE}/presence", status_code=status.HTTP_200_OK)
def post_collab_presence(
    report_id: ReportIdPath, body: PresenceIn, caller: CallerDep, state: AppStateDep
) -> PresenceOut:
    """Say that this client is here (and where): shown to the others for 30 s unless said again."""
    svc = collab_service(state)
    mine = svc.touch_presence(caller, report_id, body.client_id, cursor=body.cursor, block_id=body.block_id)
    publish(state, report_id, presence_message(svc, report_id))
    return PresenceOut(**mine.as_json())


@router.delete(f"{BASE}/presence/{{client_id}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_collab_presence(
    report_id: ReportIdPath,
    client_id: Annotated[str, Path(min_length=1, max_length=64)],
    caller: CallerDep,
    state: AppStateDep,
) -> None:
    """The client left: its presence goes at once."""
    svc = collab_service(state)
    svc.check(caller, report_id, write=False)
    svc.leave(caller, report_id, client_id)
    publish(state, report_id, presence_message(svc, report_id))
