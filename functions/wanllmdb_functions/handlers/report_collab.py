"""Lambda entry point for the reports' WebSocket API (API Gateway): $connect, $default, $disconnect.

The collaboration's messages over a socket API Gateway holds (reports/collab_sockets.py). $connect
answers 200 to accept the handshake, or the status of the error that refuses it; the other routes
answer 200, their replies travel back as posts to the connection. Headers and the query string are
never logged: the handshake may carry a bearer token or the session cookie.
"""

from __future__ import annotations

import base64
import logging
from typing import Any
from urllib.parse import urlsplit

from ..adapters.apigw_connections import ApiGatewayConnections
from ..app.state import AppState
from ..core.errors import InvalidInput, WanError
from ..core.settings import Settings
from ..ports import ItemStore
from ..reports.collab_sockets import CollabSockets

__all__ = ["handler"]

log = logging.getLogger(__name__)

# Built once per container: settings, storage and the Management API client are reused.
_state = AppState()


def _sockets(settings: Settings, items: ItemStore) -> CollabSockets:
    if not settings.collab_callback_url:
        raise InvalidInput("the collaboration socket needs WANLLMDB_COLLAB_CALLBACK_URL", field="settings")
    push = ApiGatewayConnections(settings.collab_callback_url, region=settings.region)
    # The dashboard's pages are served from the public URL (the site, which forwards the socket here).
    own_hosts = frozenset({urlsplit(settings.base_url).netloc})
    return CollabSockets(items, push, session_ttl_s=settings.session_ttl_s, own_hosts=own_hosts)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    context_ = event.get("requestContext") if isinstance(event, dict) else None
    if not isinstance(context_, dict) or "connectionId" not in context_:
        raise InvalidInput(
            "the collaboration socket only accepts API Gateway WebSocket events", field="event"
        )
    route, connection_id = context_.get("routeKey"), str(context_["connectionId"])
    # Storage first: `shared` holds the state's lock while it builds.
    items = _state.storage.items
    sockets = _state.shared(CollabSockets, lambda settings: _sockets(settings, items))
    if route == "$connect":
        try:
            sockets.connect(
                connection_id, event.get("headers") or {}, event.get("queryStringParameters") or {}
            )
        except WanError as exc:
            log.info("socket refused: %s %s", exc.status, exc.code)
            return {"statusCode": exc.status}
    elif route == "$disconnect":
        sockets.disconnect(connection_id)
    else:
        body = str(event.get("body") or "")
        if event.get("isBase64Encoded"):  # a binary frame
            body = base64.b64decode(body).decode("utf-8", errors="replace")
        sockets.receive(connection_id, body)
    return {"statusCode": 200}
