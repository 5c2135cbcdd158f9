"""Artifact routes: parse, call ArtifactService, shape the response."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..core.ids import RunId
from ..identity.authn import CallerDep, ReaderDep
from ..projects.deps import ProjectIdDep, ReadableProjectIdDep
from ..runs.models import RunProject
from .models import (
    AliasChange,
    ArtifactCollections,
    ArtifactLog,
    ArtifactVersion,
    ArtifactVersions,
    BlobGrant,
    BlobGrants,
    BlobsRequest,
    DiffPage,
    FilePage,
    GcResult,
    LineageGraph,
    ManifestGrant,
    ManifestRequest,
    MultipartComplete,
    MultipartResume,
    PackGrant,
    PackRequest,
    RunArtifacts,
    TtlChange,
    UseRequest,
    VersionRuns,
)
from .service import MAX_FILE_PAGE, MAX_LINEAGE_DEPTH, ArtifactService

__all__ = ["router"]

router = ServiceRouter(tags=["artifacts"])


async def artifact_service(state: AppStateDep) -> ArtifactService:
    return ArtifactService.of(state)


ArtifactsDep = Annotated[ArtifactService, Depends(artifact_service)]
Name = Annotated[str, Path(min_length=1, max_length=128, description="the collection's name")]
Label = Annotated[str, Path(min_length=1, max_length=128, description="vN, latest or an alias")]
Offset = Annotated[int, Query(ge=0, le=2**53)]
Limit = Annotated[int, Query(ge=1, le=MAX_FILE_PAGE)]
BASE = "/projects/{project_id}/artifacts"


@router.post(f"{BASE}/blobs")
def grant_blobs(
    project_id: ProjectIdDep, body: BlobsRequest, caller: CallerDep, svc: ArtifactsDep
) -> BlobGrants:
    """Upload grants for content-addressed blobs; those already stored are `present`."""
    return svc.grant_blobs(caller, project_id, body)


@router.post(f"{BASE}/blobs/resume")
def resume_multipart(
    project_id: ProjectIdDep, body: MultipartResume, caller: CallerDep, svc: ArtifactsDep
) -> BlobGrant:
    return svc.resume_multipart(caller, project_id, body)


@router.post(f"{BASE}/blobs/complete", status_code=status.HTTP_204_NO_CONTENT)
def complete_multipart(
    project_id: ProjectIdDep, body: MultipartComplete, caller: CallerDep, svc: ArtifactsDep
) -> Response:
    svc.complete_multipart(caller, project_id, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{BASE}/packs")
def grant_pack(
    project_id: ProjectIdDep, body: PackRequest, caller: CallerDep, svc: ArtifactsDep
) -> PackGrant:
    """A checksummed PUT for one pack: small blobs concatenated, named by (pack, offset) in the manifest."""
    return svc.grant_pack(caller, project_id, body)


@router.post(f"{BASE}/manifests")
def grant_manifest(
    project_id: ProjectIdDep, body: ManifestRequest, caller: CallerDep, svc: ArtifactsDep
) -> ManifestGrant:
    return svc.grant_manifest(caller, project_id, body)


@router.post(BASE)
def log_artifact(
    project_id: ProjectIdDep, body: ArtifactLog, caller: CallerDep, svc: ArtifactsDep
) -> ArtifactVersion:
    """Commit a version from an uploaded manifest: vN exactly once; identical content returns the
    existing version with `created: false`."""
    return svc.log(caller, project_id, body)


@router.get(BASE)
def list_collections(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    svc: ArtifactsDep,
    type: Annotated[str | None, Query(max_length=64)] = None,
    name: Annotated[str | None, Query(max_length=128, description="a substring of the name")] = None,
) -> ArtifactCollections:
    return ArtifactCollections(collections=svc.collections(caller, project_id, type=type, name=name))


@router.get(f"{BASE}/{{name}}/versions")
def list_versions(
    project_id: ReadableProjectIdDep, name: Name, caller: ReaderDep, svc: ArtifactsDep
) -> ArtifactVersions:
    return ArtifactVersions(versions=svc.versions(caller, project_id, name))


@router.get(f"{BASE}/{{name}}/versions/{{label}}")
def get_version(
    project_id: ReadableProjectIdDep, name: Name, label: Label, caller: ReaderDep, svc: ArtifactsDep
) -> ArtifactVersion:
    return svc.version(caller, project_id, name, label)


@router.patch(f"{BASE}/{{name}}/versions/{{label}}")
def set_version_ttl(
    project_id: ProjectIdDep,
    name: Name,
    label: Label,
    body: TtlChange,
    caller: CallerDep,
    svc: ArtifactsDep,
) -> ArtifactVersion:
    """Set the version's TTL (`{"ttl_days": N}`), keep it forever (`{"ttl_days": null}`) or let it
    inherit the project's artifact_ttl_days (`{"inherit": true}`). 409 on a version linked into the
    registry or holding a protected alias (`production`)."""
    return svc.set_ttl(caller, project_id, name, label, body)


@router.delete(f"{BASE}/{{name}}/versions/{{label}}", status_code=status.HTTP_204_NO_CONTENT)
def delete_version(
    project_id: ProjectIdDep, name: Name, label: Label, caller: CallerDep, svc: ArtifactsDep
) -> Response:
    svc.delete(caller, project_id, name, label)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{BASE}/{{name}}/versions/{{label}}/aliases")
def change_aliases(
    project_id: ProjectIdDep,
    name: Name,
    label: Label,
    body: AliasChange,
    caller: CallerDep,
    svc: ArtifactsDep,
) -> ArtifactVersion:
    return svc.change_aliases(caller, project_id, name, label, body)


@router.get(f"{BASE}/{{name}}/versions/{{label}}/manifest")
def manifest_url(
    project_id: ReadableProjectIdDep, name: Name, label: Label, caller: ReaderDep, svc: ArtifactsDep
) -> dict[str, str]:
    """A presigned GET of the version's manifest (schemas/artifact_manifest.json)."""
    return {"url": svc.manifest_url(caller, project_id, name, label)}


@router.get(f"{BASE}/{{name}}/versions/{{label}}/files")
def list_files(
    project_id: ReadableProjectIdDep,
    name: Name,
    label: Label,
    caller: ReaderDep,
    svc: ArtifactsDep,
    prefix: Annotated[str, Query(max_length=1024)] = "",
    offset: Offset = 0,
    limit: Limit = 100,
    urls: bool = False,
) -> FilePage:
    return svc.files(caller, project_id, name, label, prefix=prefix, offset=offset, limit=limit, urls=urls)


@router.get(f"{BASE}/{{name}}/diff")
def diff_versions(
    project_id: ReadableProjectIdDep,
    name: Name,
    caller: ReaderDep,
    svc: ArtifactsDep,
    old: Annotated[str, Query(alias="from", min_length=1, max_length=128)],
    new: Annotated[str, Query(alias="to", min_length=1, max_length=128)],
    offset: Offset = 0,
    limit: Limit = 100,
) -> DiffPage:
    return svc.diff(caller, project_id, name, old, new, offset=offset, limit=limit)


@router.get(f"{BASE}/{{name}}/versions/{{label}}/runs")
def version_runs(
    project_id: ReadableProjectIdDep, name: Name, label: Label, caller: ReaderDep, svc: ArtifactsDep
) -> VersionRuns:
    return svc.version_runs(caller, project_id, name, label)


@router.get(f"{BASE}/{{name}}/versions/{{label}}/lineage")
def lineage(
    project_id: ReadableProjectIdDep,
    name: Name,
    label: Label,
    caller: ReaderDep,
    svc: ArtifactsDep,
    depth: Annotated[int, Query(ge=1, le=MAX_LINEAGE_DEPTH)] = 2,
) -> LineageGraph:
    return svc.lineage(caller, project_id, name, label, depth=depth)


@router.post(f"{BASE}/gc")
def collect_garbage(project_id: ProjectIdDep, caller: CallerDep, svc: ArtifactsDep) -> GcResult:
    """Delete blobs and manifests no live version names (project admins)."""
    return svc.gc(caller, project_id)


@router.post("/runs/{run_id}/artifacts/used")
def use_artifact(
    run_id: RunId, body: UseRequest, caller: CallerDep, svc: ArtifactsDep, project_id: RunProject = None
) -> ArtifactVersion:
    """Record that the run used an artifact version (lineage); returns the version. `project_id`
    (query) says whose run it is when the id exists in several projects; `body.project_id` (an id or
    `entity:name`) whose artifact it is, the run's own project by default."""
    return svc.use(caller, run_id, body, run_project=project_id)


@router.get("/runs/{run_id}/artifacts")
def run_artifacts(
    run_id: RunId, caller: ReaderDep, svc: ArtifactsDep, project_id: RunProject = None
) -> RunArtifacts:
    return svc.run_artifacts(caller, run_id, project_id=project_id)
