"""Saved-view request and response models with explicit limits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_SPEC_BYTES", "SavedView", "ViewList", "ViewName", "ViewSave"]

# A workspace layout with a few hundred panels and runs is a few KB; this leaves ample room.
MAX_SPEC_BYTES = 64 << 10

ViewName = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[^\x00-\x1f\x7f/]*[^\x00-\x1f\x7f/\s][^\x00-\x1f\x7f/]*$",
        description="The view's name: 1 to 100 characters, not only spaces, no '/' or control characters.",
    ),
]


class ViewSave(BaseModel):
    model_config = ConfigDict(extra="forbid")

    spec: dict[str, Any] = Field(
        description="The view as the dashboard keeps it (layout, panels, selected runs, filters); "
        f"at most {MAX_SPEC_BYTES} bytes of JSON."
    )
    revision: int | None = Field(
        default=None,
        ge=0,
        description="The revision this save replaces: 0 to create only, N to overwrite revision N "
        "(409 when someone saved since). Omit to create or overwrite whatever is there.",
    )


class SavedView(BaseModel):
    project_id: str
    name: str
    spec: dict[str, Any]
    revision: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class ViewList(BaseModel):
    views: list[SavedView]
