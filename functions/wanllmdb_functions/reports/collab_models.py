"""Request and response shapes of the collaboration routes (REST and the local websocket alike)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .collab import MAX_UPDATE_BYTES

__all__ = ["CollabState", "PresenceIn", "PresenceOut", "UpdateAck", "UpdateIn"]

ClientId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]{1,64}$")]
BlockId = Annotated[str, StringConstraints(min_length=1, max_length=128)]
# base64 of MAX_UPDATE_BYTES, rounded up; the decoded size is checked again (413).
Base64Update = Annotated[str, StringConstraints(min_length=4, max_length=(MAX_UPDATE_BYTES + 2) // 3 * 4)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpdateIn(_Strict):
    client_id: ClientId = Field(description="the editor tab (its Yjs client id)")
    update: Base64Update = Field(description="one Yjs update (v1 encoding), base64")
    id: ClientId | None = Field(
        default=None,
        description="the update's id, made by the client: posting it again returns the first seq "
        "(default: the update's hash)",
    )


class UpdateAck(BaseModel):
    seq: int


class PresenceIn(_Strict):
    client_id: ClientId
    cursor: dict[str, Any] | None = Field(
        default=None, description="the client's awareness state (selection as Yjs relative positions)"
    )
    block_id: BlockId | None = None


class PresenceOut(BaseModel):
    client_id: str
    user: str
    name: str
    color: str
    cursor: dict[str, Any] | None = None
    block_id: str | None = None
    at: str


class CollabState(BaseModel):
    seq: int = Field(description="the seq the updates bring a client to: send it as `since` next")
    updates: list[str] = Field(description="Yjs updates, base64, to apply in order")
    presence: list[PresenceOut]
    presence_tag: str = Field(description="changes when presence does: send it back as `presence`")
