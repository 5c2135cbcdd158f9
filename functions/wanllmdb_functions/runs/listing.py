"""The runs table: one partition query for the project's index rows, then filter, sort and page in memory."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.caller import Caller
from ..core.policy import Permission, authorize
from ..ports import BlobStore, Item, ItemStore
from ..projects.service import ProjectService
from .filters import Predicate, compile_filters, page_after, parse_order, sort_rows
from .grouping import group_rows, parse_columns
from .keys import ROW_PREFIX, project_rows_pk, run_key
from .lookup import run_in_project
from .models import RunGroups, RunList
from .records import load_config, run_from_item
from .row_cache import RowCache

__all__ = ["BOUNDED_LISTING_ROWS", "RunTable"]

# A listing filters and sorts every run of its project, about 2.5 µs a run: up to this many runs it
# is short enough to run beside other requests without holding them up (app/offload.py).
BOUNDED_LISTING_ROWS = 5_000


class RunTable:
    def __init__(self, items: ItemStore, blobs: BlobStore, cache: RowCache | None = None) -> None:
        self._items = items
        self._blobs = blobs
        self._projects = ProjectService(items)
        self._cache = cache

    def rows(self, project_id: str) -> Sequence[Item]:
        pk = project_rows_pk(project_id)

        def read() -> list[Item]:
            # No limit: the adapter reads the whole partition (DynamoDB pages it 1 MB at a time),
            # which is one SQLite statement locally instead of ten cursor round trips.
            return self._items.query(pk, sk_prefix=ROW_PREFIX).items

        def read_one(sk: str) -> Item | None:
            return self._items.get(pk, sk) if sk.startswith(ROW_PREFIX) else None

        return read() if self._cache is None else self._cache.rows(self._items, pk, read, read_one)

    def is_large(self, project_id: str) -> bool:
        """Whether a listing of the project reads or sorts more than BOUNDED_LISTING_ROWS runs (or
        runs whose number is not known yet: the first listing reads the whole partition)."""
        size = None if self._cache is None else self._cache.size(self._items, project_rows_pk(project_id))
        return size is None or size > BOUNDED_LISTING_ROWS

    def _matched(
        self,
        project_id: str,
        *,
        state: str | None,
        tag: str | None,
        group: str | None,
        filters: str | None,
        sweep: str | None = None,
    ) -> list[Item]:
        checks: list[Predicate] = [] if filters is None else [compile_filters(filters)]
        if sweep:
            checks.append(lambda row: row.get("sweep_id") == sweep)
        if state:
            checks.append(lambda row: row.get("state") == state)
        if tag:
            checks.append(lambda row: tag in (row.get("tags") or ()))
        if group:
            checks.append(lambda row: row.get("group") == group)
        rows = self.rows(project_id)
        if not checks:  # the usual first page: every run, no predicate to call thousands of times
            return list(rows)
        return [row for row in rows if all(check(row) for check in checks)]

    def list(
        self,
        caller: Caller,
        project_id: str,
        *,
        state: str | None = None,
        tag: str | None = None,
        group: str | None = None,
        filters: str | None = None,
        order: str | None = None,
        per_page: int = 50,
        cursor: str | None = None,
        sweep: str | None = None,
    ) -> RunList:
        authorize(caller, Permission.RUN_READ, self._projects.get_ref(project_id))
        sort = parse_order(order)
        matched = self._matched(project_id, state=state, tag=tag, group=group, filters=filters, sweep=sweep)
        memo = None if self._cache is None else self._cache.sort_memo(sort)
        page, next_cursor = page_after(sort_rows(matched, sort, memo=memo), sort, cursor, per_page)
        runs = []
        # One read for the page's runs; a run stored under the legacy key shape is looked up alone.
        found = self._items.batch_get([run_key(project_id, row["run_id"]) for row in page])
        for row, item in zip(page, found, strict=True):
            item = item or run_in_project(self._items, project_id, row["run_id"])
            if item is not None:  # deleted since the rows were read
                runs.append(run_from_item(item, load_config(self._blobs, item)))
        return RunList(items=runs, next_cursor=next_cursor, total=len(matched))

    def groups(
        self,
        caller: Caller,
        project_id: str,
        *,
        by: str,
        columns: str | None = None,
        state: str | None = None,
        tag: str | None = None,
        group: str | None = None,
        filters: str | None = None,
    ) -> RunGroups:
        """The matching runs grouped by `by`, with counts and mean/min/max of `columns`."""
        authorize(caller, Permission.RUN_READ, self._projects.get_ref(project_id))
        stat_columns = parse_columns(columns)
        matched = self._matched(project_id, state=state, tag=tag, group=group, filters=filters)
        return group_rows(matched, by, stat_columns)
