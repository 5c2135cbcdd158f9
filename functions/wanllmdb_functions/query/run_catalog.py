"""`RunCatalog` on the runs and projects services: the one module of the query service that reads run items.

SQL is for members and admins of a project (the brief): the policy has no SQL permission of
its own, so "may write runs there" stands for "member or admin"; viewers and readers of public
projects get 403 from /api/sql.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.caller import Caller
from ..core.errors import Forbidden
from ..core.policy import Permission, authorize, permissions_of
from ..ports import BlobStore, Item, ItemStore
from ..projects.service import ProjectService
from ..runs.listing import RunTable
from ..runs.lookup import authorized_run_item, run_in_project
from ..runs.records import load_config, run_from_item
from .catalog import RunRecord

__all__ = ["ServiceRunCatalog"]

SQL_PERMISSION = Permission.RUN_WRITE
_MAX_SQL_PROJECTS = 100


class ServiceRunCatalog:
    def __init__(self, items: ItemStore, blobs: BlobStore) -> None:
        self._items = items
        self._blobs = blobs
        self._projects = ProjectService(items)

    def _record(self, item: Item, *, with_config: bool) -> RunRecord:
        # A config past the inline bound is a BlobStore GET of up to config_max_bytes: only on request.
        run = run_from_item(item, load_config(self._blobs, item) if with_config else {})
        return RunRecord(
            id=run.id,
            project_id=run.project_id,
            name=run.name,
            state=run.state,
            group=run.group,
            job_type=run.job_type,
            attempt=run.attempt,
            created_at=run.created_at,
            tags=tuple(run.tags or ()),
            config=run.config if with_config else None,
            summary=run.summary,
        )

    def readable_run(
        self, caller: Caller, run_id: str, *, project_id: str | None = None, with_config: bool = False
    ) -> RunRecord:
        item = authorized_run_item(
            self._items, self._projects, caller, run_id, Permission.RUN_READ, project_id=project_id
        )
        return self._record(item, with_config=with_config)

    def readable_runs(
        self,
        caller: Caller,
        project_id: str,
        run_ids: Sequence[str] | None = None,
        *,
        with_config: bool = False,
    ) -> list[RunRecord]:
        authorize(caller, Permission.RUN_READ, self._projects.get_ref(project_id))
        if run_ids is None:
            run_ids = [row["run_id"] for row in RunTable(self._items, self._blobs).rows(project_id)]
        records: list[RunRecord] = []
        for run_id in run_ids:
            # A run of another project, or none at all, is simply not in the answer.
            if (item := run_in_project(self._items, project_id, run_id)) is not None:
                records.append(self._record(item, with_config=with_config))
        return records

    def sql_projects(self, caller: Caller, project_ids: Sequence[str] | None = None) -> list[str]:
        if project_ids is not None:
            for project_id in project_ids:
                ref = self._projects.get_ref(project_id)
                authorize(caller, Permission.RUN_READ, ref)
                if SQL_PERMISSION not in permissions_of(caller, ref):
                    raise Forbidden(f"SQL on project {project_id} is for its members and admins")
            return list(project_ids)
        allowed: list[str] = []
        cursor: str | None = None
        while True:
            page = self._projects.list_projects(caller, limit=200, cursor=cursor)
            for project in page.items:
                if SQL_PERMISSION in permissions_of(caller, self._projects.get_ref(project.id)):
                    allowed.append(project.id)
            if page.next_cursor is None or len(allowed) >= _MAX_SQL_PROJECTS:
                return allowed[:_MAX_SQL_PROJECTS]
            cursor = page.next_cursor
