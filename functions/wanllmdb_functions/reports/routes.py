"""Report routes (docs/reports.md): parse, call one service method, shape the response.

Reads take `ReaderDep`, so a public report (or one in a public project) opens without a key, and a
view share link opens without an account; every change needs a signed-in caller."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Depends, Path, Query, Response, status

from ..adapters.chromium_printer import ChromiumPrinter
from ..app.deps import SettingsDep, StorageDep
from ..app.routing import ServiceRouter
from ..identity.authn import CallerDep, ReaderDep
from ..projects.deps import ProjectIdDep, ReadableProjectIdDep
from .comments import CommentService
from .models import (
    CommentIn,
    Mentionable,
    ReplyIn,
    Report,
    ReportCreate,
    ReportDiff,
    ReportList,
    ReportSave,
    ReportVersion,
    RestoreIn,
    ShareLinkCreated,
    ShareLinkIn,
    ShareLinkList,
    Thread,
    ThreadList,
    ThreadUpdate,
    VersionList,
    VisibilitySet,
)
from .pdf import PdfExport
from .service import ReportService
from .sharing import ShareLinkService
from .versions import VersionService

__all__ = ["router"]

router = ServiceRouter(tags=["reports"])
# A 2 MB spec (reports/spec.py MAX_SPEC_BYTES) with the rest of its request.
SPEC_BODY_BYTES = 3 << 20


async def report_service(storage: StorageDep) -> ReportService:
    return ReportService(storage.items)


async def pdf_export(storage: StorageDep, settings: SettingsDep) -> PdfExport:
    # The local server prints with its machine's Chromium, at the dashboard it serves itself.
    return PdfExport(storage.items, ChromiumPrinter(), settings.base_url)


async def version_service(storage: StorageDep) -> VersionService:
    return VersionService(storage.items)


async def comment_service(storage: StorageDep) -> CommentService:
    return CommentService(storage.items)


async def share_service(storage: StorageDep) -> ShareLinkService:
    return ShareLinkService(storage.items)


ReportsDep = Annotated[ReportService, Depends(report_service)]
VersionsDep = Annotated[VersionService, Depends(version_service)]
CommentsDep = Annotated[CommentService, Depends(comment_service)]
SharesDep = Annotated[ShareLinkService, Depends(share_service)]
Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Number = Annotated[int, Path(ge=1, le=10**9, description="a version number")]
BASE = "/reports/{report_id}"


# -- reports ---------------------------------------------------------------------------------------
@router.post(
    "/projects/{project_id}/reports",
    status_code=status.HTTP_201_CREATED,
    max_body_size=SPEC_BODY_BYTES,
    responses={200: {"model": Report, "description": "a report with this id exists: it is returned"}},
)
def create_report(
    project_id: ProjectIdDep, body: ReportCreate, caller: CallerDep, reports: ReportsDep, response: Response
) -> Report:
    """A draft (version 1) from a spec or a markdown document; the same client `id` again answers 200."""
    report, created = reports.create(caller, project_id, body)
    if not created:
        response.status_code = status.HTTP_200_OK
    return report


@router.get("/projects/{project_id}/reports")
def list_reports(
    project_id: ReadableProjectIdDep,
    caller: ReaderDep,
    reports: ReportsDep,
    q: Annotated[str | None, Query(max_length=200, description="words of the title or description")] = None,
    state: Literal["draft", "published"] | None = None,
    starred: bool | None = None,
) -> ReportList:
    return reports.list_project(caller, project_id, q=q, state=state, starred=starred)


@router.get("/reports")
def my_reports(
    caller: CallerDep, reports: ReportsDep, mine: bool = False, starred: bool = False
) -> ReportList:
    """Across projects: the caller's own reports (`mine`, the default) or those they starred."""
    return reports.list_mine(caller, mine=mine, starred=starred)


@router.get(BASE)
def get_report(report_id: Id, caller: ReaderDep, reports: ReportsDep) -> Report:
    return reports.get(caller, report_id)


@router.put(BASE, max_body_size=SPEC_BODY_BYTES)
def save_report(report_id: Id, body: ReportSave, caller: CallerDep, reports: ReportsDep) -> Report:
    """A new version; 409 `version_conflict` when `base_version` is not the current version."""
    return reports.save(caller, report_id, body)


@router.post(f"{BASE}/publish")
def publish_report(report_id: Id, caller: CallerDep, reports: ReportsDep) -> Report:
    return reports.publish(caller, report_id)


@router.delete(BASE, status_code=status.HTTP_204_NO_CONTENT)
def delete_report(report_id: Id, caller: CallerDep, reports: ReportsDep) -> Response:
    reports.delete(caller, report_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(f"{BASE}/visibility")
def set_report_visibility(
    report_id: Id, body: VisibilitySet, caller: CallerDep, reports: ReportsDep
) -> Report:
    """private, team, org or public; null follows the project's rules. Report grants still apply."""
    return reports.set_visibility(caller, report_id, body)


@router.put(f"{BASE}/star", status_code=status.HTTP_204_NO_CONTENT)
def star_report(report_id: Id, caller: CallerDep, reports: ReportsDep) -> Response:
    reports.star(caller, report_id, on=True)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(f"{BASE}/star", status_code=status.HTTP_204_NO_CONTENT)
def unstar_report(report_id: Id, caller: CallerDep, reports: ReportsDep) -> Response:
    reports.star(caller, report_id, on=False)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    f"{BASE}/export",
    response_class=Response,
    responses={
        200: {
            "content": {"text/markdown": {}, "application/pdf": {}, "application/zip": {}},
            "description": "the report as a markdown file, a PDF, or a zip of markdown with PNG panels",
        }
    },
)
def export_report(
    report_id: Id,
    caller: ReaderDep,
    reports: ReportsDep,
    exporter: Annotated[PdfExport, Depends(pdf_export)],
    format: Literal["md", "pdf", "zip"] = "md",
) -> Response:
    """The report as markdown (text blocks losslessly, panel grids as `wanllmdb-panels` JSON blocks,
    which import back), as a PDF printed by headless Chromium once every panel has drawn, or as a zip
    of markdown whose panel grids are PNG pictures of the drawn panels (to read, not to import)."""
    if format in ("pdf", "zip"):
        data, filename = (
            exporter.export(caller, report_id)
            if format == "pdf"
            else exporter.markdown_with_pictures(caller, report_id)
        )
        return Response(
            data,
            media_type="application/pdf" if format == "pdf" else "application/zip",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    text, filename = reports.export_markdown(caller, report_id)
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- history ---------------------------------------------------------------------------------------
@router.get(f"{BASE}/versions")
def list_versions(report_id: Id, caller: ReaderDep, versions: VersionsDep) -> VersionList:
    return versions.list(caller, report_id)


@router.get(f"{BASE}/versions/{{number}}")
def get_version(report_id: Id, number: Number, caller: ReaderDep, versions: VersionsDep) -> ReportVersion:
    return versions.get(caller, report_id, number)


@router.get(f"{BASE}/diff")
def diff_versions(
    report_id: Id,
    caller: ReaderDep,
    versions: VersionsDep,
    start: Annotated[int, Query(alias="from", ge=1)],
    end: Annotated[int, Query(alias="to", ge=1)],
) -> ReportDiff:
    return versions.diff(caller, report_id, start, end)


@router.post(f"{BASE}/versions/{{number}}/restore")
def restore_version(
    report_id: Id, number: Number, body: RestoreIn, caller: CallerDep, versions: VersionsDep
) -> Report:
    """A new version equal to version `number` (history is kept); 409 as for a save."""
    return versions.restore(caller, report_id, number, body)


# -- comments --------------------------------------------------------------------------------------
@router.get(f"{BASE}/comments")
def list_comments(report_id: Id, caller: ReaderDep, comments: CommentsDep) -> ThreadList:
    return comments.threads(caller, report_id)


@router.post(f"{BASE}/comments", status_code=status.HTTP_201_CREATED)
def start_thread(report_id: Id, body: CommentIn, caller: CallerDep, comments: CommentsDep) -> Thread:
    """A thread anchored to a block (and text range); `@username` tells that user if they may read."""
    return comments.start(caller, report_id, body)


@router.post(f"{BASE}/comments/{{thread_id}}/replies", status_code=status.HTTP_201_CREATED)
def reply_to_thread(
    report_id: Id, thread_id: Id, body: ReplyIn, caller: CallerDep, comments: CommentsDep
) -> Thread:
    return comments.reply(caller, report_id, thread_id, body)


@router.patch(f"{BASE}/comments/{{thread_id}}")
def update_thread(
    report_id: Id, thread_id: Id, body: ThreadUpdate, caller: CallerDep, comments: CommentsDep
) -> Thread:
    """Resolve or re-open: the thread's author or the report's editors."""
    return comments.update(caller, report_id, thread_id, body)


@router.get(f"{BASE}/mentionable")
def mentionable_users(
    report_id: Id,
    caller: CallerDep,
    comments: CommentsDep,
    q: Annotated[str | None, Query(max_length=128)] = None,
) -> list[Mentionable]:
    """Who an @mention can reach: the project's members and the report's grantees who may read it."""
    return comments.mentionable(caller, report_id, q)


# -- sharing ---------------------------------------------------------------------------------------
@router.post(f"{BASE}/share-links", status_code=status.HTTP_201_CREATED)
def create_share_link(
    report_id: Id, body: ShareLinkIn, caller: CallerDep, shares: SharesDep
) -> ShareLinkCreated:
    """The token is shown once. A view link opens read-only without an account; an edit link gives
    the signed-in user who opens it edit on this report until it expires or is revoked."""
    return shares.create(caller, report_id, body)


@router.get(f"{BASE}/share-links")
def list_share_links(report_id: Id, caller: CallerDep, shares: SharesDep) -> ShareLinkList:
    return shares.list(caller, report_id)


@router.delete(f"{BASE}/share-links/{{link_id}}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_share_link(report_id: Id, link_id: Id, caller: CallerDep, shares: SharesDep) -> Response:
    """The link's token is not found from now on, and what an edit link gave is taken back."""
    shares.revoke(caller, report_id, link_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/shared/reports/{token}")
def open_shared_report(
    token: Annotated[str, Path(min_length=8, max_length=100)], caller: ReaderDep, shares: SharesDep
) -> Report:
    return shares.open(caller, token)
