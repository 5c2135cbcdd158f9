"""What the query service needs to know about runs, and the SQL tables built from it.

`RunCatalog` is the query service's window on the runs and identity services: it resolves a
run or project id to records the caller may read (authorization happens behind it, in
`core.policy.authorize`). The query service never reads run items itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl

if TYPE_CHECKING:
    from ..core.caller import Caller
from ..lake.keys import chunk_format
from ..lake.reader import FrameCache, read_object, scan_object
from ..lake.schema import METRIC_SCHEMA
from ..lake.visible import list_project
from ..ports.blob_store import BlobStore

__all__ = ["RunCatalog", "RunRecord", "metrics_table", "runs_table"]


@dataclass(frozen=True)
class RunRecord:
    id: str
    project_id: str
    name: str | None = None
    state: str = "running"
    group: str | None = None
    job_type: str | None = None
    attempt: int = 0
    created_at: str | None = None
    tags: tuple[str, ...] = ()
    # None: not read. A config may be a 10 MB object in the BlobStore, so the catalog reads it only
    # for a route that shows or filters by it (`with_config=True`); charts never do.
    config: dict[str, Any] | None = field(default=None, hash=False)
    summary: dict[str, Any] = field(default_factory=dict, hash=False)

    @property
    def loaded_config(self) -> dict[str, Any]:
        """The config of a record the catalog was asked to read it for; a bug to ask otherwise."""
        if self.config is None:
            raise RuntimeError(f"run {self.id}: config not read; ask the RunCatalog with_config=True")
        return self.config


class RunCatalog(Protocol):
    def readable_run(
        self, caller: Caller, run_id: str, *, project_id: str | None = None, with_config: bool = False
    ) -> RunRecord:
        """The run when the caller may read it; NotFound otherwise. `project_id` picks among runs of
        this id in several projects the caller may read. Its config only `with_config`."""
        ...

    def readable_runs(
        self,
        caller: Caller,
        project_id: str,
        run_ids: Sequence[str] | None = None,
        *,
        with_config: bool = False,
    ) -> list[RunRecord]:
        """Runs of a project the caller may read (all of them when `run_ids` is None); configs only
        `with_config`."""
        ...

    def sql_projects(self, caller: Caller, project_ids: Sequence[str] | None = None) -> list[str]:
        """Projects whose lake the caller may query with SQL (member or admin there)."""
        ...


_MAX_LEAVES = 500


def _leaves(tree: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for name, value in tree.items():
        if len(out) >= _MAX_LEAVES:
            return
        path = f"{prefix}.{name}"
        if isinstance(value, dict):
            _leaves(value, path, out)
        elif value is None or isinstance(value, bool | int | float | str):
            out[path] = value
        else:
            out[path] = json.dumps(value, default=str)


def runs_table(runs: Iterable[RunRecord]) -> pl.LazyFrame:
    """One row per run; config and summary as JSON text, and each scalar leaf as its own column.

    Polars SQL has no JSON functions, so `"config.optimizer.lr"` and `"summary.loss"` (quoted:
    the names hold dots) are columns; a leaf with mixed types across runs becomes text.
    """
    rows = []
    for r in runs:
        row: dict[str, Any] = {
            "project": r.project_id,
            "run": r.id,
            "name": r.name,
            "state": r.state,
            "group": r.group,
            "job_type": r.job_type,
            "attempt": r.attempt,
            "created_at": r.created_at,
            "config": json.dumps(r.loaded_config, sort_keys=True, default=str),
            "summary": json.dumps(r.summary, sort_keys=True, default=str),
        }
        _leaves(r.loaded_config, "config", row)
        _leaves(r.summary, "summary", row)
        rows.append(row)
    if not rows:
        names = ("project", "run", "name", "state", "group", "job_type", "created_at", "config", "summary")
        return pl.LazyFrame(schema={**dict.fromkeys(names, pl.String), "attempt": pl.Int64})
    return pl.from_dicts(rows, infer_schema_length=None, strict=False).lazy()


def metrics_table(
    blobs: BlobStore,
    project_ids: Iterable[str],
    *,
    run_ids: set[str] | None = None,
    cache: FrameCache | None = None,
    lazy: bool = True,
) -> tuple[pl.LazyFrame, list[str]]:
    """The lake's metric rows with Hive partition columns (project, run, stream), as Athena sees them.

    Lazy mode scans each visible object so Polars pushes filters into the Parquet reads; a
    corrupt object then fails the whole query, so the caller retries with `lazy=False`, which
    reads object by object and skips (and reports) the bad ones.
    """
    frames: list[pl.LazyFrame] = []
    warnings: list[str] = []
    location = blobs.location("")
    root = location.uri.rstrip("/")
    for project_id in project_ids:
        for (run_id, stream), objects in sorted(list_project(blobs, project_id).items()):
            if run_ids is not None and run_id not in run_ids:
                continue
            labels = [
                pl.lit(project_id).alias("project"),
                pl.lit(run_id).alias("run"),
                pl.lit(stream).alias("stream"),
            ]
            for info in objects.objects:
                if lazy and chunk_format(info.key) != "jsonl":
                    frames.append(scan_object(f"{root}/{info.key}", storage_options=location.storage_options))
                else:
                    try:
                        frames.append(read_object(blobs, info, cache=cache).lazy())
                    except ValueError:
                        warnings.append(f"skipped corrupt object {info.key}")
                        continue
                frames[-1] = frames[-1].with_columns(labels)
    if not frames:
        empty = pl.DataFrame(schema=METRIC_SCHEMA).lazy()
        labels = [pl.lit(None, pl.String).alias(c) for c in ("project", "run", "stream")]
        return empty.with_columns(labels), warnings
    return pl.concat(frames, how="vertical"), warnings
