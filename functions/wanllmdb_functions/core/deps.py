"""FastAPI dependencies shared by every service router."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from .app import AppState
from .settings import Settings
from .storage import Storage

__all__ = ["AppStateDep", "SettingsDep", "StorageDep"]


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.wl
    return state


def settings(request: Request) -> Settings:
    return app_state(request).settings


def storage(request: Request) -> Storage:
    return app_state(request).storage


AppStateDep = Annotated[AppState, Depends(app_state)]
SettingsDep = Annotated[Settings, Depends(settings)]
StorageDep = Annotated[Storage, Depends(storage)]
