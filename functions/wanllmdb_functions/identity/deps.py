"""FastAPI dependencies building the identity services on this request's storage and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..core.deps import SettingsDep, StorageDep
from .credentials import CredentialService
from .orgs import OrgService
from .roles import RoleService
from .users import UserService

__all__ = ["CredentialsDep", "OrgsDep", "RolesDep", "UsersDep"]


async def users(storage: StorageDep) -> UserService:
    return UserService(storage.items)


async def credentials(storage: StorageDep, settings: SettingsDep) -> CredentialService:
    return CredentialService(storage.items, session_ttl_s=settings.session_ttl_s)


async def roles(storage: StorageDep) -> RoleService:
    return RoleService(storage.items)


async def orgs(storage: StorageDep) -> OrgService:
    return OrgService(storage.items)


UsersDep = Annotated[UserService, Depends(users)]
CredentialsDep = Annotated[CredentialService, Depends(credentials)]
RolesDep = Annotated[RoleService, Depends(roles)]
OrgsDep = Annotated[OrgService, Depends(orgs)]
