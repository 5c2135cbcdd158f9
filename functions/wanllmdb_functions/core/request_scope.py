"""What a request acted on, noted where it is decided, for the audit log's activity feed.

The one policy check (core/policy.py `authorize`) notes the project or entity it allowed; a service
notes what happened in words (`run.finished`) where the route alone cannot tell. The audit middleware
opens a scope per request and writes what was noted into the request's audit entry, so the feed is
served from the audit store with no second copy.

A mutable holder in a context variable: endpoints run in a worker thread with a copy of the request's
context, and the copy still points at the same holder.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

__all__ = ["RequestScope", "begin_scope", "note_activity", "note_entity", "note_object", "note_project"]


@dataclass
class RequestScope:
    project_id: str | None = None
    owner: str | None = None  # the user, organization or team's organization that owns what was touched
    kind: str | None = None  # e.g. run.finished; None: the audit log names it from the route
    object: str | None = None  # the id of what it is about (a run id, a view name, ...)


_current: ContextVar[RequestScope | None] = ContextVar("wanllmdb_request_scope", default=None)


def begin_scope() -> RequestScope:
    scope = RequestScope()
    _current.set(scope)
    return scope


def note_project(project_id: str, owner: str) -> None:
    """The first project a request was allowed to act on is the one its activity belongs to."""
    scope = _current.get()
    if scope is not None and scope.project_id is None:
        scope.project_id, scope.owner = project_id, owner


def note_entity(owner: str) -> None:
    scope = _current.get()
    if scope is not None and scope.owner is None:
        scope.owner = owner


def note_object(obj: str) -> None:
    """What the request is about, where its route does not say (e.g. a member named in the body)."""
    scope = _current.get()
    if scope is not None:
        scope.object = obj


def note_activity(kind: str, obj: str | None = None) -> None:
    scope = _current.get()
    if scope is not None:
        scope.kind, scope.object = kind, obj if obj is not None else scope.object
