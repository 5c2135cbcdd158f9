"""Request and response shapes of the runs API (docs/api-contract.md, "Runs" and "Upload grants")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ..core.ids import ProjectId, RunId, SweepId
from ..core.text import MultilineText, SingleLineText
from .tree import depth

__all__ = [
    "ColumnStats",
    "ConfigDiff",
    "ConfigHistory",
    "ConfigPatch",
    "ConfigVersion",
    "Grant",
    "GrantBatch",
    "Heartbeat",
    "Run",
    "RunCreate",
    "RunGroup",
    "RunGroups",
    "RunList",
    "RunMetadata",
    "RunPatch",
    "RunProject",
    "RunState",
    "SummaryPatch",
    "SweepId",
    "UploadBatch",
    "UploadItem",
]

RunState = Literal["running", "finished", "failed", "crashed", "paused"]
# Run ids are unique per project: a route addressed by run id alone takes the project as a hint, needed
# only when the caller can read runs of that id in several projects.
RunProject = Annotated[
    ProjectId | None,
    Query(
        description="The run's project id; needed only when the caller can read runs of this id in "
        "several projects.",
    ),
]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64), SingleLineText]
Name = Annotated[str, StringConstraints(max_length=128), SingleLineText]
Notes = Annotated[str, StringConstraints(max_length=20_000), MultilineText]
Tags = Annotated[list[Tag], Field(max_length=64)]
Short = Annotated[str, StringConstraints(max_length=128)]
Label = Annotated[str, StringConstraints(max_length=128), SingleLineText]  # group, job_type
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$")]
ContentType = Annotated[str, StringConstraints(pattern=r"^[\w.+-]+/[\w.+-]+$", max_length=128)]

# Configs and summaries are walked recursively (merge, flatten, diff): bound their nesting.
MAX_TREE_DEPTH = 64


def _shallow_enough(tree: dict[str, Any]) -> dict[str, Any]:
    if depth(tree, limit=MAX_TREE_DEPTH) > MAX_TREE_DEPTH:
        raise ValueError(f"nested deeper than {MAX_TREE_DEPTH} levels")
    return tree


Tree = Annotated[dict[str, Any], AfterValidator(_shallow_enough)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GitInfo(BaseModel):
    model_config = ConfigDict(extra="allow")
    commit: Annotated[str, StringConstraints(max_length=64)] | None = None
    branch: Short | None = None
    remote: Annotated[str, StringConstraints(max_length=2048)] | None = None
    dirty: bool | None = None
    root: Annotated[str, StringConstraints(max_length=4096)] | None = None


class RunMetadata(BaseModel):
    """Where the run ran. Known fields are typed; the SDK may add more (bounded in size by the service)."""

    model_config = ConfigDict(extra="allow")
    host: Short | None = None
    user: Short | None = None
    os: Annotated[str, StringConstraints(max_length=256)] | None = None
    python: Annotated[str, StringConstraints(max_length=64)] | None = None
    executable: Annotated[str, StringConstraints(max_length=4096)] | None = None
    command: Annotated[str, StringConstraints(max_length=8192)] | None = None
    argv: (
        Annotated[list[Annotated[str, StringConstraints(max_length=4096)]], Field(max_length=512)] | None
    ) = None
    program: Annotated[str, StringConstraints(max_length=4096)] | None = None
    cwd: Annotated[str, StringConstraints(max_length=4096)] | None = None
    git: GitInfo | None = None
    gpu_count: Annotated[int, Field(ge=0, le=4096)] | None = None
    gpu_names: Annotated[list[Short], Field(max_length=4096)] | None = None


class RunCreate(_Strict):
    id: RunId
    name: Name | None = None
    config: Tree | None = None
    tags: Tags | None = None
    notes: Notes | None = None
    group: Label | None = None
    job_type: Label | None = None
    metadata: RunMetadata | None = None
    resume: Literal["never", "allow", "must"] = "never"
    sweep_id: SweepId | None = Field(
        default=None,
        description="The sweep whose trial this run is (the agent exports it as WANLLMDB_SWEEP_ID); the "
        "runs table filters on it.",
    )
    resume_token: Annotated[
        str | None,
        Field(
            default=None,
            pattern=r"^[A-Za-z0-9_-]{8,64}$",
            description="A random id the client picks once per init() and repeats on every retry of "
            "this create: a retry of the request that created or resumed the run then returns the "
            "run as it left it, instead of resuming it again.",
        ),
    ] = None


class RunPatch(_Strict):
    """Fields sent are changed; a `null` clears name, notes, group or job_type."""

    name: Name | None = None
    notes: Notes | None = None
    tags: Tags | None = None
    group: Label | None = None
    job_type: Label | None = None
    state: RunState | None = None
    exit_code: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)] | None = None


class ConfigPatch(_Strict):
    config: Tree
    allow_val_change: bool = False


class SummaryPatch(_Strict):
    summary: Tree


class Run(BaseModel):
    id: str
    project_id: str
    entity: str
    project: str
    name: str | None
    state: RunState
    attempt: int
    config: dict[str, Any]
    summary: dict[str, Any]
    tags: list[str]
    notes: str | None
    group: str | None
    job_type: str | None
    sweep_id: str | None = Field(default=None, description="The sweep this run is a trial of, if any.")
    metadata: dict[str, Any]
    created_by: str | None = Field(
        default=None, description="The user who created the run; null for runs created before it was kept."
    )
    created_at: str
    updated_at: str
    heartbeat_at: str | None
    finished_at: str | None
    exit_code: int | None


class RunList(BaseModel):
    items: list[Run]
    next_cursor: str | None
    total: int


class ColumnStats(BaseModel):
    """A numeric column over a group's runs; runs without a finite number there are not counted."""

    count: int
    mean: float
    min: float
    max: float


class RunGroup(BaseModel):
    value: Any = Field(description="The group's value; null for the runs without one.")
    label: str = Field(description='The value as text; "(none)" for the runs without one.')
    count: int
    filter: dict[str, Any] = Field(
        description="A `filters` clause that selects this group's runs; AND it with the listing's own."
    )
    stats: dict[str, ColumnStats]


class RunGroups(BaseModel):
    by: str
    total: int = Field(description="Runs that matched the filters (a run with several tags counts once).")
    columns: list[str] = Field(description="The fields `stats` summarise.")
    groups: list[RunGroup]
    truncated: bool = Field(description="More groups exist than the answer holds.")


class Heartbeat(BaseModel):
    state: RunState
    attempt: int


class ConfigVersion(BaseModel):
    version: int
    config: dict[str, Any]
    changed_at: str


class ConfigHistory(BaseModel):
    items: list[ConfigVersion]


class ConfigDiff(BaseModel):
    changed: dict[str, list[Any]]
    only_a: dict[str, Any]
    only_b: dict[str, Any]


class UploadItem(_Strict):
    kind: Literal["history", "system", "logs", "file", "media"]
    size: Annotated[int, Field(ge=0)]
    sha256: Sha256
    seq: Annotated[int, Field(ge=0, le=999_999_999)] | None = None
    attempt: Annotated[int, Field(ge=0, le=9999)] | None = None
    path: Annotated[str, StringConstraints(min_length=1, max_length=1024)] | None = None
    content_type: ContentType | None = None
    format: Literal["parquet", "jsonl"] | None = Field(
        default=None,
        description="How a history, system or logs chunk is encoded (schemas/lake_schema.json "
        "chunk_formats): parquet (the default) or jsonl (gzip JSON lines, schemas/jsonl_chunk.schema.json). "
        "The grant's key ends in that format's suffix, so it covers exactly one object.",
    )


class UploadBatch(_Strict):
    items: Annotated[list[UploadItem], Field(min_length=1, max_length=100)]


class Grant(BaseModel):
    kind: str
    key: str
    url: str
    method: Literal["PUT"]
    headers: dict[str, str]
    expires_at: str


class GrantBatch(BaseModel):
    grants: list[Grant]
