"""Collaboration over API Gateway's WebSocket API (AWS): the same messages as the local socket
(collab_protocol.py), where every message is an invocation of its own and the sockets are API Gateway's.

- $connect authenticates the handshake as REST does (identity/socket_auth.py: a bearer header, or the
  session cookie from the dashboard's own origin), checks that the caller may read the report named by
  `?report=`, and records the connection twice: under its id (what the handshake proved, never the
  token), and in the report's partition (whom to tell of an update). Both expire after SOCKET_TTL_S.
- $default resumes the caller from that record (a revoked session or lost membership applies at once),
  handles the message as the local socket does, answers the sender and tells the report's other sockets
  through the `ConnectionPush` port. A socket that is gone (410) is forgotten on the spot.
- $disconnect ends the presence of the tabs the socket announced, and forgets it.

An update POSTed over REST reaches the sockets too (`SocketFanOut`, from collab_routes.py), so a client
on the long-poll fallback and one on a socket see each other's edits at once.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from http.cookies import CookieError, SimpleCookie
from typing import Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Forbidden, InvalidInput, Unauthenticated, WanError
from ..core.policy import Permission
from ..identity.socket_auth import SocketGrant, authenticate_socket, resume_caller, socket_token
from ..ports import Condition, ItemStore, TransactOp
from ..ports.connection_push import ConnectionGone, ConnectionPush
from . import keys
from .access import ReportAccess
from .collab import CollabService
from .collab_protocol import CollabProtocol, error_message, presence_message

__all__ = [
    "MAX_PUSH_BYTES",
    "SOCKET_TTL_S",
    "CollabSockets",
    "SocketFanOut",
    "SocketRecord",
    "SocketRegistry",
    "gated_collab_service",
]

# API Gateway closes a connection after 2 hours; a record whose $disconnect never came goes soon after.
SOCKET_TTL_S = 3 * 3600
# API Gateway refuses to post more than 128 KiB to a connection: a larger message becomes a "pull",
# and the client GETs the same answer over REST.
MAX_PUSH_BYTES = 120 * 1024
_REPORT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def gated_collab_service(items: ItemStore) -> CollabService:
    """The collaboration service whose gate is the reports service's one authorization."""
    access = ReportAccess(items)

    def gate(caller: Caller, report_id: str, permission: Permission) -> None:
        access.open(caller, report_id, permission)

    return CollabService(items, gate)


@dataclass(frozen=True)
class SocketRecord:
    connection_id: str
    report_id: str
    username: str
    grant: SocketGrant
    clients: tuple[str, ...] = ()  # the editor tabs whose presence this socket announced


class SocketRegistry:
    """A report's open sockets in the item store."""

    def __init__(self, items: ItemStore) -> None:
        self._items = items

    def add(self, record: SocketRecord, *, expires: int) -> None:
        listed = keys.socket_of_report(record.report_id, record.connection_id)
        self._items.transact_write(
            [
                TransactOp("put", self._item(record, expires)),
                TransactOp(
                    "put",
                    {"pk": listed[0], "sk": listed[1], "connection_id": record.connection_id, "ttl": expires},
                ),
            ]
        )

    def get(self, connection_id: str) -> SocketRecord | None:
        item = self._items.get(*keys.socket(connection_id))
        if item is None:
            return None
        return SocketRecord(
            connection_id=connection_id,
            report_id=item["report_id"],
            username=item["username"],
            grant=SocketGrant.from_item(item["grant"]),
            clients=tuple(item.get("clients") or ()),
        )

    def note_client(self, record: SocketRecord, client_id: str) -> SocketRecord:
        if client_id in record.clients:
            return record
        noted = replace(record, clients=(*record.clients, client_id)[-16:])
        # Only while the record stands: an update would otherwise make one without a TTL, for ever.
        with contextlib.suppress(ConditionFailed):
            self._items.update(
                *keys.socket(record.connection_id),
                set_attrs={"clients": list(noted.clients)},
                condition=Condition.exists(),
            )
        return noted

    def remove(self, connection_id: str, report_id: str) -> None:
        self._items.delete(*keys.socket_of_report(report_id, connection_id))
        self._items.delete(*keys.socket(connection_id))

    def of_report(self, report_id: str) -> list[str]:
        pk = keys.report_of(report_id)
        return [i["connection_id"] for i in self._items.query_all(pk, sk_prefix=keys.SOCKET_PREFIX)]

    @staticmethod
    def _item(record: SocketRecord, expires: int) -> dict[str, Any]:
        pk, sk = keys.socket(record.connection_id)
        return {
            "pk": pk,
            "sk": sk,
            "report_id": record.report_id,
            "username": record.username,
            "grant": record.grant.as_item(),
            "clients": list(record.clients),
            "ttl": expires,
        }


class SocketFanOut:
    """Sends collaboration messages to a report's sockets through API Gateway."""

    def __init__(self, registry: SocketRegistry, push: ConnectionPush) -> None:
        self._registry = registry
        self._push = push

    def send(self, connection_id: str, report_id: str, message: dict[str, Any]) -> bool:
        """Whether the socket got it; one that is gone is forgotten."""
        data = json.dumps(message, separators=(",", ":")).encode()
        if len(data) > MAX_PUSH_BYTES:
            data = json.dumps({"type": "pull", "seq": message.get("seq")}).encode()
        try:
            self._push.post(connection_id, data)
        except ConnectionGone:
            self._registry.remove(connection_id, report_id)
            return False
        return True

    def broadcast(self, report_id: str, message: dict[str, Any], *, skip: str | None = None) -> int:
        """Tell every socket of the report but `skip`; returns how many heard it."""
        others = [c for c in self._registry.of_report(report_id) if c != skip]
        return sum(self.send(connection_id, report_id, message) for connection_id in others)


class CollabSockets:
    """The WebSocket API's three routes. `own_hosts`: where the dashboard is served (cookie origins)."""

    def __init__(
        self,
        items: ItemStore,
        push: ConnectionPush,
        *,
        session_ttl_s: int,
        own_hosts: frozenset[str],
        clock: Any = None,
    ) -> None:
        self._items = items
        self._svc = gated_collab_service(items)
        self._registry = SocketRegistry(items)
        self._push = push
        self._fanout = SocketFanOut(self._registry, push)
        self._session_ttl_s = session_ttl_s
        self._own_hosts = own_hosts
        self._clock = clock or time.time

    def connect(self, connection_id: str, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        """Accept the handshake or raise the WanError whose status API Gateway answers it with."""
        report_id = query.get("report", "")
        if not _REPORT_ID.match(report_id):
            raise InvalidInput("connect with ?report=<report id>", field="report")
        lowered = {k.lower(): v for k, v in headers.items()}
        token, cookie = socket_token(lowered, _cookies(lowered.get("cookie", "")), own_hosts=self._own_hosts)
        caller, grant = authenticate_socket(self._items, token, cookie, session_ttl_s=self._session_ttl_s)
        self._svc.check(caller, report_id, write=False)
        record = SocketRecord(connection_id, report_id, caller.username, grant)
        self._registry.add(record, expires=int(self._clock()) + SOCKET_TTL_S)

    def receive(self, connection_id: str, body: str) -> None:
        """Handle one message of the socket; what it asks for is posted back, never raised."""
        record = self._registry.get(connection_id)
        if record is None:
            # Its record expired: nothing says who this is any more.
            unknown = Unauthenticated("this socket is no longer known: connect again")
            with contextlib.suppress(ConnectionGone):
                self._push.post(connection_id, json.dumps(error_message(unknown)).encode())
            return
        try:
            message = json.loads(body)
        except ValueError:
            message = None  # answered as the protocol answers any message that is not an object
        try:
            reader = resume_caller(self._items, record.grant)
        except WanError as exc:
            message_id = message.get("id") if isinstance(message, dict) else None
            self._fanout.send(connection_id, record.report_id, error_message(exc, message_id))
            return

        grant = record.grant

        def writer() -> Caller:
            if not grant.can_write:
                raise Forbidden(f"API key {grant.key_id} is read-only: it may only read", field="scope")
            return reader

        outcome = CollabProtocol(self._svc, record.report_id).handle(message, reader=reader, writer=writer)
        if outcome.joined:
            record = self._registry.note_client(record, outcome.joined)
        if outcome.broadcast is not None:
            self._fanout.broadcast(record.report_id, outcome.broadcast, skip=connection_id)
        if outcome.reply is not None:
            self._fanout.send(connection_id, record.report_id, outcome.reply)

    def disconnect(self, connection_id: str) -> None:
        record = self._registry.get(connection_id)
        if record is None:
            return
        self._registry.remove(connection_id, record.report_id)
        if record.clients:
            # Leaving needs only whose presence it was (its key holds the username), not a live caller:
            # a socket whose session just ended still takes its carets away.
            owner = Caller(
                record.grant.user_id, record.username, False, record.grant.key_id, record.grant.via
            )
            for client_id in record.clients:
                self._svc.leave(owner, record.report_id, client_id)
            self._fanout.broadcast(record.report_id, presence_message(self._svc, record.report_id))


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}  # a malformed Cookie header authenticates nothing; a bearer header still may
    return {name: morsel.value for name, morsel in jar.items()}
