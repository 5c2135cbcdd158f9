"""Request and response shapes of the report routes (docs/reports.md), with explicit limits."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..core.text import MultilineText, SingleLineText

__all__ = [
    "MAX_MARKDOWN_BYTES",
    "Anchor",
    "BlockChange",
    "Comment",
    "CommentIn",
    "Mentionable",
    "ReplyIn",
    "Report",
    "ReportCreate",
    "ReportDiff",
    "ReportId",
    "ReportList",
    "ReportSave",
    "ReportSummary",
    "ReportVersion",
    "RestoreIn",
    "ShareLink",
    "ShareLinkCreated",
    "ShareLinkIn",
    "ShareLinkList",
    "TextOp",
    "Thread",
    "ThreadList",
    "ThreadUpdate",
    "TitleChange",
    "VersionList",
    "VersionSummary",
    "Visibility",
    "VisibilitySet",
]

MAX_MARKDOWN_BYTES = 2 * 1024 * 1024
CLIENT_ID = r"^[A-Za-z0-9_-]{1,64}$"
ReportId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CLIENT_ID)]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=CLIENT_ID)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=500), SingleLineText]
Description = Annotated[str, StringConstraints(max_length=10_000), MultilineText]
Body = Annotated[str, StringConstraints(min_length=1, max_length=10_000), MultilineText]
Visibility = Literal["private", "team", "org", "public"]
State = Literal["draft", "published"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReportCreate(_Strict):
    id: ReportId | None = Field(
        default=None, description="client-made id: creating the same id again returns the same report"
    )
    title: Title
    description: Description = ""
    spec: dict[str, Any] | None = Field(default=None, description="schemas/report.schema.json")
    markdown: str | None = Field(
        default=None, max_length=MAX_MARKDOWN_BYTES, description="a markdown document to import instead"
    )


class ReportSave(_Strict):
    spec: dict[str, Any]
    title: Title | None = None
    description: Description | None = None
    base_version: int = Field(ge=1, description="the version this edit started from; else 409")
    message: Annotated[str, StringConstraints(max_length=500), SingleLineText] | None = None


class ReportSummary(BaseModel):
    id: str
    project_id: str
    entity: str
    project: str
    title: str
    description: str
    version: int
    state: State
    visibility: Visibility | None = Field(description="null: the project's rules")
    owner: str
    created_at: str
    updated_at: str
    published_at: str | None
    starred: bool = False
    can_edit: bool = False


class Report(ReportSummary):
    spec: dict[str, Any]


class ReportList(BaseModel):
    reports: list[ReportSummary]


class VisibilitySet(_Strict):
    visibility: Visibility | None


class VersionSummary(BaseModel):
    version: int
    author: str
    created_at: str
    title: str
    message: str | None = None
    restored_from: int | None = None


class VersionList(BaseModel):
    versions: list[VersionSummary]


class ReportVersion(VersionSummary):
    description: str = ""
    spec: dict[str, Any]


class RestoreIn(_Strict):
    base_version: int = Field(ge=1)


class TextOp(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class BlockChange(BaseModel):
    id: str
    change: Literal["added", "removed", "changed", "moved", "same"]
    type: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    text_diff: list[TextOp] | None = Field(default=None, description="word-level, for text blocks")


class TitleChange(BaseModel):
    before: str
    after: str


class ReportDiff(BaseModel):
    from_version: int
    to_version: int
    blocks: list[BlockChange]
    title: TitleChange | None = None


class Anchor(_Strict):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    block_id: ClientId
    from_: int | None = Field(default=None, alias="from", ge=0)
    to: int | None = Field(default=None, ge=0)
    quote: Annotated[str, StringConstraints(max_length=2000)] | None = None


class CommentIn(_Strict):
    anchor: Anchor
    body: Body
    id: ClientId | None = Field(default=None, description="client-made thread id: a retry adds nothing")


class ReplyIn(_Strict):
    body: Body
    id: ClientId | None = Field(default=None, description="client-made comment id: a retry adds nothing")


class ThreadUpdate(_Strict):
    resolved: bool


class Comment(BaseModel):
    id: str
    author: str
    body: str
    created_at: str
    edited_at: str | None = None
    mentions: list[str] = Field(default_factory=list)


class Thread(BaseModel):
    id: str
    anchor: Anchor
    resolved: bool
    resolved_by: str | None = None
    created_at: str
    comments: list[Comment]


class ThreadList(BaseModel):
    threads: list[Thread]


class Mentionable(BaseModel):
    username: str
    name: str


class ShareLinkIn(_Strict):
    access: Literal["view", "edit"]
    expires_in_s: int = Field(ge=60, le=31_536_000)


class ShareLink(BaseModel):
    id: str
    access: Literal["view", "edit"]
    expires_at: str
    created_by: str
    created_at: str


class ShareLinkCreated(ShareLink):
    token: str = Field(description="shown once: only its hash is kept")
    url: str = Field(description="the dashboard path that opens the report with this link")


class ShareLinkList(BaseModel):
    links: list[ShareLink]
