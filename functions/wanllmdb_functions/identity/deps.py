"""FastAPI dependencies building the identity services on this request's storage and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..app.deps import SettingsDep, StorageDep
from .credentials import CredentialService
from .invitations import InvitationService
from .login import LoginService
from .orgs import OrgService
from .roles import RoleService
from .signup import SignupService
from .throttle import LoginThrottle
from .users import UserService

__all__ = ["CredentialsDep", "InvitationsDep", "LoginDep", "OrgsDep", "RolesDep", "SignupDep", "UsersDep"]


async def users(storage: StorageDep) -> UserService:
    return UserService(storage.items)


async def credentials(storage: StorageDep, settings: SettingsDep) -> CredentialService:
    return CredentialService(storage.items, session_ttl_s=settings.session_ttl_s)


async def roles(storage: StorageDep) -> RoleService:
    return RoleService(storage.items)


async def orgs(storage: StorageDep) -> OrgService:
    return OrgService(storage.items)


async def invitations(storage: StorageDep) -> InvitationService:
    return InvitationService(storage.items)


async def signup(storage: StorageDep, settings: SettingsDep) -> SignupService:
    return SignupService(storage.items, open_signup=settings.open_signup)


async def logins(storage: StorageDep, settings: SettingsDep) -> LoginService:
    credentials = CredentialService(storage.items, session_ttl_s=settings.session_ttl_s)
    return LoginService(UserService(storage.items), credentials, LoginThrottle(storage.items))


UsersDep = Annotated[UserService, Depends(users)]
CredentialsDep = Annotated[CredentialService, Depends(credentials)]
RolesDep = Annotated[RoleService, Depends(roles)]
OrgsDep = Annotated[OrgService, Depends(orgs)]
InvitationsDep = Annotated[InvitationService, Depends(invitations)]
SignupDep = Annotated[SignupService, Depends(signup)]
LoginDep = Annotated[LoginService, Depends(logins)]
