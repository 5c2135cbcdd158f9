"""Reports: create (idempotent by client id), list and search, open, save (conditional on the version
the editor started from), publish, visibility, stars, delete and markdown export.

Every save keeps a version (versions.py reads, diffs and restores them). A save that names a base
version which has moved on is a 409 `version_conflict` naming the current version and its author, so
two editors never silently overwrite each other; a retry of a save that already landed (same author,
same spec, one version on) returns the stored report instead. Every spec that is written is
validated against schemas/report.schema.json (spec.py: 422 naming the JSON path) and sanitised
(sanitize.py)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, Forbidden, InvalidInput
from ..core.policy import Permission, ResourceRef, authorize, permissions_of
from ..core.values import now_iso
from ..ports import Item, ItemStore
from ..projects import keys as project_keys
from . import keys
from .access import ReportAccess
from .models import Report, ReportCreate, ReportList, ReportSave, VisibilitySet
from .store import ReportStore

__all__ = ["EMPTY_SPEC", "ReportService", "VersionConflict", "clean_spec"]

EMPTY_SPEC: dict[str, Any] = {"version": 1, "blocks": []}


class VersionConflict(Conflict):
    """The report moved on since the version the edit started from."""

    code = "version_conflict"


def clean_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as stored: checked against its schema (422 naming the JSON path), then sanitised."""
    from .sanitize import sanitize_spec  # reports/sanitize.py (nh3); imported on first write
    from .spec import validate_spec

    return validate_spec(sanitize_spec(validate_spec(spec, root="spec")), root="spec")


def spec_from_markdown(markdown: str) -> dict[str, Any]:
    from .markdown import markdown_to_spec

    return markdown_to_spec(markdown)


def _matches(head: Item, needle: str) -> bool:
    return needle in head["title"].casefold() or needle in head.get("description", "").casefold()


def report_filename(title: str, extension: str) -> str:
    """The file name an export of a report titled ``title`` is offered under (``Ten-panels.pdf``)."""
    return f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', title).strip('-.')[:80] or 'report'}.{extension}"


class ReportService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self.access = ReportAccess(items)
        self.store = ReportStore(items)

    # -- reading ------------------------------------------------------------------------------------
    def report(
        self, caller: Caller, head: Item, ref: ResourceRef, spec: dict[str, Any] | None = None
    ) -> Report:
        starred = (
            not caller.is_anonymous and self._items.get(*keys.star(caller.user_id, head["id"])) is not None
        )
        summary = self.access.summary(head, caller, ref, starred=starred)
        spec = spec if spec is not None else self.store.spec(head["id"], int(head["version"]))
        return Report.model_validate({**summary.model_dump(), "spec": spec})

    def get(self, caller: Caller, report_id: str) -> Report:
        head, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
        return self.report(caller, head, ref)

    def list_project(
        self, caller: Caller, project_id: str, *, q: str | None, state: str | None, starred: bool | None
    ) -> ReportList:
        authorize(caller, Permission.PROJECT_READ, self.access.projects.get_ref(project_id))
        heads = self._items.query_all(keys.of_project(project_id), index="gsi1", page_size=500)
        return self._listing(caller, heads, q=q, state=state, starred=starred)

    def list_mine(self, caller: Caller, *, mine: bool, starred: bool) -> ReportList:
        heads: Iterable[Item]
        if starred and not mine:
            found = (self.store.find_head(rid) for rid in sorted(self.access.starred_ids(caller)))
            heads = (h for h in found if h is not None)
        else:
            heads = self._items.query_all(keys.by_owner(caller.username), index="gsi2", page_size=500)
        return self._listing(caller, heads, q=None, state=None, starred=True if starred else None)

    def _listing(
        self, caller: Caller, heads: Iterable[Item], *, q: str | None, state: str | None, starred: bool | None
    ) -> ReportList:
        needle = (q or "").casefold()
        stars = self.access.starred_ids(caller)
        chosen = [
            h
            for h in heads
            if (not needle or _matches(h, needle))
            and (state is None or h["state"] == state)
            and (starred is None or (h["id"] in stars) == starred)
        ]
        found = [
            self.access.summary(h, caller, ref, starred=h["id"] in stars)
            for h, ref in self.access.readable(caller, chosen)
        ]
        return ReportList(reports=sorted(found, key=lambda r: r.updated_at, reverse=True))

    # -- writing ------------------------------------------------------------------------------------
    def create(self, caller: Caller, project_id: str, body: ReportCreate) -> tuple[Report, bool]:
        """The report and whether this call created it: the same client id again returns it."""
        project = self.access.projects.get_item(project_id)
        authorize(caller, Permission.REPORT_WRITE, self.access.projects.get_ref(project_id))
        if body.id is not None and (existing := self._existing(caller, project_id, body.id)) is not None:
            return existing, False
        if body.spec is not None and body.markdown is not None:
            raise InvalidInput("send spec or markdown, not both", field="markdown")
        raw = spec_from_markdown(body.markdown) if body.markdown is not None else body.spec or EMPTY_SPEC
        spec = clean_spec(raw)
        at, report_id = now_iso(), body.id or secrets.token_hex(8)
        pk, sk = keys.meta(report_id)
        head: Item = {
            "pk": pk, "sk": sk, "id": report_id, "project_id": project_id, "entity": project["entity"],
            "project": project["name"], "title": body.title, "description": body.description,
            "version": 1, "state": "draft", "visibility": None, "owner": caller.username,
            "created_at": at, "updated_at": at, "published_at": None,
            "gsi1pk": keys.of_project(project_id), "gsi1sk": report_id,
            "gsi2pk": keys.by_owner(caller.username), "gsi2sk": report_id,
        }  # fmt: skip
        summary = {"author": caller.username, "created_at": at, "title": body.title,
                   "description": body.description, "message": "created"}  # fmt: skip
        try:
            self.store.write_version(head, summary, spec, expected=None)
        except ConditionFailed:
            existing = self._existing(caller, project_id, report_id)
            if existing is None:
                raise
            return existing, False
        ref = self.access.ref(head)
        return self.report(caller, head, ref, spec), True

    def _existing(self, caller: Caller, project_id: str, report_id: str) -> Report | None:
        head = self.store.find_head(report_id)
        if head is None:
            return None
        ref = self.access.ref(head)
        if head["project_id"] != project_id or Permission.REPORT_READ not in permissions_of(caller, ref):
            raise Conflict(f"report id {report_id!r} is taken: choose another", field="id")
        return self.report(caller, head, ref)

    def save(self, caller: Caller, report_id: str, body: ReportSave) -> Report:
        head, ref = self.access.open(caller, report_id, Permission.REPORT_WRITE)
        spec = clean_spec(body.spec)
        return self.write(
            caller,
            head,
            ref,
            spec,
            base=body.base_version,
            title=body.title,
            description=body.description,
            message=body.message,
        )

    def write(
        self,
        caller: Caller,
        head: Item,
        ref: ResourceRef,
        spec: dict[str, Any],
        *,
        base: int,
        title: str | None = None,
        description: str | None = None,
        message: str | None = None,
        restored_from: int | None = None,
    ) -> Report:
        """A new version of the report with `spec`, made from version `base` (else VersionConflict)."""
        if int(head["version"]) != base:
            return self._after_conflict(caller, head, ref, spec, base)
        at, number = now_iso(), base + 1
        new = {
            **head,
            "version": number,
            "title": title if title is not None else head["title"],
            "description": description if description is not None else head.get("description", ""),
            "updated_at": at,
        }
        summary = {"author": caller.username, "created_at": at, "title": new["title"],
                   "description": new["description"], "message": message,
                   "restored_from": restored_from}  # fmt: skip
        try:
            self.store.write_version(new, summary, spec, expected=base)
        except ConditionFailed:
            return self._after_conflict(caller, self.store.head(head["id"]), ref, spec, base)
        return self.report(caller, new, ref, spec)

    def _after_conflict(
        self, caller: Caller, head: Item, ref: ResourceRef, spec: dict[str, Any], base: int
    ) -> Report:
        current = int(head["version"])
        if current == base + 1:
            # Our own earlier try landed (a retried request): answer what it stored.
            landed = self.store.version(head["id"], current)
            if landed["author"] == caller.username and self.store.spec(head["id"], current) == spec:
                return self.report(caller, head, ref, spec)
        author = self.store.version(head["id"], current)["author"] if current else "?"
        raise VersionConflict(
            f"report {head['id']} is at version {current} (saved by {author}), not {base}: "
            "reload it, apply your edit again and save with base_version "
            f"{current}",
            field="base_version",
        )

    def publish(self, caller: Caller, report_id: str) -> Report:
        for _ in range(5):
            head, ref = self.access.open(caller, report_id, Permission.REPORT_WRITE)
            if head["state"] == "published":
                return self.report(caller, head, ref)
            if head["owner"] != caller.username and not caller.is_admin:
                raise Forbidden(f"only {head['owner']}, who wrote this draft, may publish it", field="state")
            at = now_iso()
            new = {**head, "state": "published", "published_at": at, "updated_at": at}
            try:
                self.store.put_head(new, expected=int(head["version"]))
            except ConditionFailed:
                continue  # saved meanwhile: publish the head as it is now
            return self.report(caller, new, self.access.ref(new))
        raise Conflict(f"report {report_id} kept changing while being published; try again", field="state")

    def set_visibility(self, caller: Caller, report_id: str, body: VisibilitySet) -> Report:
        for _ in range(5):
            head, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
            self._check_owner_or_admin(caller, head, ref, "change who sees")
            new = {**head, "visibility": body.visibility, "updated_at": now_iso()}
            try:
                self.store.put_head(new, expected=int(head["version"]))
            except ConditionFailed:
                continue
            return self.report(caller, new, self.access.ref(new))
        raise Conflict(f"report {report_id} kept changing; try again", field="visibility")

    def delete(self, caller: Caller, report_id: str) -> None:
        head, ref = self.access.open(caller, report_id, Permission.REPORT_READ)
        self._check_owner_or_admin(caller, head, ref, "delete")
        grants = project_keys.grants_prefix("report", report_id)
        for grant in list(
            self._items.query_all(project_keys.grants_of(head["project_id"]), sk_prefix=grants)
        ):
            self._items.delete(grant["pk"], grant["sk"])
        from .sharing import revoke_all  # the report's share links stop working with it

        revoke_all(self._items, report_id)
        self.store.delete(report_id)

    @staticmethod
    def _check_owner_or_admin(caller: Caller, head: Item, ref: ResourceRef, action: str) -> None:
        held = permissions_of(caller, ref)
        if head["owner"] == caller.username and Permission.REPORT_WRITE in held:
            return
        if Permission.PROJECT_ADMIN not in permissions_of(caller, ref.project):
            raise Forbidden(f"only {head['owner']} or a project admin may {action} this report")

    # -- stars --------------------------------------------------------------------------------------
    def star(self, caller: Caller, report_id: str, *, on: bool) -> None:
        self.access.open(caller, report_id, Permission.REPORT_READ)
        pk, sk = keys.star(caller.user_id, report_id)
        if on:
            self._items.put({"pk": pk, "sk": sk, "report_id": report_id, "starred_at": now_iso()})
        else:
            self._items.delete(pk, sk)

    # -- export -------------------------------------------------------------------------------------
    def export_markdown(self, caller: Caller, report_id: str) -> tuple[str, str]:
        """(the report as markdown, a file name for it)."""
        from .markdown import spec_to_markdown

        head, _ = self.access.open(caller, report_id, Permission.REPORT_READ)
        return spec_to_markdown(self.spec_for_export(head, report_id)), report_filename(head["title"], "md")

    def spec_for_export(self, head: Item, report_id: str) -> dict[str, Any]:
        """The report's current spec, with the title and description its head holds when the spec
        has none (an export stands alone, without the head beside it)."""
        spec = self.store.spec(report_id, int(head["version"]))
        spec = {**spec, "title": spec.get("title") or head["title"]}
        if head.get("description") and not spec.get("description"):
            spec["description"] = head["description"]
        return spec
