"""Permission matrix rows of the query service: charts, keys, history, files, media, exports, compare, SQL."""

from __future__ import annotations

from tests.functions.query.media_lake import histogram, image, png_bytes, put_media_chunk
from tests.lake_chunks import put_chunk
from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from . import PROJECT_CASES, PUBLIC_READ, READERS, WRITERS, Call, Ctx, Prepare, Row, project_rule


def _run_with_metrics(ctx: Ctx, case: str) -> str:
    """A new run of the case's project, created by its owner, with one chunk of `loss` in the lake."""
    state: AppState = ctx.client.app.state.wl  # type: ignore[attr-defined]
    run_id = ctx.unique("qrun")
    project_id = ctx.project_id(case)
    RunService.of(state).create(
        ctx.tenant.caller("owner"), project_id, RunCreate(id=run_id, config={"lr": 0.1})
    )
    put_chunk(
        state.storage.blobs, project_id, run_id, seq=0, steps=[0, 1, 2], values={"loss": [3.0, 2.0, 1.0]}
    )
    # One image and one histogram, so the media routes sign a GET and read a descriptor.
    png = png_bytes(2, 2, (0, 0, 0))
    img, _ = image("img", 0, png)
    tbl, tbl_bytes = _table_file()
    rows = [(0, "img", img), (0, "hist", histogram([1, 2])), (0, "tbl", tbl)]
    files = [(img["path"], png), (tbl["path"], tbl_bytes)]
    put_media_chunk(state.storage.blobs, project_id, run_id, rows, seq=1, files=files)
    return run_id


def _join(ctx: Ctx, actor: str | None, case: str) -> Call:
    runs = [_run_with_metrics(ctx, case), _run_with_metrics(ctx, case)]
    body = {"runs": runs, "key": "tbl", "on": "a"}
    return Call(f"/api/projects/{ctx.project_id(case)}/tables/join", json=body)


def _table_file() -> tuple[dict[str, object], bytes]:
    """A one-column table file, as the SDK writes one."""
    import hashlib
    import io

    import polars as pl

    sink = io.BytesIO()
    pl.DataFrame({"a": [1, 2]}).write_parquet(sink)
    data = sink.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    path = f"table/tbl_0_{sha[:20]}.parquet"
    return {
        "_type": "table-file",
        "path": path,
        "sha256": sha,
        "size": len(data),
        "ncols": 1,
        "nrows": 2,
    }, data


def _run_file(ctx: Ctx, actor: str | None, case: str) -> Call:
    run_id = _run_with_metrics(ctx, case)
    img, _ = image("img", 0, png_bytes(2, 2, (0, 0, 0)))  # the object _run_with_metrics put
    return Call(f"/api/runs/{run_id}/file", params={"path": img["path"]})


def _run_get(suffix: str, params: dict[str, str] | None = None) -> Prepare:
    def prepare(ctx: Ctx, actor: str | None, case: str) -> Call:
        return Call(f"/api/runs/{_run_with_metrics(ctx, case)}{suffix}", params=params)

    return prepare


def _compare(ctx: Ctx, actor: str | None, case: str) -> Call:
    run_id = _run_with_metrics(ctx, case)
    body = {"runs": [run_id], "keys": ["loss"], "group_by": "config.lr"}
    return Call(f"/api/projects/{ctx.project_id(case)}/metrics/query", json=body)


def _batch(ctx: Ctx, actor: str | None, case: str) -> Call:
    params = {"runs": _run_with_metrics(ctx, case), "keys": "loss"}
    return Call(f"/api/projects/{ctx.project_id(case)}/metrics/batch", params=params)


def _batch_band(ctx: Ctx, actor: str | None, case: str) -> Call:
    body = {"runs": [], "band": [_run_with_metrics(ctx, case)], "keys": ["loss"]}
    return Call(f"/api/projects/{ctx.project_id(case)}/metrics/batch", json=body)


def _runs_keys(ctx: Ctx, actor: str | None, case: str) -> Call:
    return Call(f"/api/projects/{ctx.project_id(case)}/keys", json={"runs": [_run_with_metrics(ctx, case)]})


def _export(ctx: Ctx, actor: str | None, case: str) -> Call:
    return Call(f"/api/projects/{ctx.project_id(case)}/export", json={"runs": [_run_with_metrics(ctx, case)]})


def _sql(ctx: Ctx, actor: str | None, case: str) -> Call:
    body = {"query": "SELECT count(*) AS n FROM metrics", "projects": [ctx.project_id(case)]}
    return Call("/api/sql", json=body)


READ = PUBLIC_READ

ROWS = [
    Row(
        "GET", "/api/runs/{run_id}/metrics", READ, _run_get("/metrics", {"keys": "loss"}), cases=PROJECT_CASES
    ),
    Row("GET", "/api/runs/{run_id}/metric-keys", READ, _run_get("/metric-keys"), cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}/history", READ, _run_get("/history"), cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}/export", READ, _run_get("/export"), cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}/files", READ, _run_get("/files"), cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}/file", READ, _run_file, cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}/logs", READ, _run_get("/logs"), cases=PROJECT_CASES),
    Row("GET", "/api/runs/{run_id}/media", READ, _run_get("/media"), cases=PROJECT_CASES),
    Row(
        "GET",
        "/api/runs/{run_id}/media/item",
        READ,
        _run_get("/media/item", {"key": "img", "step": "3"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/runs/{run_id}/media/histograms",
        READ,
        _run_get("/media/histograms", {"key": "hist"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/runs/{run_id}/table",
        READ,
        _run_get("/table", {"key": "tbl", "step": "0"}),
        cases=PROJECT_CASES,
    ),
    Row("POST", "/api/projects/{project_id}/tables/join", READ, _join, cases=PROJECT_CASES),
    Row("POST", "/api/projects/{project_id}/metrics/query", READ, _compare, cases=PROJECT_CASES),
    Row("GET", "/api/projects/{project_id}/metrics/batch", READ, _batch, cases=PROJECT_CASES),
    # Reads with a body (1,000 run ids do not fit a URL): any reader, a read-scoped key included.
    Row("POST", "/api/projects/{project_id}/metrics/batch", READ, _batch_band, cases=PROJECT_CASES),
    Row("POST", "/api/projects/{project_id}/keys", READ, _runs_keys, cases=PROJECT_CASES),
    # Writes an export object: a key even for a public project.
    Row("POST", "/api/projects/{project_id}/export", project_rule(READERS), _export, cases=PROJECT_CASES),
    # SQL is for members and admins: readers who are not (viewers, public readers) get 403.
    Row("POST", "/api/sql", project_rule(WRITERS), _sql, cases=PROJECT_CASES),
]
