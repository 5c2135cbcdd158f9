"""Response shapes of the table viewer's route (GET /runs/{run_id}/table)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_JOIN_RUNS", "TableColumn", "TableGroup", "TableJoinRequest", "TablePage"]

MAX_JOIN_RUNS = 8


class TableColumn(BaseModel):
    name: str
    kind: str = Field(
        description="number, int, bool, str, list, mixed, none, time, struct, or media:<_type> (cells are "
        "media descriptors with a presigned `url`)"
    )


class TableGroup(BaseModel):
    value: Any
    count: int


class TablePage(BaseModel):
    key: str
    requested_step: int
    step: int = Field(description="the step shown: the requested one, or the nearest earlier with a table")
    exact: bool
    columns: list[TableColumn]
    total_rows: int = Field(description="rows in the logged table")
    matched_rows: int = Field(description="rows left after `filters` (groups, with `group_by`)")
    offset: int
    rows: list[list[Any]] = Field(description="row-major cells of this page, in `columns` order")
    groups: list[TableGroup] | None = Field(
        default=None, description="with `group_by`: each value and its row count"
    )
    url_expires_s: int


class TableJoinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    runs: list[str] = Field(min_length=2, max_length=MAX_JOIN_RUNS, description="run ids, in column order")
    key: str = Field(min_length=1, max_length=256, description="the table key every run logged")
    step: int | None = Field(
        default=None, description="each run's table at this step or the nearest earlier; latest"
    )
    on: str = Field(min_length=1, max_length=256, description="the column to join on (a key of each table)")
    offset: int = Field(0, ge=0)
    limit: int = Field(100, ge=1, le=1000)
    sort: str | None = Field(default=None, max_length=512, description="a column of the joined table")
    desc: bool = False
    filters: str | None = Field(default=None, max_length=10_000, description="the runs table's JSON filters")
