"""The query service: chart data, metric keys and multi-run compare on the metric lake.

Domain logic only: it reads the lake through the BlobStore port, learns what the caller may
read from a `RunCatalog`, and knows nothing of HTTP.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from ..core.errors import InvalidInput, NotFound
from ..lake.keys import STREAMS, file_prefix, media_key, saved_file_key
from ..lake.lod import PyramidReader, list_pyramids
from ..lake.reader import Columns, FrameCache, StreamRead, read_stream
from ..lake.visible import StreamObjects, list_project, list_stream
from ..ports.blob_store import BlobInfo, BlobStore
from .bands import group_bands
from .catalog import RunCatalog, RunRecord
from .chart_query import ChartQuery
from .envelope import Series, envelope, json_values, with_x
from .export import export_project, export_run
from .history import HistoryRows, history_page
from .lod import StepRange, compacted_footer, find_pyramid, pyramid_series
from .logs import LogPage, read_logs
from .media import histogram_steps, media_item, media_keys, read_media
from .media_models import MediaHistograms, MediaItem, MediaKeys
from .models import (
    CompareRequest,
    CompareResponse,
    ExportRequest,
    ExportResponse,
    GroupBand,
    RunFile,
    SeriesOut,
)
from .tables import LAST_STEP, TableQuery, joined_tables, read_table, table_page
from .tables_models import TableJoinRequest, TablePage

# wandb names a run's media files media/<...>; ours are the descriptor's `path`, with or without it.
MEDIA_FILE_PREFIX = "media/"

if TYPE_CHECKING:
    from ..core.caller import Caller

__all__ = ["ChartQuery", "ChartResult", "QueryService", "series_out"]

_READ_THREADS = 8


def series_out(series: Series) -> SeriesOut:
    columns = {name: json_values(values) for name, values in series.columns.items()}
    return SeriesOut(raw=True, points=columns) if series.raw else SeriesOut(raw=False, buckets=columns)


@dataclass
class ChartResult:
    etag: str
    series: dict[str, SeriesOut] = field(default_factory=dict)
    last_step: int | None = None
    warnings: list[str] = field(default_factory=list)
    not_modified: bool = False


def _etag(objects: StreamObjects, query_fingerprint: str) -> str:
    digest = hashlib.sha256(f"{objects.fingerprint()}|{query_fingerprint}".encode()).hexdigest()
    return f'"{digest[:32]}"'


def _key_frames(read: pl.DataFrame, keys: Sequence[str], x: str) -> dict[str, pl.DataFrame]:
    framed = with_x(read, x)
    parts = {key: framed.filter(pl.col("key") == key) for key in keys}
    return {key: part for key, part in parts.items() if part.height}


def _chart_columns(x: str) -> Columns:
    return ("step", "ts", "key", "value", "attempt") if x == "ts" else ("step", "key", "value", "attempt")


class QueryService:
    def __init__(
        self,
        blobs: BlobStore,
        catalog: RunCatalog,
        *,
        cache: FrameCache | None = None,
        link_ttl_s: int = 900,
    ) -> None:
        self.blobs = blobs
        self.catalog = catalog
        self.cache = cache if cache is not None else FrameCache()
        # How long the presigned GETs this service hands out (files, exports) stay valid.
        self.link_ttl_s = link_ttl_s

    def _read(
        self,
        run: RunRecord,
        stream: str,
        keys: Sequence[str] | None,
        objects: StreamObjects | None = None,
        columns: Columns = None,
    ) -> StreamRead:
        return read_stream(
            self.blobs,
            run.project_id,
            run.id,
            stream,
            keys=keys,
            cache=self.cache,
            objects=objects,
            columns=columns,
        )

    def metric_keys(
        self, caller: Caller, run_id: str, stream: str, *, project_id: str | None = None
    ) -> tuple[list[str], list[str]]:
        if stream not in STREAMS:
            raise InvalidInput(f"stream must be one of {', '.join(STREAMS)}", field="stream")
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        return self.run_metric_keys(run, stream)

    def run_metric_keys(
        self,
        run: RunRecord,
        stream: str,
        *,
        objects: StreamObjects | None = None,
        pyramids: list[BlobInfo] | None = None,
    ) -> tuple[list[str], list[str]]:
        """The keys of a run the caller was found to read, sorted, and the reader's warnings.

        A compacted file's keys come from its pyramid's footer (every key's last step), so a finished
        run of millions of rows answers from one metadata read; only the live chunks after it, and
        a file with no pyramid, are read, and then only their key column (which keys exist does not
        depend on which attempt wins a step, so no dedup). `objects` and `pyramids` (the stream's
        listing and its pyramids') save a caller that has them the listings."""
        if objects is None:
            objects = list_stream(self.blobs, run.project_id, run.id, stream)
        last_steps, objects = compacted_footer(
            self.blobs, objects, (run.project_id, run.id, stream), PyramidReader.last_steps,
            pyramids=pyramids, cache=self.cache,
        )  # fmt: skip
        compacted = set(last_steps or ())
        if not objects.objects:
            return sorted(compacted), []
        read = read_stream(
            self.blobs, run.project_id, run.id, stream, cache=self.cache, objects=objects, columns=("key",),
            dedup=False,
        )  # fmt: skip
        keys = compacted | set(read.frame.get_column("key").unique().cast(pl.String).to_list())
        return sorted(keys), read.warnings

    def chart(
        self,
        caller: Caller,
        run_id: str,
        query: ChartQuery,
        *,
        if_none_match: str | None = None,
        project_id: str | None = None,
    ) -> ChartResult:
        query = query.validated()
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        # One listing decides both the ETag and what is read, so the two always agree.
        objects = list_stream(self.blobs, run.project_id, run.id, query.stream)
        etag = _etag(objects, query.fingerprint())
        if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
            return ChartResult(etag, not_modified=True)
        result = ChartResult(etag)
        series, last = self.run_series(
            run,
            query.stream,
            objects,
            query.keys,
            x=query.x,
            buckets=query.buckets,
            x_min=query.x_min,
            x_max=query.x_max,
            after_step=query.after_step,
            warnings=result.warnings,
        )
        result.series = {key: series_out(s) for key, s in series.items()}
        if last is not None and (query.after_step is None or last > query.after_step):
            result.last_step = last
        elif query.after_step is not None:
            result.last_step = query.after_step
        return result

    def run_series(
        self,
        run: RunRecord,
        stream: str,
        objects: StreamObjects,
        keys: Sequence[str],
        *,
        x: str,
        buckets: int,
        x_min: float | None,
        x_max: float | None,
        after_step: int | None,
        warnings: list[str],
        pyramids: list[BlobInfo] | None = None,
    ) -> tuple[dict[str, Series], int | None]:
        """One run's chart series per key, in the order asked, and the last step of any of their rows
        (before `after_step` applies). On the step axis from the stream's pyramid where it serves
        (query/lod.py), else from raw rows; both give the same answer. `objects` is the stream's
        listing; `pyramids`, a listing of the project's pyramids for this stream (else one HEAD).
        Warnings are appended to `warnings`."""
        pyramid = None
        steps = StepRange.of(x_min, x_max, after_step) if x == "step" else None
        if steps is not None:
            lod = find_pyramid(self.blobs, objects, (run.project_id, run.id, stream), pyramids)
            if lod is not None:
                pyramid = pyramid_series(
                    self.blobs, objects, lod, keys, buckets=buckets, steps=steps, cache=self.cache
                )
        served = pyramid.series if pyramid is not None else {}
        last = pyramid.last_step if pyramid is not None else None
        if pyramid is not None:
            warnings.extend(pyramid.warnings)
        raw_keys = pyramid.raw_keys if pyramid is not None else list(keys)
        raw: dict[str, Series] = {}
        if raw_keys:
            wanted = [*raw_keys, x] if x not in ("step", "ts") else raw_keys
            read = self._read(run, stream, wanted, objects, columns=_chart_columns(x))
            warnings.extend(w for w in read.warnings if w not in warnings)
            frame = read.frame
            if after_step is not None:
                frame = frame.filter(pl.col("step") > after_step)
            if frame.height:
                top = int(frame.get_column("step").max())  # type: ignore[arg-type]
                last = top if last is None else max(last, top)
            for key, part in _key_frames(frame, raw_keys, x).items():
                raw[key] = envelope(part, buckets=buckets, x_min=x_min, x_max=x_max)
        ordered = {key: served.get(key) or raw.get(key) for key in dict.fromkeys(keys)}
        return {key: s for key, s in ordered.items() if s is not None}, last

    def compare(self, caller: Caller, project_id: str, body: CompareRequest) -> CompareResponse:
        run_ids = list(dict.fromkeys(body.runs))
        # Configs only to group by one: a config may be a 10 MB blob per run.
        by_config = body.group_by is not None and body.group_by.startswith("config.")
        runs = self.catalog.readable_runs(caller, project_id, run_ids, with_config=by_config)
        # One listing of the project instead of one per run, and one of its pyramids.
        streams = list_project(self.blobs, project_id)
        by_step = body.x == "step" and not body.group_by
        pyramids = list_pyramids(self.blobs, project_id) if by_step else {}

        def read(run: RunRecord) -> tuple[RunRecord, dict[str, Series], list[str], dict[str, pl.DataFrame]]:
            objects = streams.get((run.id, body.stream)) or StreamObjects(prefix="")
            warnings: list[str] = []
            if body.group_by:  # bands need every run's raw points
                wanted = [*body.keys, body.x] if body.x not in ("step", "ts") else body.keys
                got = self._read(run, body.stream, wanted, objects, columns=_chart_columns(body.x))
                frames = _key_frames(got.frame, body.keys, body.x)
                series = {
                    key: envelope(part, buckets=body.buckets, x_min=body.min, x_max=body.max)
                    for key, part in frames.items()
                }
                return run, series, got.warnings, frames
            series, _ = self.run_series(
                run,
                body.stream,
                objects,
                body.keys,
                x=body.x,
                buckets=body.buckets,
                x_min=body.min,
                x_max=body.max,
                after_step=None,
                warnings=warnings,
                pyramids=pyramids.get((run.id, body.stream), []),
            )
            return run, series, warnings, {}

        with ThreadPoolExecutor(min(_READ_THREADS, max(1, len(runs)))) as pool:
            reads = list(pool.map(read, runs))
        warnings: list[str] = []
        per_run: dict[str, dict[str, SeriesOut]] = {}
        framed: dict[str, dict[str, pl.DataFrame]] = {}
        for run, series, got_warnings, frames in reads:
            warnings += got_warnings
            framed[run.id] = frames
            per_run[run.id] = {key: series_out(s) for key, s in series.items()}
        groups: list[GroupBand] | None = None
        if body.group_by:
            groups = group_bands(runs, framed, body)
        return CompareResponse(x=body.x, runs=per_run, groups=groups, warnings=warnings)

    def history(
        self,
        caller: Caller,
        run_id: str,
        *,
        stream: str,
        keys: list[str] | None,
        project_id: str | None = None,
        **page: Any,
    ) -> HistoryRows:
        """One page of wide rows; media keys are String columns of descriptor JSON (`media_keys`)."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        columns = ("step", "ts", "key", "value", "attempt", "text", "media")
        read = self._read(run, stream, keys, columns=columns)
        rows = history_page(read.frame, keys=keys, **page)
        rows.warnings = read.warnings
        return rows

    def logs(
        self,
        caller: Caller,
        run_id: str,
        *,
        offset: int,
        limit: int,
        search: str | None,
        project_id: str | None = None,
    ) -> LogPage:
        """A page of the run's console output, in (attempt, line) order."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        return read_logs(self.blobs, run, offset=offset, limit=limit, search=search)

    def media_keys(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> MediaKeys:
        """The run's media keys, each with its type and the steps that have media."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        return self.run_media_keys(run)

    def run_media_keys(
        self, run: RunRecord, *, objects: StreamObjects | None = None, pyramids: list[BlobInfo] | None = None
    ) -> MediaKeys:
        """The media keys of a run the caller was found to read (`objects`, `pyramids`: as for
        `run_metric_keys`, of its history stream)."""
        rows = read_media(self.blobs, run, cache=self.cache, objects=objects, pyramids=pyramids)
        return MediaKeys(keys=media_keys(rows), warnings=rows.warnings)

    def media_item(
        self, caller: Caller, run_id: str, key: str, step: int, *, project_id: str | None = None
    ) -> MediaItem:
        """The descriptor of (key, step) or the nearest earlier step, with presigned GETs of its files."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        rows = read_media(self.blobs, run, keys=[key], cache=self.cache)
        return media_item(rows, self.blobs, run, key, step, expires_s=self.link_ttl_s)

    def media_histograms(
        self, caller: Caller, run_id: str, key: str, *, project_id: str | None = None
    ) -> MediaHistograms:
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        rows = read_media(self.blobs, run, keys=[key], cache=self.cache)
        return MediaHistograms(key=key, steps=histogram_steps(rows, key), warnings=rows.warnings)

    def table(
        self, caller: Caller, run_id: str, query: TableQuery, *, project_id: str | None = None
    ) -> TablePage:
        """One page of a logged table, filtered, sorted or grouped on the server."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        rows = read_media(self.blobs, run, keys=[query.key], cache=self.cache)
        logged = read_table(rows, self.blobs, run, query.key, query.step, cache=self.cache)
        return table_page(logged, query, self.blobs, run, expires_s=self.link_ttl_s)

    def join_tables(self, caller: Caller, project_id: str, body: TableJoinRequest) -> TablePage:
        """The same table key of several runs of a project, joined on one column, paged like one table."""
        step = LAST_STEP if body.step is None else body.step
        runs = sorted(
            self.catalog.readable_runs(caller, project_id, body.runs), key=lambda r: body.runs.index(r.id)
        )
        if len(runs) != len(set(body.runs)):
            raise NotFound("runs: some of these runs are not in the project, or not readable", field="runs")
        tables = []
        for run in runs:
            rows = read_media(self.blobs, run, keys=[body.key], cache=self.cache)
            tables.append((run, read_table(rows, self.blobs, run, body.key, step, cache=self.cache)))
        joined = joined_tables(tables, body.on, step)
        query = TableQuery(body.key, step, body.offset, body.limit, body.sort, body.desc, body.filters)
        return table_page(joined, query, self.blobs, runs[0], expires_s=self.link_ttl_s)

    def export_run(
        self, caller: Caller, run_id: str, *, stream: str, project_id: str | None = None
    ) -> ExportResponse:
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        return export_run(self.blobs, run, stream=stream, expires_s=self.link_ttl_s)

    def files(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> list[RunFile]:
        """The run's saved files with presigned GETs, from one listing of its `files/` prefix."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        prefix = file_prefix(run.project_id, run.id)
        return [
            RunFile(
                path=info.key[len(prefix) :],
                size=info.size,
                updated_at=info.last_modified.isoformat(),
                url=self.blobs.presign_get(info.key, expires_s=self.link_ttl_s).url,
            )
            for info in self.blobs.list(prefix)
        ]

    def file(self, caller: Caller, run_id: str, path: str, *, project_id: str | None = None) -> RunFile:
        """One file of the run with a presigned GET: a saved file at `path`, else the media object a
        descriptor's `path` names (with or without wandb's `media/` in front)."""
        run = self.catalog.readable_run(caller, run_id, project_id=project_id)
        media_path = path.removeprefix(MEDIA_FILE_PREFIX)
        candidates = [saved_file_key(run.project_id, run.id, path)]
        if media_path:
            candidates.append(media_key(run.project_id, run.id, media_path))
        for key in candidates:
            info = self.blobs.head(key)
            if info is not None:
                url = self.blobs.presign_get(key, expires_s=self.link_ttl_s).url
                return RunFile(path=path, size=info.size, updated_at=info.last_modified.isoformat(), url=url)
        raise NotFound(f"run {run.id} has no saved file or media object at {path!r}", field="path")

    def export_project(self, caller: Caller, project_id: str, body: ExportRequest) -> ExportResponse:
        runs = self.catalog.readable_runs(caller, project_id, body.runs, with_config=True)
        return export_project(self.blobs, project_id, runs, body, expires_s=self.link_ttl_s)
