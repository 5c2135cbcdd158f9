"""Who may do what with a report, decided by the one policy (core/policy.py).

A report is a resource of its project (`ResourceRef` kind "report") with the report grants made in
the project (POST /projects/{id}/grants, kind "report"). Its audience narrows or widens the
project's rules: a draft is its owner's alone; a published report's visibility is `private` (its
owner), `team`, `org` or `public`, or null for the project's rules. Grants then add or take away,
so a report can be opened to one more person, or closed to one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from ..core.caller import Caller
from ..core.errors import NotFound
from ..core.policy import Audience, Grant, Permission, ProjectRef, ResourceRef, authorize, permissions_of
from ..ports import Item, ItemStore
from ..projects import keys as project_keys
from ..projects.service import ProjectService, ref_from_item
from . import keys
from .models import ReportSummary
from .store import ReportStore

__all__ = ["ReportAccess", "audience_of", "missing_report"]


def missing_report(report_id: str) -> NotFound:
    return NotFound(f"report {report_id} not found", field="report_id")


def audience_of(head: Item) -> Audience:
    if head["state"] == "draft" or head.get("visibility") == "private":
        return "owner"
    visibility = head.get("visibility")
    return "project" if visibility is None else visibility  # type: ignore[no-any-return]


def _grant(item: Item) -> Grant:
    return Grant(item["principal"], frozenset(Permission(p) for p in item["permissions"]), item["effect"])


class ReportAccess:
    def __init__(self, items: ItemStore) -> None:
        self.items = items
        self.store = ReportStore(items)
        self.projects = ProjectService(items)

    def report_grants(self, project_id: str) -> dict[str, list[Item]]:
        """Every report grant of a project, by report id: one query shared by a listing's checks."""
        found: dict[str, list[Item]] = {}
        prefix = project_keys.grants_prefix("report", "")[:-1]  # "report#"
        for item in self.items.query_all(project_keys.grants_of(project_id), sk_prefix=prefix, page_size=500):
            found.setdefault(item["resource_id"], []).append(item)
        return found

    def ref(
        self, head: Item, *, project: ProjectRef | None = None, grants: Sequence[Item] | None = None
    ) -> ResourceRef:
        project = project or self.projects.get_ref(head["project_id"])
        if grants is None:
            grants = list(
                self.items.query_all(
                    project_keys.grants_of(project.project_id),
                    sk_prefix=project_keys.grants_prefix("report", head["id"]),
                )
            )
        found = tuple(_grant(g) for g in grants)
        return ResourceRef(project, "report", head["id"], found, audience_of(head), head["owner"])

    def open(self, caller: Caller, report_id: str, permission: Permission) -> tuple[Item, ResourceRef]:
        """The report's head and policy view, once `caller` holds `permission` on it (one who may
        not read it is told that it does not exist)."""
        head = self.store.find_head(report_id)
        if head is None:
            raise missing_report(report_id)
        ref = self.ref(head)
        authorize(caller, permission, ref, hidden=missing_report(report_id))
        return head, ref

    def readable(self, caller: Caller, heads: Iterable[Item]) -> list[tuple[Item, ResourceRef]]:
        """The heads `caller` may read, each with its policy view; grants are read once a project."""
        by_project: dict[str, tuple[ProjectRef, Mapping[str, list[Item]]] | None] = {}
        out = []
        for head in heads:
            pid = head["project_id"]
            if pid not in by_project:
                project = self.items.get(*project_keys.project(pid))
                by_project[pid] = (
                    None if project is None else (ref_from_item(project), self.report_grants(pid))
                )
            found = by_project[pid]
            if found is None:
                continue  # the project is gone (deleted); its reports go with it
            ref = self.ref(head, project=found[0], grants=found[1].get(head["id"], []))
            if Permission.REPORT_READ in permissions_of(caller, ref):
                out.append((head, ref))
        return out

    def starred_ids(self, caller: Caller) -> set[str]:
        if caller.is_anonymous:
            return set()
        return {i["sk"] for i in self.items.query_all(keys.stars_of(caller.user_id), page_size=500)}

    @staticmethod
    def summary(head: Item, caller: Caller, ref: ResourceRef, *, starred: bool) -> ReportSummary:
        return ReportSummary.model_validate(
            {
                **{k: head.get(k) for k in ReportSummary.model_fields if k not in ("starred", "can_edit")},
                "starred": starred,
                "can_edit": Permission.REPORT_WRITE in permissions_of(caller, ref),
            }
        )
