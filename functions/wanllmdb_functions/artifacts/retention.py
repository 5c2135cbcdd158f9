"""The artifact expiry pass: soft-delete the versions whose TTL (ttl.py) is over.

One pass
  1. re-indexes the projects whose `artifact_ttl_days` changed (their notices, projects/keys.py): each
     live version that inherits the default moves to its new due time in the index, or out of it. The
     notice goes afterwards, unless the project changed again meanwhile;
  2. reads the index up to now (one query of gsi1 `ARTTL`) and reads each version again, deciding on
     what holds now: deleted, or not due any more (its TTL changed) → its index entry is put right;
     linked into the registry or holding a protected alias → kept, and looked at again in a day;
     otherwise `ArtifactService.soft_delete`, exactly what a caller's DELETE does, and an audit line.
Every step is idempotent (soft_delete is conditional on the version being live, and only the pass that
deleted it writes the audit line), so two passes at once, or a pass stopped halfway, delete nothing
twice, and the next pass finishes the work.

Runs locally in the server's periodic tasks, and on AWS in the scheduled reaper function.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from ..audit.service import AuditLog, AuditRecord
from ..core.errors import ConditionFailed
from ..core.policy import feed_owner
from ..core.settings import Settings
from ..core.values import now_utc
from ..ports import BlobStore, Condition, Item, ItemStore
from ..projects import keys as project_keys
from ..projects.service import ref_from_item
from . import keys, ttl
from .service import ArtifactService

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["ArtifactExpiry", "artifact_expiry_task", "expire_due_artifacts"]

log = logging.getLogger(__name__)

# One local pass (the periodic thread) or one scheduled Lambda run spends at most this long.
PASS_BUDGET_S = 50.0


class OutOfTime(Exception):
    """The pass's budget ran out; what is left is due still, and the next pass does it."""


class ArtifactExpiry:
    def __init__(
        self, items: ItemStore, blobs: BlobStore, settings: Settings, *, deadline: float | None = None
    ) -> None:
        self._items = items
        self._artifacts = ArtifactService(items, blobs, settings)
        self._audit = AuditLog(items, retention_days=settings.audit_retention_days)
        self._deadline = deadline
        self._projects: dict[str, Item | None] = {}

    def run(self, *, now: datetime | None = None) -> list[str]:
        """One pass; returns the ids of the versions it expired."""
        expired: list[str] = []
        try:
            self.reindex_changed()
            self.expire_due(now or now_utc(), expired)
        except OutOfTime:
            log.info("artifact expiry: out of time after %d version(s); the next pass goes on", len(expired))
        return expired

    # -- 1. projects whose default changed -------------------------------------------------------------
    def reindex_changed(self) -> None:
        for notice in list(self._items.query_all(project_keys.ARTIFACT_TTL_CHANGES, page_size=100)):
            project = self._project(notice["project_id"])
            if project is not None:
                default = ttl.default_days(project)
                for version in self._items.query_all(
                    keys.artifacts_of(notice["project_id"]), sk_prefix=keys.VERSION_PREFIX, page_size=500
                ):
                    self._check_time()
                    if version.get("state") == "committed" and ttl.inherits(version):
                        self._index(version, ttl.ttl_view(version, default).expires_at)
            with contextlib.suppress(ConditionFailed):  # changed again: the next pass does it again
                self._items.delete(
                    notice["pk"], notice["sk"], condition=Condition.equals("rev", notice["rev"])
                )

    # -- 2. what is due ------------------------------------------------------------------------------
    def expire_due(self, now: datetime, expired: list[str]) -> None:
        # Read lazily: an entry put right or kept moves past `now`, out of the range being read.
        for entry in self._items.query_all(
            ttl.TTL_DUE_PK, index="gsi1", sk_between=ttl.due_until(now), page_size=200
        ):
            self._check_time()
            if self._settle(entry, now):
                expired.append(entry["id"])

    def _settle(self, entry: Item, now: datetime) -> bool:
        """Expire the version `entry` indexes if it is still due and nothing keeps it; True if this did."""
        version = self._items.get(entry["pk"], entry["sk"])  # the index may lag; the item does not
        if version is None or version.get("state") != "committed":
            if version is not None and ttl.indexed_at(version) is not None:
                self._index(version, None)
            return False
        project = self._project(version["project_id"])
        if project is None:  # the project is being deleted: its purge removes its artifacts
            return False
        view = ttl.ttl_view(version, ttl.default_days(project))
        if view.expires_at is None or view.expires_at > now:
            self._index(version, view.expires_at)
            return False
        reason = ttl.keep_reason(self._items, version["project_id"], version["name"], int(version["index"]))
        if reason is not None:
            log.info("artifact %s is past its TTL and kept: %s", version["id"], reason)
            self._index(version, now + ttl.RECHECK)
            return False
        if not self._artifacts.soft_delete(version):
            return False  # deleted meanwhile, by a caller or another pass
        self._record(version, project)
        return True

    # -- helpers -------------------------------------------------------------------------------------
    def _index(self, version: Item, due: datetime | None) -> None:
        """Put `version` in the index at `due` (out of it: None), if it is not there already."""
        wanted = None if due is None else ttl.due_attrs(version, due)[0]["gsi1sk"]
        if ttl.indexed_at(version) == wanted:
            return
        set_attrs, remove = ttl.due_attrs(version, due)
        # Into the index only while live; out of it only if it still exists (never a stub item).
        condition = Condition.equals("state", "committed") if due is not None else Condition.exists()
        with contextlib.suppress(ConditionFailed):  # deleted meanwhile: it stays out of the index
            self._items.update(
                version["pk"], version["sk"], set_attrs=set_attrs, remove=remove, condition=condition
            )

    def _project(self, project_id: str) -> Item | None:
        if project_id not in self._projects:
            self._projects[project_id] = self._items.get(*project_keys.project(project_id))
        return self._projects[project_id]

    def _check_time(self) -> None:
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise OutOfTime

    def _record(self, version: Item, project: Item) -> None:
        name, index = version["name"], int(version["index"])
        self._audit.record(
            AuditRecord(
                time=now_utc(), actor=None, actor_id=None, via="ttl", action="EXPIRE artifact",
                target=f"/api/projects/{version['project_id']}/artifacts/{name}/versions/v{index}",
                status=200, source_ip=None, request_id=f"ttl-{version['id']}",
                project_id=version["project_id"], owner=feed_owner(ref_from_item(project).owner),
                kind="artifact.expired", object=name,
            )
        )  # fmt: skip


def expire_due_artifacts(
    state: AppState,
    *,
    budget_s: float = PASS_BUDGET_S,
    now: datetime | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """One expiry pass on this app's storage, within `budget_s`."""
    storage = state.storage
    expiry = ArtifactExpiry(storage.items, storage.blobs, state.settings, deadline=clock() + budget_s)
    expired = expiry.run(now=now)
    if expired:
        log.info("expired %d artifact version(s) past their TTL: %s", len(expired), ", ".join(expired))
    return expired


def artifact_expiry_task(state: AppState) -> None:
    """The local server's PERIODIC_TASKS entry."""
    expire_due_artifacts(state)
