"""GET /api/health: liveness plus the storage backend in use."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from .. import __version__
from ..app.deps import SettingsDep
from ..app.offload import OneHopRoute

router = APIRouter(route_class=OneHopRoute, tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    backend: Literal["local", "aws"]
    version: str


@router.get("/health")
def health(settings: SettingsDep) -> Health:
    return Health(status="ok", backend=settings.backend, version=__version__)
