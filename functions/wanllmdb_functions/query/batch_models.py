"""The batch query: many runs x many keys on one x axis in one request, and its limits.

A workspace section is drawn from one such request instead of one per panel per run. The limits
keep every answer computable in seconds and small enough to send: they are checked before anything
is read, so an oversized ask is a 400 that names the limit, never a timeout.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import InvalidInput
from .chart_query import ChartQuery
from .models import MAX_COMPARE_RUNS, MAX_KEYS, SeriesOut, check_keys

__all__ = [
    "BUCKET_FIELDS",
    "MAX_BAND_POINTS",
    "MAX_BAND_RUNS",
    "MAX_BAND_SERIES",
    "MAX_BATCH_POINTS",
    "MAX_BATCH_SERIES",
    "BatchBand",
    "BatchBody",
    "BatchQuery",
    "BatchResponse",
    "BatchRun",
]

# runs x keys: the series of one answer.
MAX_BATCH_SERIES = 10_000
# runs x keys x buckets: what one answer may carry (at 1,000 buckets, 1,000 series).
MAX_BATCH_POINTS = 1_000_000
# Runs aggregated into one band (the selection past the first N lines): 1,000 runs drawn at once.
MAX_BAND_RUNS = 1000
# band runs x keys: the series read to make one answer's bands (1,000 runs x 20 keys).
MAX_BAND_SERIES = 20_000
# band runs x keys x buckets: the buckets read and combined for one answer's bands, which bounds
# its memory (four float64 columns each) and time.
MAX_BAND_POINTS = 5_000_000
BUCKET_FIELDS = ("x0", "x1", "count", "min", "max", "mean", "first", "last")


@dataclass(frozen=True)
class BatchQuery:
    runs: list[str]
    keys: list[str]
    x: str = "step"
    buckets: int = 1000
    stream: str = "history"
    x_min: float | None = None
    x_max: float | None = None
    after_step: int | None = None
    fields: tuple[str, ...] = BUCKET_FIELDS
    # Runs drawn as one min/max band per key (query/bands.py), not as lines of their own.
    band: tuple[str, ...] = ()

    def validated(self) -> BatchQuery:
        runs = list(dict.fromkeys(self.runs))
        band = tuple(dict.fromkeys(self.band))
        if not runs and not band:
            raise InvalidInput("runs: name at least one run (runs=a,b) or band run", field="runs")
        if len(band) > MAX_BAND_RUNS:
            raise InvalidInput(
                f"band: at most {MAX_BAND_RUNS} runs per request, got {len(band)}: "
                "draw fewer runs, or narrow the selection",
                field="band",
            )
        if band and self.after_step is not None:
            raise InvalidInput(
                "after_step: a band is always read whole; ask for the band without after_step",
                field="after_step",
            )
        if len(runs) > MAX_COMPARE_RUNS:
            raise InvalidInput(f"runs: at most {MAX_COMPARE_RUNS} runs per request", field="runs")
        keys = check_keys(self.keys)
        if not keys:
            raise InvalidInput("keys: name at least one key (one keys= per key)", field="keys")
        if len(keys) > MAX_KEYS:
            raise InvalidInput(f"keys: at most {MAX_KEYS} keys per request", field="keys")
        # buckets, stream, zoom range and x: what one run's chart checks
        replace(self, keys=keys).chart().validated()
        if len(band) * len(keys) > MAX_BAND_SERIES:
            raise InvalidInput(
                f"band runs x keys is {len(band) * len(keys)}, over the limit of {MAX_BAND_SERIES} "
                f"per request: ask for at most {max(1, MAX_BAND_SERIES // len(band))} keys per request "
                f"with {len(band)} band runs",
                field="keys",
            )
        band_series = len(band) * len(keys)
        band_points = band_series * self.buckets
        if band_points > MAX_BAND_POINTS:
            raise InvalidInput(
                f"band runs x keys x buckets is {band_points}, over the limit of {MAX_BAND_POINTS} "
                f"per request: ask for fewer buckets (at most {max(1, MAX_BAND_POINTS // band_series)} "
                f"for {len(band)} band runs x {len(keys)} keys) or fewer keys per request",
                field="buckets",
            )
        # A band is one more series per key in the answer.
        series = (len(runs) + (1 if band else 0)) * len(keys)
        if series > MAX_BATCH_SERIES:
            raise InvalidInput(
                f"runs x keys is {series}, over the limit of {MAX_BATCH_SERIES} series per request: "
                "ask for fewer runs or keys per request",
                field="keys",
            )
        if series * self.buckets > MAX_BATCH_POINTS:
            raise InvalidInput(
                f"runs x keys x buckets is {series * self.buckets}, over the limit of {MAX_BATCH_POINTS} "
                f"per request: ask for fewer buckets (at most {max(1, MAX_BATCH_POINTS // series)} "
                f"for {series} series) or split the keys over several requests",
                field="buckets",
            )
        fields = tuple(dict.fromkeys(self.fields))
        unknown = [f for f in fields if f not in BUCKET_FIELDS]
        if unknown or not fields:
            raise InvalidInput(
                f"fields: a comma-separated subset of {','.join(BUCKET_FIELDS)}", field="fields"
            )
        return BatchQuery(runs, keys, self.x, self.buckets, self.stream, self.x_min, self.x_max,
                          self.after_step, fields, band)  # fmt: skip

    def chart(self) -> ChartQuery:
        """The query each run's series answers."""
        return ChartQuery(
            self.keys, self.x, self.buckets, self.stream, self.x_min, self.x_max, self.after_step
        )

    def fingerprint(self) -> str:
        return repr((self.runs, sorted(self.keys), self.x, self.buckets, self.stream, self.x_min,
                     self.x_max, self.after_step, self.fields, self.band))  # fmt: skip


class BatchRun(BaseModel):
    state: str
    last_step: int | None
    series: dict[str, SeriesOut]
    warnings: list[str] = []


class BatchBand(BaseModel):
    """The band runs of a batch ask, aggregated per key (query/bands.py's band): per x slot the
    mean, min, max and stddev over the runs with a point there (`runs`, their count)."""

    runs: int = Field(description="how many band runs were read (asked for, less `missing`)")
    series: dict[str, dict[str, list[Any]]] = Field(
        description="per key: x, mean, min, max, std and runs, one value per x slot"
    )
    warnings: list[str] = []


class BatchBody(BaseModel):
    """POST /projects/{id}/metrics/batch: the GET's query in a body, so 1,000 band run ids fit
    (a URL of them would pass API Gateway's 10 KB request-line limit)."""

    model_config = ConfigDict(extra="forbid")

    runs: list[str] = Field(default_factory=list, description="runs drawn as lines, each with its series")
    band: list[str] = Field(default_factory=list, description="runs aggregated into one band per key")
    keys: list[str] = Field(description="metric keys, taken verbatim")
    x: str = Field(default="step", min_length=1, max_length=256)
    buckets: int = 1000
    min: float | None = None
    max: float | None = None
    stream: Literal["history", "system"] = "history"
    after_step: int | None = Field(default=None, ge=-(2**63 - 1), le=2**63 - 1)
    fields: list[str] = Field(default_factory=lambda: list(BUCKET_FIELDS))

    def query(self) -> BatchQuery:
        return BatchQuery(self.runs, self.keys, self.x, self.buckets, self.stream, self.min, self.max,
                          self.after_step, tuple(self.fields), tuple(self.band))  # fmt: skip


class BatchResponse(BaseModel):
    x: str
    stream: str
    buckets: int
    min: float | None
    max: float | None
    fields: list[str]
    runs: dict[str, BatchRun]
    # Runs asked for (lines or band) that are not in the project, or not readable: left out.
    missing: list[str] = []
    band: BatchBand | None = None
