"""The collaboration's websocket messages, one at a time: what both sockets speak, the local server's
(collab_ws.py) and API Gateway's (collab_sockets.py). Messages are the REST bodies with a `type`:

    -> {"type": "sync", "since": n}                       <- {"type": "state", ...CollabState}
    -> {"type": "update", ...UpdateIn}                    <- {"type": "ack", "id", "seq"}
    -> {"type": "presence", ...PresenceIn}                (the others get {"type": "presence", ...})
    -> {"type": "leave", "client_id"}
    <- {"type": "update", "seq", "update", "client_id"}   another client's update, at once
    <- {"type": "resync"}                                 messages were dropped: send a sync
    <- {"type": "pull", "seq"}                            (API Gateway) too large for a message:
                                                          GET .../collab/updates?since= instead
    <- {"type": "error", "id"?, "status", "error": {code, message, field}}

An update from a caller without edit rights is answered with an error of status 403 and stored nowhere.
The protocol knows no transport: `handle` turns one message into an `Outcome`, which the socket sends.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ..core.caller import Caller
from ..core.errors import InvalidInput, WanError
from .collab import CollabService, Presence, UpdateInvalid, decode_update
from .collab_models import CollabState, PresenceIn, PresenceOut, UpdateIn

__all__ = [
    "CollabProtocol",
    "Outcome",
    "collab_state",
    "error_message",
    "presence_message",
    "presence_tag",
    "update_message",
]

Message = dict[str, Any]


def presence_tag(presence: list[Presence]) -> str:
    text = json.dumps([p.as_json() for p in presence], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def collab_state(svc: CollabService, report_id: str, since: int) -> CollabState:
    batch = svc.batch_since(report_id, since)
    presence = svc.presence(report_id)
    return CollabState(
        seq=batch.seq,
        updates=batch.encoded(),
        presence=[PresenceOut(**p.as_json()) for p in presence],
        presence_tag=presence_tag(presence),
    )


def presence_message(svc: CollabService, report_id: str) -> Message:
    presence = svc.presence(report_id)
    return {
        "type": "presence",
        "presence": [p.as_json() for p in presence],
        "presence_tag": presence_tag(presence),
    }


def update_message(seq: int, update: str, client_id: str) -> Message:
    return {"type": "update", "seq": seq, "update": update, "client_id": client_id}


def error_message(exc: WanError, message_id: str | None = None) -> Message:
    return {"type": "error", "id": message_id, "status": exc.status, **exc.body()}


@dataclass(frozen=True)
class Outcome:
    """What one message asks the socket to do."""

    reply: Message | None = None  # to the sender
    broadcast: Message | None = None  # to the report's other sockets
    joined: str | None = None  # the editor tab whose presence this socket now holds
    left: str | None = None  # the editor tab that said it left


class CollabProtocol:
    """One report's messages. `writer` gives the caller as a writer, asked at an update only (a
    read-only API key may hold a socket but not write through it)."""

    def __init__(self, svc: CollabService, report_id: str) -> None:
        self._svc = svc
        self._report_id = report_id

    def handle(self, message: object, *, reader: Caller, writer: Callable[[], Caller]) -> Outcome:
        """Never raises for a bad or refused message: that is an error reply, and the socket stays."""
        message_id = message.get("id") if isinstance(message, dict) else None
        try:
            if not isinstance(message, dict):
                raise InvalidInput("a message is a JSON object", field="type")
            return self._dispatch(message, reader, writer)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or None
            return Outcome(reply=error_message(UpdateInvalid(str(first["msg"]), field=field), message_id))
        except WanError as exc:
            return Outcome(reply=error_message(exc, message_id))

    def _dispatch(self, message: Message, reader: Caller, writer: Callable[[], Caller]) -> Outcome:
        svc, report_id = self._svc, self._report_id
        kind = message.get("type")
        body = {k: v for k, v in message.items() if k != "type"}
        if kind == "sync":
            since = body.get("since") or 0
            if not isinstance(since, int) or since < 0:
                raise InvalidInput("since is the last seq the client applied: an integer >= 0", field="since")
            svc.check(reader, report_id, write=False)
            return Outcome(reply={"type": "state", **collab_state(svc, report_id, since).model_dump()})
        if kind == "update":
            update_in = UpdateIn.model_validate(body)
            data = decode_update(update_in.update)
            seq = svc.append(writer(), report_id, update_in.client_id, data, update_in.id)
            return Outcome(
                reply={"type": "ack", "id": update_in.id, "seq": seq},
                broadcast=update_message(seq, update_in.update, update_in.client_id),
            )
        if kind == "presence":
            presence_in = PresenceIn.model_validate(body)
            svc.touch_presence(
                reader,
                report_id,
                presence_in.client_id,
                cursor=presence_in.cursor,
                block_id=presence_in.block_id,
            )
            return Outcome(broadcast=presence_message(svc, report_id), joined=presence_in.client_id)
        if kind == "leave":
            client_id = str(body.get("client_id", ""))
            svc.leave(reader, report_id, client_id)
            return Outcome(broadcast=presence_message(svc, report_id), left=client_id)
        raise InvalidInput(f"unknown message type {kind!r}", field="type")
