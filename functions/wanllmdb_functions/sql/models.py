"""Request and answer of read-only SQL over the lake."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SqlRequest", "SqlResponse"]


class SqlRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: str = Field(min_length=1, max_length=20_000)
    limit: int = Field(default=1000, ge=1, le=10_000)
    projects: list[str] | None = Field(default=None, max_length=100, description="limit to these projects")


class SqlResponse(BaseModel):
    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    warnings: list[str] = []
