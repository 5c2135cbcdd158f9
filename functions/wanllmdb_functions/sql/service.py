"""Read-only SQL over the lake: the `metrics` and `runs` tables, built only from what the caller may read.

Domain logic only: the query is parsed and refused before any store is touched (guard.py), then run
by Polars' SQL engine on tables the caller may read (engine.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from ..core.errors import InvalidInput
from ..lake.reader import FrameCache
from ..ports.blob_store import BlobStore
from ..query.catalog import RunCatalog, metrics_table, runs_table
from ..query.envelope import json_number
from .engine import run_sql
from .guard import check_query
from .models import SqlRequest, SqlResponse

if TYPE_CHECKING:
    from ..core.caller import Caller

__all__ = ["SQL_TABLES", "SqlService"]

# The tables an SQL query may read; each is built only from what the caller may read.
SQL_TABLES = ("metrics", "runs")


class SqlService:
    def __init__(
        self, blobs: BlobStore, catalog: RunCatalog, *, cache: FrameCache, timeout_s: float = 10.0
    ) -> None:
        self.blobs = blobs
        self.catalog = catalog
        self.cache = cache
        self.timeout_s = timeout_s

    def sql(self, caller: Caller, body: SqlRequest) -> SqlResponse:
        query = check_query(body.query, SQL_TABLES)  # refused before any store is touched
        projects = self.catalog.sql_projects(caller, body.projects)
        tables: dict[str, pl.LazyFrame] = {}
        if "runs" in query.tables:
            tables["runs"] = runs_table(
                r for p in projects for r in self.catalog.readable_runs(caller, p, with_config=True)
            )
        for lazy in (True, False):
            warnings: list[str] = []
            if "metrics" in query.tables:
                tables["metrics"], warnings = metrics_table(self.blobs, projects, cache=self.cache, lazy=lazy)
            try:
                result = run_sql(query, tables=tables, limit=body.limit, timeout_s=self.timeout_s)
            except pl.exceptions.ComputeError as exc:
                if lazy and "metrics" in query.tables:
                    continue  # maybe a corrupt object: retry reading object by object, skipping bad ones
                raise InvalidInput(f"SQL error: {exc}", field="query") from None
            rows = [[json_number(v) for v in row] for row in result.rows]
            return SqlResponse(
                columns=result.columns, rows=rows, truncated=result.truncated, warnings=warnings
            )
        raise AssertionError("unreachable")
