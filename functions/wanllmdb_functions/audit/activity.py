"""The activity feed: the audit log's successful changes, per project and per organization, in words.

Each audited request is named by the kind a service noted (`run.finished`) or else by its route
(`ACTION_KINDS`); requests of no kind (heartbeats, uploads, summary patches) stay in the audit log
only. Entries with a kind are indexed by owner (gsi2: the user or organization that owns the project
or the settings), so a feed is one query of the audit store, newest first, with no second copy.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from ..core.errors import InvalidInput
from ..ports import ItemStore
from . import keys

__all__ = ["ACTION_KINDS", "ActivityFeed", "ActivityLine", "ActivityPage", "kind_of", "object_of"]

ACTION_KINDS: dict[str, str] = {
    "POST /api/projects": "project.created",
    "PATCH /api/projects/{project_id}": "project.updated",
    "POST /api/projects/{project_id}/runs": "run.created",
    "PATCH /api/runs/{run_id}": "run.updated",
    "DELETE /api/runs/{run_id}": "run.deleted",
    "PATCH /api/runs/{run_id}/config": "run.config_changed",
    "POST /api/runs/{run_id}/alerts": "run.alert",
    "PUT /api/projects/{project_id}/views/{name}": "view.saved",
    "DELETE /api/projects/{project_id}/views/{name}": "view.deleted",
    "PATCH /api/orgs/{org}": "org.updated",
    "POST /api/orgs/{org}/members": "member.added",
    "PATCH /api/orgs/{org}/members/{username}": "member.role_changed",
    "DELETE /api/orgs/{org}/members/{username}": "member.removed",
    "POST /api/orgs/{org}/teams": "team.created",
    "POST /api/teams/{team}/members": "team.member_added",
    "DELETE /api/teams/{team}/members/{username}": "team.member_removed",
    "POST /api/projects/{project_id}/artifacts": "artifact.logged",
    "DELETE /api/projects/{project_id}/artifacts/{name}/versions/{label}": "artifact.deleted",
    "POST /api/projects/{project_id}/artifacts/{name}/versions/{label}/aliases": "artifact.aliases_changed",
}
# The path parameter that names what an action is about, in order of preference.
_OBJECT_PARAMS = ("run_id", "name", "username", "team", "org", "project_id")
MAX_PAGES = 20
_TOP = "~"  # sorts after any ISO timestamp
_BOTTOM = "0"  # and before any: DynamoDB refuses an empty key value


def kind_of(action: str, noted: str | None) -> str | None:
    return noted or ACTION_KINDS.get(action)


def object_of(path_params: dict[str, Any]) -> str | None:
    for name in _OBJECT_PARAMS:
        if isinstance(path_params.get(name), str):
            return str(path_params[name])
    return None


class ActivityLine(BaseModel):
    time: datetime
    actor: str | None
    kind: str = Field(description="what happened, e.g. run.finished, member.added, view.saved")
    object: str | None = Field(description="the id or name of what it is about")
    project_id: str | None
    link: str | None = Field(description="the dashboard path of the object, when it has one")


class ActivityPage(BaseModel):
    items: list[ActivityLine]
    next_cursor: str | None


def _link(kind: str, obj: str | None, project_id: str | None) -> str | None:
    if obj is None:
        return None
    if kind.startswith(("run.", "artifact.")) and kind != "run.deleted":
        return f"/runs/{obj}" if kind.startswith("run.") else f"/projects/{project_id}/artifacts/{obj}"
    if kind in ("project.created", "project.updated", "project.restored"):
        return f"/projects/{obj}"
    if kind.startswith("view.") and project_id:
        return f"/projects/{project_id}/workspace?view={obj}"
    if kind.startswith(("member.", "team.", "org.")):
        return "/settings/org"
    if kind.startswith("registry."):
        return f"/registries/{obj}"  # registry/events.py names the object entity/registry/model/vN
    return None


def _stamp(value: datetime | None, default: str) -> str:
    if value is None:
        return default
    at = value if value.tzinfo else value.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="microseconds")


class ActivityFeed:
    """Reads one owner's activity; callers (projects/activity_routes.py) authorize first."""

    def __init__(self, items: ItemStore) -> None:
        self._items = items

    def read(
        self,
        owner: str,
        *,
        project_id: str | None,
        actor: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> ActivityPage:
        inner = _decode(cursor) if cursor else None
        found: list[ActivityLine] = []
        for _ in range(MAX_PAGES):
            page = self._items.query(
                keys.by_owner(owner),
                index="gsi2",
                sk_between=(_stamp(since, _BOTTOM), _stamp(until, _TOP)),
                limit=limit - len(found),
                cursor=inner,
                descending=True,
            )
            for item in page.items:
                if project_id is not None and item.get("project_id") != project_id:
                    continue
                if actor is not None and item.get("actor") != actor:
                    continue
                if kind is not None and not str(item.get("kind", "")).startswith(kind):
                    continue
                found.append(
                    ActivityLine(
                        time=item["time"],
                        actor=item.get("actor"),
                        kind=item["kind"],
                        object=item.get("object"),
                        project_id=item.get("project_id"),
                        link=_link(item["kind"], item.get("object"), item.get("project_id")),
                    )
                )
            inner = page.cursor
            if inner is None or len(found) >= limit:
                break
        return ActivityPage(items=found, next_cursor=_encode(inner) if inner else None)


def _encode(cursor: str) -> str:
    return base64.urlsafe_b64encode(cursor.encode()).decode()


def _decode(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidInput(
            "cursor is not one this feed returned; start again without it", field="cursor"
        ) from None
