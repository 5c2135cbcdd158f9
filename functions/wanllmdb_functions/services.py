"""What the local server mounts and runs. A new service adds its router (and tasks) here, one line each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from fastapi import APIRouter

from .identity.bootstrap import ensure_local_admin
from .identity.routers import IDENTITY_ROUTERS
from .runs.reaper import reaper_task
from .runs.routes import router as runs_router

if TYPE_CHECKING:
    from .core.app import AppState

SERVICE_ROUTERS: list[APIRouter] = [
    *IDENTITY_ROUTERS,
    runs_router,
]

# Run once when the local server starts; each yields lines to print for the operator.
STARTUP_HOOKS: list[Callable[[AppState], Iterable[str]]] = [ensure_local_admin]

# Run every `reaper_interval_s` in the local server (in AWS, scheduled Lambdas do this).
PERIODIC_TASKS: list[Callable[[AppState], None]] = [reaper_task]
