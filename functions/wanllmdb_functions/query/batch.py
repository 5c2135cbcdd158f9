"""Many runs x many keys in one answer, with an ETag and a verdict on how long it may be cached.

Each run's series come from `QueryService.chart`, the same per-run read the single-run route
uses, so whatever makes that read cheaper serves this one too. What is added here: one
authorization for the project, a listing of every run's stream taken before any read (the
ETag, so an unchanged answer is a 304 after listings only), and the caching rule:

- every run `finished` and its stream fully compacted (no chunk outside a compacted file): the
  answer cannot change, so it may be cached as immutable;
- anything else (a running run, chunks still arriving, a run asked for that is not there): the
  client must revalidate each time (`no-cache`, with the ETag).

The ETag is computed from listings taken before the reads, so it is never newer than the data it
labels: a change in between costs one more full answer, never a stale 304.

A POST may add `band` runs (up to 1,000): aggregated into one band per key (query/batch_band.py)
instead of a series each. Their listings, states and attempts are part of the ETag and of the
caching verdict like the lines' runs.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.errors import NotFound
from ..lake.visible import StreamObjects, list_stream
from .batch_band import band_listing, read_band
from .batch_models import BUCKET_FIELDS, BatchBand, BatchQuery, BatchResponse, BatchRun
from .catalog import RunRecord
from .models import SeriesOut
from .service import ChartResult, QueryService

if TYPE_CHECKING:
    from ..core.caller import Caller

__all__ = ["IMMUTABLE", "REVALIDATE", "BatchResult", "read_batch", "to_response"]

_THREADS = 8
# A finished, compacted run's answer never changes; a day bounds what a later `wanllmdb sync`
# of more rows into a finished run could leave stale in a browser that read it before.
IMMUTABLE = "private, max-age=86400, immutable"
REVALIDATE = "private, no-cache"
_SETTLED_STATES = frozenset({"finished"})


@dataclass
class BatchResult:
    query: BatchQuery
    etag: str
    cache_control: str
    runs: list[tuple[RunRecord, ChartResult]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    not_modified: bool = False
    # The band runs aggregated per key (query/batch_band.py); None when no band was asked for.
    band: BatchBand | None = None


def _matches(etag: str, if_none_match: str | None) -> bool:
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag in tags or "*" in tags


def _etag(
    query: BatchQuery,
    variant: str,
    listed: list[tuple[RunRecord, StreamObjects]],
    missing: list[str],
    band: list[tuple[RunRecord, StreamObjects]],
) -> str:
    digest = hashlib.sha256(f"{query.fingerprint()}|{variant}|{sorted(missing)}".encode())
    for part in (listed, band):
        for run, objects in part:
            digest.update(f"{run.id}\0{run.state}\0{run.attempt}\0{objects.fingerprint()}\n".encode())
        digest.update(b"|band\n")
    return f'"b{digest.hexdigest()[:32]}"'


def _settled(listed: list[tuple[RunRecord, StreamObjects]], missing: list[str]) -> bool:
    return not missing and all(run.state in _SETTLED_STATES and not objects.chunks for run, objects in listed)


def read_batch(
    service: QueryService,
    caller: Caller,
    project_id: str,
    query: BatchQuery,
    *,
    variant: str,
    if_none_match: str | None = None,
) -> BatchResult:
    """Every asked run's series of `query.keys`; `variant` (the encoding) is part of the ETag."""
    query = query.validated()
    records = service.catalog.readable_runs(caller, project_id, query.runs) if query.runs else []
    band_records = service.catalog.readable_runs(caller, project_id, query.band) if query.band else []
    found = {r.id for r in records} | {r.id for r in band_records}
    missing = [r for r in dict.fromkeys([*query.runs, *query.band]) if r not in found]
    with ThreadPoolExecutor(min(_THREADS, max(1, len(records) + len(band_records)))) as pool:
        objects = list(
            pool.map(lambda r: list_stream(service.blobs, r.project_id, r.id, query.stream), records)
        )
        listed = list(zip(records, objects, strict=True))
        band_listed = list(
            zip(band_records, band_listing(service, project_id, band_records, query.stream), strict=True)
        )
        etag = _etag(query, variant, listed, missing, band_listed)
        settled = _settled(listed, missing) and _settled(band_listed, [])
        cache_control = IMMUTABLE if settled else REVALIDATE
        result = BatchResult(query, etag, cache_control, missing=list(missing))
        if _matches(etag, if_none_match):
            result.not_modified = True
            return result
        chart = query.chart()

        def read(run: RunRecord) -> tuple[RunRecord, ChartResult] | None:
            try:
                return run, service.chart(caller, run.id, chart, project_id=project_id)
            except NotFound:  # deleted since the listing: left out like a run that never was
                return None

        result.runs = [got for got in pool.map(read, records) if got is not None]
        if query.band:
            result.band, gone = read_band(service, pool, project_id, band_listed, query)
            result.missing += gone
    read_ids = {run.id for run, _ in result.runs}
    gone_lines = [r.id for r in records if r.id not in read_ids]
    result.missing += gone_lines
    if len(result.missing) > len(missing):
        result.cache_control = REVALIDATE
    return result


def _only(series: SeriesOut, fields: tuple[str, ...]) -> SeriesOut:
    if series.raw or series.buckets is None or fields == BUCKET_FIELDS:
        return series
    return SeriesOut(raw=False, buckets={f: series.buckets[f] for f in fields})


def to_response(result: BatchResult) -> BatchResponse:
    """The JSON shape: per run its state, last step and each key's series as `/runs/{id}/metrics` gives it."""
    query = result.query
    runs = {
        run.id: BatchRun(
            state=run.state,
            last_step=chart.last_step,
            series={key: _only(s, query.fields) for key, s in chart.series.items()},
            warnings=chart.warnings,
        )
        for run, chart in result.runs
    }
    return BatchResponse(
        x=query.x,
        stream=query.stream,
        buckets=query.buckets,
        min=query.x_min,
        max=query.x_max,
        fields=list(query.fields),
        runs=runs,
        missing=result.missing,
        band=result.band,
    )
