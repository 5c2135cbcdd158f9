"""FastAPI dependencies building the identity services on this request's storage and settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from ..app.deps import AppStateDep, SettingsDep, StorageDep
from ..core.errors import NotFound
from .credentials import CredentialService
from .invitations import InvitationService
from .login import LoginService
from .oidc_accounts import OidcAccounts
from .oidc_issuer import OidcIssuer
from .oidc_login import OidcClient, OidcLoginService
from .orgs import OrgService
from .roles import RoleService
from .signup import SignupService
from .throttle import LoginThrottle
from .users import UserService

__all__ = [
    "CredentialsDep",
    "InvitationsDep",
    "LoginDep",
    "OidcLoginDep",
    "OrgsDep",
    "RolesDep",
    "SignupDep",
    "UsersDep",
]


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


async def oidc_logins(state: AppStateDep) -> OidcLoginService:
    settings = state.settings
    client = OidcClient.from_settings(settings)
    if client is None:
        raise NotFound(
            "OIDC sign-in is not configured on this server: set WANLLMDB_OIDC_ISSUER and "
            "WANLLMDB_OIDC_CLIENT_ID (docs/auth.md)"
        )
    # One issuer per app: discovery and the JWKS are cached across requests.
    issuer = state.shared(OidcIssuer, lambda s: OidcIssuer(str(s.oidc_issuer)))
    if issuer.issuer != settings.oidc_issuer:
        # Settings were read again (AppState.reset) and name another issuer: never trust the old one.
        issuer = OidcIssuer(str(settings.oidc_issuer))
    items = state.storage.items
    credentials = CredentialService(items, session_ttl_s=settings.session_ttl_s)
    return OidcLoginService(items, issuer, client, credentials, OidcAccounts(items, UserService(items)))


UsersDep = Annotated[UserService, Depends(users)]
CredentialsDep = Annotated[CredentialService, Depends(credentials)]
RolesDep = Annotated[RoleService, Depends(roles)]
OrgsDep = Annotated[OrgService, Depends(orgs)]
InvitationsDep = Annotated[InvitationService, Depends(invitations)]
SignupDep = Annotated[SignupService, Depends(signup)]
LoginDep = Annotated[LoginService, Depends(logins)]
OidcLoginDep = Annotated[OidcLoginService, Depends(oidc_logins)]
