"""Permission matrix rows of artifacts: readers browse versions, files and lineage; writers upload, log and
set TTLs; admins delete versions and collect garbage."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import httpx

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.artifacts.manifest import COLUMNS, wandb_digest
from wanllmdb_functions.artifacts.models import ArtifactLog
from wanllmdb_functions.artifacts.service import ArtifactService
from wanllmdb_functions.lake.keys import artifact_blob_key, artifact_manifest_key
from wanllmdb_functions.runs.models import RunCreate
from wanllmdb_functions.runs.service import RunService

from . import ADMINS, PROJECT_CASES, PUBLIC_READ, WRITERS, Call, Ctx, Row, project_rule


def _state(ctx: Ctx) -> AppState:
    return ctx.client.app.state.wl  # type: ignore[attr-defined, no-any-return]


def _uploaded(ctx: Ctx, case: str, content: bytes) -> dict[str, Any]:
    """A blob and a manifest of one file put straight into the store; the body that logs them."""
    import polars as pl

    blobs = _state(ctx).storage.blobs
    project = ctx.project_id(case)
    sha = hashlib.sha256(content).hexdigest()
    blobs.put(artifact_blob_key(project, sha), content)
    digest_b64 = "x" + sha[:23]
    row = {"path": "f.txt", "digest": digest_b64, "size": len(content), "sha256": sha}
    frame = pl.DataFrame([row], schema=COLUMNS)
    sink = io.BytesIO()
    frame.write_parquet(sink)
    manifest = sink.getvalue()
    manifest_sha = hashlib.sha256(manifest).hexdigest()
    blobs.put(artifact_manifest_key(project, manifest_sha), manifest)
    return {
        "type": "dataset",
        "manifest_sha256": manifest_sha,
        "digest": wandb_digest(["f.txt"], [digest_b64]),
    }


def _version(ctx: Ctx, case: str) -> str:
    """A collection with one version, logged by the project's owner; returns its name."""
    name = ctx.unique("art")
    body = _uploaded(ctx, case, name.encode())
    ArtifactService.of(_state(ctx)).log(
        ctx.tenant.caller("owner"), ctx.project_id(case), ArtifactLog(name=name, **body)
    )
    return name


def _base(ctx: Ctx, case: str) -> str:
    return f"/api/projects/{ctx.project_id(case)}/artifacts"


def _run(ctx: Ctx, case: str) -> str:
    run_id = ctx.unique("arun")
    RunService.of(_state(ctx)).create(ctx.tenant.caller("owner"), ctx.project_id(case), RunCreate(id=run_id))
    return run_id


def _multipart(ctx: Ctx, case: str, *, uploaded: bool) -> dict[str, Any]:
    blobs = _state(ctx).storage.blobs
    data = b"p" * 10
    sha = hashlib.sha256(data + ctx.unique("m").encode()).hexdigest()
    key = artifact_blob_key(ctx.project_id(case), sha)
    upload_id = blobs.create_multipart(key, content_type="application/octet-stream")
    if not uploaded:
        return {"sha256": sha, "size": 6 << 20, "upload_id": upload_id, "part_size": 5 << 20, "parts": [2]}
    part = blobs.presign_part(key, upload_id, 1, expires_s=300, content_length=len(data))
    # The matrix's app answers its own (local) URLs; the IAM tour's are moto's, reached over HTTP.
    put = getattr(ctx.client, "put", None) or httpx.put
    response = put(part.url, content=data)
    return {"sha256": sha, "upload_id": upload_id, "parts": [[1, response.headers["etag"]]]}


def _get(suffix: str, params: dict[str, str] | None = None) -> Any:
    return lambda ctx, a, c: Call(f"{_base(ctx, c)}/{_version(ctx, c)}{suffix}", params=params)


ROWS = [
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/blobs",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/blobs", json={"items": [{"sha256": "a" * 64, "size": 3}]}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/blobs/resume",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/blobs/resume", json=_multipart(ctx, c, uploaded=False)),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/blobs/complete",
        project_rule(WRITERS, 204),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/blobs/complete", json=_multipart(ctx, c, uploaded=True)),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/manifests",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/manifests", json={"sha256": "b" * 64, "size": 10}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/packs",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/packs", json={"sha256": "c" * 64, "size": 10}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(
            _base(ctx, c), json={"name": ctx.unique("log"), **_uploaded(ctx, c, ctx.unique("bytes").encode())}
        ),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts",
        PUBLIC_READ,
        lambda ctx, a, c: Call(_base(ctx, c)),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/versions",
        PUBLIC_READ,
        _get("/versions"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}",
        PUBLIC_READ,
        _get("/versions/latest"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}/files",
        PUBLIC_READ,
        _get("/versions/v0/files", {"urls": "true"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}/manifest",
        PUBLIC_READ,
        _get("/versions/v0/manifest"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}/runs",
        PUBLIC_READ,
        _get("/versions/v0/runs"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}/lineage",
        PUBLIC_READ,
        _get("/versions/v0/lineage"),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/projects/{project_id}/artifacts/{name}/diff",
        PUBLIC_READ,
        _get("/diff", {"from": "v0", "to": "latest"}),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}/aliases",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(
            f"{_base(ctx, c)}/{_version(ctx, c)}/versions/v0/aliases", json={"add": ["best"]}
        ),
        cases=PROJECT_CASES,
    ),
    Row(
        "PATCH",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/{_version(ctx, c)}/versions/v0", json={"ttl_days": 7}),
        cases=PROJECT_CASES,
    ),
    Row(
        "DELETE",
        "/api/projects/{project_id}/artifacts/{name}/versions/{label}",
        project_rule(ADMINS, 204),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/{_version(ctx, c)}/versions/v0"),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/projects/{project_id}/artifacts/gc",
        project_rule(ADMINS),
        lambda ctx, a, c: Call(f"{_base(ctx, c)}/gc"),
        cases=PROJECT_CASES,
    ),
    Row(
        "POST",
        "/api/runs/{run_id}/artifacts/used",
        project_rule(WRITERS),
        lambda ctx, a, c: Call(
            f"/api/runs/{_run(ctx, c)}/artifacts/used", json={"artifact": f"{_version(ctx, c)}:latest"}
        ),
        cases=PROJECT_CASES,
    ),
    Row(
        "GET",
        "/api/runs/{run_id}/artifacts",
        PUBLIC_READ,
        lambda ctx, a, c: Call(f"/api/runs/{_run(ctx, c)}/artifacts"),
        cases=PROJECT_CASES,
    ),
]
