"""The metric and media keys of many runs of a project in one request (a workspace's selection).

A workspace of 1,000 selected runs used to ask each run for its metric keys and its media keys:
2,000 requests, each authorizing its run on its own. Here the project's runs are authorized in one
catalog call and read in parallel with the per-run routes' own reads (`QueryService.run_metric_keys`,
`run_media_keys`), whose decoded key columns the frame cache keeps, so the next ask is cheap.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import InvalidInput
from ..lake.lod import list_pyramids
from ..lake.visible import list_stream
from .batch_models import MAX_BAND_RUNS
from .catalog import RunRecord
from .media_models import MediaKey

if TYPE_CHECKING:
    from ..core.caller import Caller
    from .service import QueryService

__all__ = ["MAX_KEYS_RUNS", "RunsKeys", "RunsKeysRequest", "runs_keys"]

# As many runs as a workspace draws at once (lines and band).
MAX_KEYS_RUNS = MAX_BAND_RUNS
_THREADS = 8


class RunsKeysRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    runs: list[str] = Field(description=f"run ids of the project, at most {MAX_KEYS_RUNS}")
    stream: Literal["history", "system"] = "history"
    media: bool = Field(default=True, description="also each run's media keys (history only)")


class RunsKeys(BaseModel):
    keys: list[str] = Field(description="every metric key any of the runs logged, sorted")
    media: dict[str, list[MediaKey]] = Field(
        default_factory=dict, description="per run with media: its media keys (type and steps)"
    )
    missing: list[str] = Field(default_factory=list, description="runs not in the project, or not readable")
    warnings: list[str] = Field(default_factory=list)


def _validated(body: RunsKeysRequest) -> list[str]:
    runs = list(dict.fromkeys(r for r in body.runs if r))
    if not runs:
        raise InvalidInput("runs: name at least one run", field="runs")
    if len(runs) > MAX_KEYS_RUNS:
        raise InvalidInput(
            f"runs: at most {MAX_KEYS_RUNS} runs per request, got {len(runs)}: split the selection",
            field="runs",
        )
    return runs


def runs_keys(service: QueryService, caller: Caller, project_id: str, body: RunsKeysRequest) -> RunsKeys:
    run_ids = _validated(body)
    records = service.catalog.readable_runs(caller, project_id, run_ids)
    found = {r.id for r in records}
    with_media = body.media and body.stream == "history"
    # One listing of the project's pyramids, not a HEAD per run; and one listing of each run's
    # stream, shared by its metric and media keys.
    pyramids = list_pyramids(service.blobs, project_id) if records else {}

    def read(run: RunRecord) -> tuple[str, list[str], list[MediaKey], list[str]]:
        objects = list_stream(service.blobs, run.project_id, run.id, body.stream)
        listed = pyramids.get((run.id, body.stream), [])
        keys, warnings = service.run_metric_keys(run, body.stream, objects=objects, pyramids=listed)
        media = service.run_media_keys(run, objects=objects, pyramids=listed) if with_media else None
        if media is not None:
            warnings = [*warnings, *media.warnings]
        return run.id, keys, media.keys if media is not None else [], warnings

    with ThreadPoolExecutor(min(_THREADS, max(1, len(records)))) as pool:
        reads = list(pool.map(read, records))
    keys: set[str] = set()
    media: dict[str, list[MediaKey]] = {}
    warnings: list[str] = []
    for run_id, run_keys, run_media, run_warnings in reads:
        keys.update(run_keys)
        if run_media:
            media[run_id] = run_media
        warnings.extend(w for w in run_warnings if w not in warnings)
    missing = [r for r in run_ids if r not in found]
    return RunsKeys(keys=sorted(keys), media=media, missing=missing, warnings=warnings)
