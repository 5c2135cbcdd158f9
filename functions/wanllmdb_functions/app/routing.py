"""`ServiceRouter`: the router every service declares its routes on.

- Its routes are `OneHopRoute`s (app/offload.py): one thread hand-off per request, or none.
- It turns away a request that none of its routes can match before FastAPI tries them one by one.
  The app holds some 35 routers and FastAPI (0.165) asks each in turn, doing per-route bookkeeping on
  the request's scope for every candidate: under 50 concurrent clients, route matching took a tenth
  of the event loop's time. A route's path starts with a literal segment (`/runs/{run_id}` with
  `runs`), so the full path of any request it matches contains `/runs`; a router whose literal first
  segments all miss the path cannot match it. The check only ever skips routers that could not have
  matched, so which route answers a request never changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from .offload import OneHopRoute

__all__ = ["ServiceRouter", "literal_heads"]


def literal_heads(routes: Sequence[BaseRoute]) -> tuple[str, ...] | None:
    """`/<first segment>` of each route's path, or None when a route does not start with a literal."""
    heads: set[str] = set()
    for route in routes:
        path = getattr(route, "path", None)
        head = path.split("/")[1] if isinstance(path, str) and path.startswith("/") else ""
        if not head or "{" in head:
            return None
        heads.add("/" + head)
    return tuple(sorted(heads))


class ServiceRouter(APIRouter):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", OneHopRoute)
        super().__init__(**kwargs)
        self._heads_of: tuple[int, tuple[str, ...] | None] = (-1, None)

    def _heads(self) -> tuple[str, ...] | None:
        count, heads = self._heads_of
        if count != len(self.routes):  # routes are only ever added: their count says when to look again
            heads = literal_heads(self.routes)
            self._heads_of = (len(self.routes), heads)
        return heads

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        heads = self._heads()
        if heads is not None:
            path: str = scope.get("path", "")
            if not any(head in path for head in heads):
                return Match.NONE, {}
        return super().matches(scope)
