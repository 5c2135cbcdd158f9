"""Deleting runs, projects and teams: hide at once, restore within the grace period, purge after it.

A delete moves the target's own items into the trash (trash.py) in one transaction with its
tombstone, so from that moment every read answers 404 and every listing leaves it out; what hangs
off it (a project's runs, views and artifacts; a team's projects) is hidden with it because it is
only ever reached through it. The lake objects stay until the purge (purge.py). A restore puts the
trashed items back. Retried deletes and restores answer with the same receipt and change nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, InvalidInput, NotFound
from ..core.policy import EntityRef, Permission, ProjectRef, authorize, feed_owner, permissions_of
from ..core.request_scope import note_activity
from ..core.settings import Settings
from ..identity import keys as identity_keys
from ..ports import BlobStore, Item, ItemStore, TransactOp
from ..ports.events import RunChanged, RunChangedHook
from ..projects import keys as project_keys
from ..projects.grants import resource_ref
from ..projects.service import RUN_COUNT_STATES, ProjectService, ref_from_item
from ..runs.keys import deleted_run_key, index_row_key
from ..runs.lookup import authorized_run_item, run_in_project
from . import keys
from .models import Deletion
from .trash import ACTIVE, Trash, receipt

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["DeletionService", "project_ref_of"]


def project_ref_of(tombstone: Item) -> ProjectRef:
    """The deleted project as the policy sees it, from what its tombstone kept."""
    owner = EntityRef(tombstone["owner_name"], tombstone["owner_kind"], tombstone.get("owner_org"))
    return ProjectRef(tombstone["target"], owner, tombstone["visibility"])


class DeletionService:
    def __init__(
        self,
        items: ItemStore,
        blobs: BlobStore,
        settings: Settings,
        run_changed: RunChangedHook | None = None,
    ) -> None:
        self._items = items
        self._blobs = blobs
        self._projects = ProjectService(items)
        self._run_changed = run_changed or RunChangedHook("run changed")
        self.trash = Trash(items, settings)

    @classmethod
    def of(cls, state: AppState) -> DeletionService:
        return cls(state.storage.items, state.storage.blobs, state.settings, state.run_changed)

    # -- runs ------------------------------------------------------------------------------------------
    def delete_run(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> Deletion:
        try:
            run = authorized_run_item(
                self._items, self._projects, caller, run_id, Permission.RUN_DELETE, project_id=project_id
            )
        except NotFound as missing:  # a retried delete: the same receipt while the deletion is pending
            try:
                tombstone = self._run_tombstone(caller, run_id, project_id, Permission.RUN_DELETE)
            except (NotFound, InvalidInput):
                raise missing from None
            if tombstone["state"] not in ACTIVE:
                raise missing from None
            return receipt(tombstone)
        pid = run["project_id"]
        key = deleted_run_key(pid, run_id)
        previous = self._items.get(*key)
        row = self._items.get(*index_row_key(pid, run_id))
        found = [run, *([row] if row else [])]
        tombstone = self.trash.new_tombstone(
            key, kind="run", target=run_id, project_id=pid, name=run.get("name") or run_id,
            deleted_by=caller.username, restore_path=f"/api/runs/{run_id}/restore?project_id={pid}",
            owner=feed_owner(self._projects.get_ref(pid).owner), moved=len(found),
        )  # fmt: skip
        # The project's counters move in the deletion's own transaction, as in every run state change.
        counts = self._projects.run_count_op(pid, run["state"], None)
        won = self._hide(
            key,
            tombstone,
            previous,
            found,
            what=f"run {run_id}",
            field="run_id",
            also=[counts] if counts else [],
        )
        if won is not tombstone:  # a parallel delete won: the same answer
            return receipt(won)
        self._index_changed(run)
        note_activity("run.deleted", run_id)
        return receipt(tombstone)

    def restore_run(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> Deletion:
        tombstone = self._run_tombstone(caller, run_id, project_id, Permission.RUN_DELETE)
        note_activity("run.restored", run_id)
        if tombstone["state"] == "restored":
            return receipt(tombstone)
        tombstone = self.trash.start_restore(tombstone, f"run {run_id}")
        self.trash.put_back(tombstone["id"])
        run = run_in_project(self._items, tombstone["project_id"], run_id)
        if run is not None:
            if run["state"] in RUN_COUNT_STATES:
                self._projects.add_run_counts(run["project_id"], {run["state"]: 1})
            self._index_changed(run)
        return receipt(self.trash.finish_restore(tombstone))

    def _index_changed(self, run: Item) -> None:
        """The project's run index (lake) is rewritten without, or again with, the run."""
        self._run_changed.publish(RunChanged(run["id"], run["project_id"], self._items, self._blobs))

    def _run_tombstone(
        self, caller: Caller, run_id: str, project_id: str | None, permission: Permission
    ) -> Item:
        """The latest deletion of `run_id` the caller may see, among the projects they can read."""
        missing = NotFound(f"no deleted run {run_id}", field="run_id")
        pk = deleted_run_key("", run_id)[0]
        seen = []
        for tombstone in self._items.query_all(pk):
            if project_id is not None and tombstone["project_id"] != project_id:
                continue
            try:
                project = self._projects.get_ref(tombstone["project_id"])
            except NotFound:  # the project is deleted too: restore the project first
                continue
            ref = resource_ref(self._items, project, "run", run_id)
            if Permission.RUN_READ in permissions_of(caller, ref):
                seen.append((tombstone, ref))
        if not seen:
            raise missing
        if len(seen) > 1:
            choices = ", ".join(sorted(t["project_id"] for t, _ in seen))
            raise InvalidInput(
                f"run id {run_id} was deleted in each of {len(seen)} projects you can read ({choices}): "
                "add ?project_id=<one of them>",
                field="project_id",
            )
        tombstone, ref = seen[0]
        authorize(caller, permission, ref, hidden=missing)
        return tombstone

    # -- projects --------------------------------------------------------------------------------------
    def delete_project(self, caller: Caller, project_id: str) -> Deletion:
        try:
            project = self._projects.get_item(project_id)
        except NotFound as missing:  # a retried delete: the same receipt while the deletion is pending
            try:
                tombstone = self._project_tombstone(caller, project_id)
            except NotFound:
                raise missing from None
            if tombstone["state"] not in ACTIVE:
                raise missing from None
            return receipt(tombstone)
        authorize(caller, Permission.PROJECT_ADMIN, ref_from_item(project))
        note_activity("project.deleted", project_id)
        return receipt(self.hide_project(project, deleted_by=caller.username, parent=None))

    def hide_project(self, project: Item, *, deleted_by: str | None, parent: str | None) -> Item:
        """Move the project and its name claim to the trash; its runs, views and artifacts are reached
        only through it, so they are hidden with it. Returns the tombstone."""
        key = keys.project_tombstone(project["id"])
        previous = self._items.get(*key)
        claim = self._items.get(*project_keys.name_claim(project["entity"], project["name"]))
        found = [project, *([claim] if claim and claim["project_id"] == project["id"] else [])]
        tombstone = self.trash.new_tombstone(
            key, kind="project", target=project["id"], project_id=project["id"],
            name=f"{project['entity']}/{project['name']}", deleted_by=deleted_by,
            restore_path=f"/api/projects/{project['id']}/restore", parent=parent,
            owner=feed_owner(ref_from_item(project).owner), owner_name=project["entity"],
            owner_kind=project["entity_kind"], owner_org=project.get("org"),
            visibility=project["visibility"], moved=len(found),
        )  # fmt: skip
        return self._hide(
            key, tombstone, previous, found, what=f"project {project['id']}", field="project_id"
        )

    def restore_project(self, caller: Caller, project_id: str) -> Deletion:
        tombstone = self._project_tombstone(caller, project_id)
        note_activity("project.restored", project_id)
        if tombstone["state"] == "restored":
            return receipt(tombstone)
        parent = tombstone.get("parent")
        if parent and tombstone["state"] != "restoring":
            team = self._items.get(*keys.team_tombstone(tombstone["owner_name"]))
            if team is not None and team["id"] == parent and team["state"] in ACTIVE:
                raise Conflict(
                    f"project {project_id} was deleted with team {tombstone['owner_name']}: restore the "
                    f"team (POST /api/teams/{tombstone['owner_name']}/restore)",
                    field="project_id",
                )
        return receipt(self._restore(tombstone, f"project {tombstone['name']}"))

    def _restore(self, tombstone: Item, what: str) -> Item:
        tombstone = self.trash.start_restore(tombstone, what)
        self.trash.put_back(tombstone["id"])
        return self.trash.finish_restore(tombstone)

    def _project_tombstone(self, caller: Caller, project_id: str) -> Item:
        missing = NotFound(f"no deleted project {project_id}", field="project_id")
        tombstone = self._items.get(*keys.project_tombstone(project_id))
        if tombstone is None:
            raise missing
        authorize(caller, Permission.PROJECT_ADMIN, project_ref_of(tombstone), hidden=missing)
        return tombstone

    # -- teams -----------------------------------------------------------------------------------------
    def delete_team(self, caller: Caller, team: str) -> Deletion:
        claim = self._items.get(*identity_keys.entity_claim(team))
        if claim is None or claim.get("kind") != "team":
            tombstone = self._team_tombstone(caller, team)
            if tombstone["state"] not in ACTIVE:
                raise NotFound(f"no team named {team!r}", field="team")
            # A retry finishes what an interrupted delete left visible (its projects, its members).
            return receipt(self.finish_hiding_team(tombstone))
        org = claim["org"]
        authorize(caller, Permission.ORG_ADMIN, EntityRef(org, "org"))
        note_activity("team.deleted", team)
        team_item = self._items.get(*identity_keys.team(org, team))
        found = [*([team_item] if team_item else []), claim]
        key = keys.team_tombstone(team)
        previous = self._items.get(*key)
        tombstone = self.trash.new_tombstone(
            key, kind="team", target=team, project_id=None, name=team, org=org, owner=org,
            deleted_by=caller.username, restore_path=f"/api/teams/{team}/restore", children=[],
            moved=len(found),
        )  # fmt: skip
        tombstone = self._hide(key, tombstone, previous, found, what=f"team {team}", field="team")
        return receipt(self.finish_hiding_team(tombstone))

    def _hide(
        self,
        key: tuple[str, str],
        tombstone: Item,
        previous: Item | None,
        found: list[Item],
        *,
        what: str,
        field: str,
        also: Sequence[TransactOp] = (),
    ) -> Item:
        """Write the tombstone and move `found` into the trash in one transaction, with the ops `also`
        holds. Returns the tombstone, or the one a parallel delete of the same thing wrote first (the
        same answer to both); anything else that changed meanwhile is a Conflict to retry."""
        try:
            ops = [
                self.trash.tombstone_op(tombstone, previous),
                *Trash.move_ops(tombstone["id"], 0, found),
                *also,
            ]
            self._items.transact_write(ops)
        except ConditionFailed:
            current = self._items.get(*key)
            if current is not None and current["state"] in ACTIVE:
                return current
            raise Conflict(f"{what} changed while it was being deleted; delete again", field=field) from None
        return tombstone

    def finish_hiding_team(self, tombstone: Item) -> Item:
        """Hide the team's projects (each its own deletion, restored with the team) and move its
        memberships to the trash. Repeatable: what is hidden already is no longer found."""
        team = tombstone["target"]
        for project in list(self._items.query_all(project_keys.by_entity(team), index="gsi1", page_size=200)):
            child = self.hide_project(project, deleted_by=tombstone["deleted_by"], parent=tombstone["id"])
            tombstone = self.trash.advance(tombstone, children=[*tombstone["children"], child["target"]])
        members = list(self._items.query_all(identity_keys.team_member(team, "")[0], sk_prefix="MEMBER#"))
        return self.trash.move_more(tombstone, members)

    def restore_team(self, caller: Caller, team: str) -> Deletion:
        tombstone = self._team_tombstone(caller, team)
        note_activity("team.restored", team)
        if tombstone["state"] == "restored":
            return receipt(tombstone)
        tombstone = self.trash.start_restore(tombstone, f"team {team}")
        self.trash.put_back(tombstone["id"])
        for project_id in tombstone["children"]:
            child = self._items.get(*keys.project_tombstone(project_id))
            if child is not None and child.get("parent") == tombstone["id"] and child["state"] in ACTIVE:
                self._restore(child, f"project {child['name']}")
        return receipt(self.trash.finish_restore(tombstone))

    def _team_tombstone(self, caller: Caller, team: str) -> Item:
        tombstone = self._items.get(*keys.team_tombstone(team))
        if tombstone is None:
            raise NotFound(f"no deleted team {team!r}", field="team")
        authorize(caller, Permission.ORG_ADMIN, EntityRef(tombstone["org"], "org"))
        return tombstone
