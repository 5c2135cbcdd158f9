"""The purge: after a deletion's grace period, remove for good what it hid, resumably.

The tombstone is the job. A pass reads the due ones (gsi1 PURGEDUE, by end of grace), claims each
(pending → purging, conditioned on its revision, so a restore racing it loses cleanly or wins
cleanly), and walks its phases in order, writing the phase and a progress count to the tombstone
after every batch. Every step is idempotent (deleting what is gone is a no-op; a prefix is listed
again from the start), so a pass that dies anywhere (a killed process, a Lambda timeout, the pass's
own time budget) is resumed by the next pass from the phase it recorded, and finishes the job.

Runs locally in the server's periodic tasks, and on AWS in the scheduled reaper function.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from ..artifacts import keys as artifact_keys
from ..audit.service import AuditLog, AuditRecord
from ..core.errors import ConditionFailed
from ..core.settings import Settings
from ..core.values import now_iso, now_utc
from ..lake.keys import project_prefixes, run_prefixes
from ..notifications import keys as notification_keys
from ..ports import BlobStore, Item, ItemStore
from ..projects import keys as project_keys
from ..runs.keys import ROW_PREFIX, config_prefix, project_rows_pk, run_pk
from ..runs.lookup import run_in_project
from ..views import keys as view_keys
from . import keys
from .service import DeletionService

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["PHASES", "ProjectParts", "Purger", "purge_due"]

log = logging.getLogger(__name__)

PHASES: dict[str, tuple[str, ...]] = {
    "run": ("lake", "items", "trash"),
    "project": ("lake", "items", "trash"),
    # A team's projects are deletions of their own (same grace period), purged by their own jobs.
    "team": ("hide", "trash"),
}
BATCH = 100
# One local pass (the periodic thread) or one scheduled Lambda run spends at most this long.
PASS_BUDGET_S = 50.0


# What a package that sits beside this one (sweeps, reports) owns of a project, as the (partition,
# sort-key prefix) pairs a project's purge deletes, in order. Passed in by the composition roots
# (handlers/project_purge.py), since this package may not import its siblings.
ProjectParts = Callable[[ItemStore, str], list[tuple[str, str | None]]]


class OutOfTime(Exception):
    """The pass's budget ran out between two batches; the job resumes on the next pass."""


class Purger:
    def __init__(
        self,
        items: ItemStore,
        blobs: BlobStore,
        settings: Settings,
        *,
        owned: Sequence[ProjectParts],
        deadline: float | None = None,
    ) -> None:
        self._items = items
        self._owned = tuple(owned)
        self._blobs = blobs
        self._deletes = DeletionService(items, blobs, settings)
        self._trash = self._deletes.trash
        self._audit = AuditLog(items, retention_days=settings.audit_retention_days)
        self._deadline = deadline

    def due(self, *, now: datetime | None = None) -> list[Item]:
        until = keys.purge_sort_key(now_iso(now or now_utc()), "~")
        return list(self._items.query_all(keys.PURGE_DUE_PK, index="gsi1", sk_between=("0", until)))

    def run_due(self, *, now: datetime | None = None) -> list[str]:
        """Purge every deletion whose grace period is over; returns the ids finished in this pass."""
        finished: list[str] = []
        for job in self.due(now=now):
            try:
                if self.purge(job)["state"] == "purged":
                    finished.append(job["id"])
            except OutOfTime:
                break
        return finished

    def purge(self, tombstone: Item) -> Item:
        """Carry one deletion through its phases, from where it stands; returns the tombstone."""
        if tombstone["state"] == "pending":
            try:
                tombstone = self._trash.advance(tombstone, state="purging", cursor={"phase": "", "done": 0})
            except ConditionFailed:  # restored, or claimed by another pass, since it was read
                return tombstone
        if tombstone["state"] != "purging":
            return tombstone
        phases = PHASES[tombstone["kind"]]
        reached = tombstone["cursor"]["phase"]
        for phase in phases[phases.index(reached) if reached in phases else 0 :]:
            if tombstone["cursor"]["phase"] != phase:
                tombstone = self._trash.advance(tombstone, cursor={"phase": phase, "done": 0})
            tombstone = self._step(tombstone, phase)
        tombstone = self._trash.finish_purge(tombstone)
        self._record(tombstone)
        return tombstone

    # -- phases ------------------------------------------------------------------------------------------
    def _step(self, tombstone: Item, phase: str) -> Item:
        kind, target = tombstone["kind"], tombstone["target"]
        if phase == "lake":
            prefixes = (
                run_prefixes(tombstone["project_id"], target) if kind == "run" else project_prefixes(target)
            )
            return self._delete_objects(tombstone, prefixes)
        if phase == "items" and kind == "run":
            return self._delete_items(tombstone, self._run_items(tombstone))
        if phase == "items":
            tombstone = self._delete_project_runs(tombstone)
            return self._delete_items(tombstone, self._project_partitions(target))
        if phase == "hide":
            return self._deletes.finish_hiding_team(tombstone)
        return self._delete_items(tombstone, [(keys.trash_pk(tombstone["id"]), None)])

    def _progress(self, tombstone: Item, done: int) -> Item:
        """Record progress durably, then stop if the pass is out of time."""
        tombstone = self._trash.advance(tombstone, cursor={**tombstone["cursor"], "done": done})
        if self._deadline is not None and time.monotonic() > self._deadline:
            raise OutOfTime
        return tombstone

    def _delete_objects(self, tombstone: Item, prefixes: list[str]) -> Item:
        done = int(tombstone["cursor"]["done"])
        for prefix in prefixes:
            # Listed afresh each batch: what the last batch deleted is gone, so nothing is skipped.
            while batch := list(itertools.islice(self._blobs.list(prefix), BATCH)):
                for info in batch:
                    self._blobs.delete(info.key)
                done += len(batch)
                tombstone = self._progress(tombstone, done)
        return tombstone

    def _delete_items(self, tombstone: Item, partitions: list[tuple[str, str | None]]) -> Item:
        """Delete every item of each (partition, sort-key prefix), BATCH at a time."""
        done = int(tombstone["cursor"]["done"])
        for pk, prefix in partitions:
            while batch := self._items.query(pk, sk_prefix=prefix, limit=BATCH).items:
                for item in batch:
                    self._items.delete(item["pk"], item["sk"])
                done += len(batch)
                tombstone = self._progress(tombstone, done)
        return tombstone

    def _run_items(self, tombstone: Item) -> list[tuple[str, str | None]]:
        """The config versions and grants of a deleted run (the run item itself is in the trash)."""
        run_id, project_id = tombstone["target"], tombstone["project_id"]
        trashed = [
            t["item"] for t in self._trash.trashed(tombstone["id"]) if t["item"]["pk"] == run_pk(run_id)
        ]
        versions = [(run_pk(run_id), config_prefix(run)) for run in trashed]
        grants = (project_keys.grants_of(project_id), project_keys.grants_prefix("run", run_id))
        return [*versions, grants]

    def _delete_project_runs(self, tombstone: Item) -> Item:
        """Each run's config versions and item, found through the project's run rows; a row goes last,
        so a pass interrupted halfway finds the runs it has not finished."""
        project_id = tombstone["target"]
        done = int(tombstone["cursor"]["done"])
        rows_pk = project_rows_pk(project_id)
        while rows := self._items.query(rows_pk, sk_prefix=ROW_PREFIX, limit=BATCH).items:
            for row in rows:
                run = run_in_project(self._items, project_id, row["run_id"])
                if run is not None:
                    for version in list(self._items.query_all(run["pk"], sk_prefix=config_prefix(run))):
                        self._items.delete(version["pk"], version["sk"])
                    self._items.delete(run["pk"], run["sk"])
                self._items.delete(row["pk"], row["sk"])
            done += len(rows)
            tombstone = self._progress(tombstone, done)
        return tombstone

    def _project_partitions(self, project_id: str) -> list[tuple[str, str | None]]:
        """The partitions a project owns: its sweeps and reports (from their packages), then its
        views, artifacts, grants and subscriptions. Listed afresh by every pass: what an earlier pass
        deleted is no longer found."""
        owned = (
            view_keys.views_of(project_id),
            artifact_keys.artifacts_of(project_id),
            project_keys.grants_of(project_id),
            notification_keys.subscribers_of(project_id),
        )
        theirs = [part for parts_of in self._owned for part in parts_of(self._items, project_id)]
        return [*theirs, *((pk, None) for pk in owned)]

    def _record(self, tombstone: Item) -> None:
        kind, target = tombstone["kind"], tombstone["target"]
        self._audit.record(
            AuditRecord(
                time=now_utc(), actor=None, actor_id=None, via="purge", action=f"PURGE {kind}",
                target=tombstone["restore_path"].split("?")[0].removesuffix("/restore"), status=200,
                source_ip=None, request_id=f"purge-{tombstone['id']}", project_id=tombstone.get("project_id"),
                owner=tombstone.get("owner"), kind=f"{kind}.purged", object=target,
            )
        )  # fmt: skip


def purge_due(
    state: AppState,
    *,
    owned: Sequence[ProjectParts],
    budget_s: float = PASS_BUDGET_S,
    clock: Callable[[], float] = time.monotonic,
) -> list[str]:
    """One purge pass on this app's storage, within `budget_s`."""
    storage = state.storage
    purger = Purger(storage.items, storage.blobs, state.settings, owned=owned, deadline=clock() + budget_s)
    finished = purger.run_due()
    if finished:
        log.info("purged %d deletion(s) past their grace period: %s", len(finished), ", ".join(finished))
    return finished
