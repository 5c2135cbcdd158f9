"""FastAPI dependencies shared by every service router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ..core.settings import Settings
from .state import AppState
from .storage import Storage

__all__ = ["AppStateDep", "SettingsDep", "StorageDep", "state_of"]


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.wl
    return state


# Dependencies that only look things up are `async def`: FastAPI runs a plain `def` dependency in
# the thread pool, one hand-off per dependency per request, which cost more CPU than the lookups.
async def app_state(request: Request) -> AppState:
    return state_of(request)


async def settings(request: Request) -> Settings:
    return state_of(request).settings


async def storage(request: Request) -> Storage:
    return state_of(request).storage


AppStateDep = Annotated[AppState, Depends(app_state)]
SettingsDep = Annotated[Settings, Depends(settings)]
StorageDep = Annotated[Storage, Depends(storage)]
