"""Project request and response models with explicit limits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..core.ids import PROJECT_NAME_PATTERN
from ..core.text import MultilineText, SingleLineText
from ..identity.models import EntityName

__all__ = [
    "MAX_ARTIFACT_TTL_DAYS",
    "Project",
    "ProjectCreate",
    "ProjectList",
    "ProjectName",
    "ProjectUpdate",
    "RunCounts",
    "Visibility",
]

# A mismatch is answered in words (core/ids.py PATTERN_WORDS, through app/http_errors.py).
ProjectName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PROJECT_NAME_PATTERN)]
Visibility = Literal["private", "public"]
Tag = Annotated[str, StringConstraints(min_length=1, max_length=64), SingleLineText]
Description = Annotated[str, StringConstraints(max_length=4096), MultilineText]
Tags = Annotated[list[Tag], Field(max_length=64)]
MAX_ARTIFACT_TTL_DAYS = 36_500


class ProjectCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ProjectName
    entity: EntityName | None = Field(default=None, description="Owner; defaults to the caller's username.")
    visibility: Visibility = "private"
    description: Description = ""
    tags: Tags = Field(default_factory=list)


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visibility: Visibility | None = None
    description: Description | None = None
    tags: Tags | None = None
    artifact_ttl_days: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ARTIFACT_TTL_DAYS,
        description="Days an artifact version is kept after it is logged, for versions that inherit "
        "it (docs/artifacts.md, TTL); null keeps them forever. Project admins only.",
    )


class RunCounts(BaseModel):
    running: int = 0
    finished: int = 0
    failed: int = 0
    crashed: int = 0


class Project(BaseModel):
    id: str
    entity: str
    entity_kind: Literal["user", "org", "team"]
    name: str
    visibility: Visibility
    description: str
    tags: list[str]
    artifact_ttl_days: int | None = Field(
        default=None, description="The TTL, in days, of the artifact versions that inherit it; null: forever."
    )
    created_at: datetime
    updated_at: datetime
    run_counts: RunCounts
    permissions: list[str] = Field(
        default_factory=list,
        description="What the caller may do in this project (e.g. run:write, project:write), so a client "
        "offers only the actions that will succeed. The server still checks every request.",
    )


class ProjectList(BaseModel):
    items: list[Project]
    next_cursor: str | None
