"""GET /api/health: liveness plus the storage backend in use."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from .. import __version__
from ..app.deps import SettingsDep
from ..app.routing import ServiceRouter

router = ServiceRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    backend: Literal["local", "aws"]
    version: str


@router.get("/health")
async def health(settings: SettingsDep) -> Health:
    return Health(status="ok", backend=settings.backend, version=__version__)
