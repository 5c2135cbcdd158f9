"""Response shapes of the media routes (schemas/media_descriptors.json holds the descriptors)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

__all__ = ["HistogramStep", "MediaHistograms", "MediaItem", "MediaKey", "MediaKeys"]


class MediaKey(BaseModel):
    key: str
    type: str = Field(description="the descriptor's _type at the key's latest step")
    item_type: str | None = Field(None, description="for a gallery: its first item's _type")
    steps: list[int] = Field(description="every step with media under this key, ascending")


class MediaKeys(BaseModel):
    keys: list[MediaKey]
    warnings: list[str] = Field(default_factory=list)


class MediaItem(BaseModel):
    key: str
    requested_step: int
    step: int = Field(description="the step shown: the requested one, or the nearest earlier with media")
    exact: bool = Field(description="false when `step` is an earlier step than the one asked for")
    type: str
    descriptor: dict[str, Any] = Field(
        description="the lake descriptor; each file descriptor (and gallery item) carries a short-lived "
        "presigned GET `url` that downloads as an attachment"
    )
    url_expires_s: int


class HistogramStep(BaseModel):
    step: int
    bins: list[float]
    values: list[float]
    nonfinite: dict[str, int] | None = None


class MediaHistograms(BaseModel):
    key: str
    steps: list[HistogramStep]
    warnings: list[str] = Field(default_factory=list)
