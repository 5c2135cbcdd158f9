"""Request and response shapes of the query service, with explicit limits."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .envelope import MAX_BUCKETS

__all__ = [
    "ChartResponse",
    "CompareRequest",
    "CompareResponse",
    "ExportRequest",
    "ExportResponse",
    "HistoryPage",
    "MetricKeys",
    "RunFile",
    "RunFiles",
    "SeriesOut",
]

MAX_KEYS = 100
MAX_COMPARE_RUNS = 500
_KEY = re.compile(r"^[^\x00-\x1f]{1,256}$")
Stream = Literal["history", "system"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_keys(keys: list[str], field: str = "keys") -> list[str]:
    from ..core.errors import InvalidInput

    if len(keys) > MAX_KEYS:
        raise InvalidInput(f"{field}: at most {MAX_KEYS} keys per request", field=field)
    for key in keys:
        if not _KEY.match(key):
            raise InvalidInput(f"{field}: a key is 1..256 printable characters", field=field)
    return list(dict.fromkeys(keys))


class SeriesOut(BaseModel):
    raw: bool
    points: dict[str, list[Any]] | None = None
    buckets: dict[str, list[Any]] | None = None


class ChartResponse(BaseModel):
    run_id: str
    x: str
    stream: Stream
    series: dict[str, SeriesOut]
    last_step: int | None
    warnings: list[str] = []


class MetricKeys(BaseModel):
    keys: list[str]
    warnings: list[str] = []


class CompareRequest(_Strict):
    runs: list[str] = Field(min_length=1, max_length=MAX_COMPARE_RUNS)
    keys: list[str] = Field(min_length=1, max_length=MAX_KEYS)
    buckets: int = Field(default=1000, ge=1, le=MAX_BUCKETS)
    x: str = Field(default="step", min_length=1, max_length=256)
    stream: Stream = "history"
    min: float | None = None
    max: float | None = None
    group_by: str | None = Field(
        default=None,
        max_length=256,
        description=(
            "'group', 'job_type', 'state', 'name', 'tags' (a run counts in each of its tags) or "
            "'config.<path>': adds mean/min/max/std bands"
        ),
    )

    @field_validator("keys")
    @classmethod
    def _keys(cls, keys: list[str]) -> list[str]:
        return check_keys(keys)


class GroupBand(BaseModel):
    value: Any
    runs: list[str]
    series: dict[str, dict[str, list[Any]]]


class CompareResponse(BaseModel):
    x: str
    runs: dict[str, dict[str, SeriesOut]]
    groups: list[GroupBand] | None = None
    warnings: list[str] = []


class RunFile(BaseModel):
    path: str
    size: int
    updated_at: str
    url: str


class RunFiles(BaseModel):
    items: list[RunFile]


class HistoryPage(BaseModel):
    rows: list[dict[str, Any]]
    next_cursor: int | None
    warnings: list[str] = []


class ExportRequest(_Strict):
    runs: list[str] | None = Field(default=None, max_length=10_000)
    keys: list[str] | None = Field(default=None, max_length=MAX_KEYS)
    stream: Stream = "history"

    @field_validator("keys")
    @classmethod
    def _keys(cls, keys: list[str] | None) -> list[str] | None:
        return None if keys is None else check_keys(keys)


class ExportResponse(BaseModel):
    key: str
    url: str
    method: str = "GET"
    expires_at: str | None
    rows: int | None = None
    runs: int | None = None
