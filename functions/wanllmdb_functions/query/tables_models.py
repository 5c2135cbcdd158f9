"""Response shapes of the table viewer's route (GET /runs/{run_id}/table)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["TableColumn", "TableGroup", "TablePage"]


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
    groups: list[TableGroup] | None = Field(None, description="with `group_by`: each value and its row count")
    url_expires_s: int
