"""What the delete and restore routes answer: the deletion, as a receipt."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["Deletion", "DeletionKind", "DeletionState"]

DeletionKind = Literal["run", "project", "team"]
DeletionState = Literal["pending", "purging", "purged", "restoring", "restored"]


class Deletion(BaseModel):
    id: str = Field(description="The deletion's id.")
    kind: DeletionKind
    target: str = Field(description="The run id, project id or team name deleted.")
    project_id: str | None = Field(description="The run's project (runs), or the project itself.")
    name: str = Field(description="What was deleted, in words: the run name, entity/project, or team.")
    state: DeletionState = Field(
        description="pending: hidden and restorable until purge_after; purging/purged: going or gone "
        "for good; restoring/restored: being or been undone."
    )
    deleted_at: str
    deleted_by: str | None
    purge_after: str = Field(description="When the grace period ends and the purge may start.")
    restored_at: str | None = None
    purged_at: str | None = None
    restore_path: str = Field(description="POST here to undo the deletion while it is pending.")
