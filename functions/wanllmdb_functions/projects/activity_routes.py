"""GET /projects/{project_id}/activity and /orgs/{org}/activity: the audit store's activity feed, after
the one policy check (project readers; organization members)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Path, Query

from ..app.deps import StorageDep
from ..app.routing import ServiceRouter
from ..audit.activity import ActivityFeed, ActivityPage
from ..core.policy import EntityRef, Permission, authorize, feed_owner
from ..identity.authn import CallerDep
from .deps import ProjectIdDep, ProjectsDep

__all__ = ["router"]

router = ServiceRouter(tags=["activity"])


async def activity_feed(storage: StorageDep) -> ActivityFeed:
    return ActivityFeed(storage.items)


FeedDep = Annotated[ActivityFeed, Depends(activity_feed)]


@dataclass(frozen=True)
class FeedQuery:
    """The filters both feeds take, parsed once."""

    actor: Annotated[str | None, Query(max_length=128, description="a username")] = None
    kind: Annotated[
        str | None, Query(max_length=64, description="a kind or its prefix, e.g. run. or run.crashed")
    ] = None
    since: Annotated[datetime | None, Query(description="ISO-8601; lines at or after it")] = None
    until: Annotated[datetime | None, Query(description="ISO-8601; lines before it")] = None
    limit: Annotated[int, Query(ge=1, le=200)] = 50
    cursor: Annotated[str | None, Query(max_length=2048)] = None


FeedQueryDep = Annotated[FeedQuery, Depends()]


@router.get("/projects/{project_id}/activity")
def project_activity(
    project_id: ProjectIdDep, caller: CallerDep, projects: ProjectsDep, feed: FeedDep, query: FeedQueryDep
) -> ActivityPage:
    """The project's changes, newest first: runs, config, views, artifacts, members of its owner."""
    ref = projects.get_ref(project_id)
    authorize(caller, Permission.PROJECT_READ, ref)
    return feed.read(feed_owner(ref.owner), project_id=project_id, **asdict(query))


@router.get("/orgs/{org}/activity")
def org_activity(
    org: Annotated[str, Path(min_length=1, max_length=128)],
    caller: CallerDep,
    feed: FeedDep,
    query: FeedQueryDep,
) -> ActivityPage:
    """Everything that changed in the organization's projects and settings, newest first."""
    authorize(caller, Permission.ORG_READ, EntityRef(org, "org"))
    return feed.read(org, project_id=None, **asdict(query))
