"""Request and response models of the identity service, with explicit limits on every field."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from ..core.ids import ENTITY_NAME_PATTERN
from ..core.policy import ENTITY_PERMISSIONS, Permission

__all__ = [
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyInfo",
    "ApiKeyList",
    "Email",
    "EntityName",
    "Invitation",
    "InvitationCreate",
    "InvitationCreated",
    "InvitationId",
    "InvitationList",
    "KeyName",
    "KeyScope",
    "Login",
    "Me",
    "Member",
    "MemberAdd",
    "MemberList",
    "MemberUpdate",
    "Org",
    "OrgCreate",
    "OrgList",
    "OrgUpdate",
    "Password",
    "Refresh",
    "Register",
    "Role",
    "RoleCreate",
    "RoleList",
    "RoleName",
    "Session",
    "SessionMode",
    "Team",
    "TeamCreate",
    "TeamList",
    "User",
]

EntityName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=ENTITY_NAME_PATTERN)]
RoleName = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
]
KeyName = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
Email = Annotated[
    str, StringConstraints(max_length=254, pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$")
]
RoleRef = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


InvitationId = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=256)]

SessionMode = Literal["token", "cookie"]
_SessionField = Annotated[
    SessionMode,
    Field(
        description="token: the session and refresh tokens come back in the body (API clients, scripts). "
        "cookie: they are set as HttpOnly cookies (wl_session, wl_refresh) with a CSRF cookie (wl_csrf), "
        "and the body carries no token, so no script can read one (the web app).",
    ),
]


class Register(_Strict):
    username: EntityName
    password: Password
    email: Email | None = None
    invitation: Secret | None = Field(
        default=None,
        description="An invitation token (wli_…). Needed unless the server has open sign-up; "
        "it works once, and adds the organization membership it names.",
    )
    session: _SessionField = "token"


class Login(_Strict):
    # No pattern on login fields: a wrong username must be a 401, not a hint about the format.
    username: Annotated[str, StringConstraints(min_length=1, max_length=128)]
    password: Secret
    session: _SessionField = "token"


class Refresh(_Strict):
    refresh_token: Secret | None = Field(
        default=None, description="Required with session 'token'; 'cookie' uses the wl_refresh cookie."
    )
    session: _SessionField = "token"


class User(BaseModel):
    id: str
    username: str
    email: str | None = None
    is_admin: bool = False
    created_at: datetime


class Me(BaseModel):
    id: str
    username: str
    email: str | None = None
    is_admin: bool


class Session(BaseModel):
    user: User
    token: str | None = Field(description="The session token (wls_…); null with session 'cookie'.")
    refresh_token: str | None = Field(
        description="Trade it once for a new session at /api/auth/refresh; null with session 'cookie'."
    )
    expires_at: datetime


class InvitationCreate(_Strict):
    email: Email | None = Field(default=None, description="Whom it is for; the new account takes it.")
    org: EntityName | None = Field(
        default=None, description="An organization the new user joins; org admins may invite into theirs."
    )
    role: RoleRef | None = Field(default=None, description="Their role in `org` (default member).")
    ttl_days: int = Field(default=7, ge=1, le=90, description="Days until the invitation expires.")


class Invitation(BaseModel):
    id: str
    email: str | None = None
    org: str | None = None
    role: str | None = None
    created_by: str
    created_at: datetime
    expires_at: datetime


class InvitationCreated(Invitation):
    token: str = Field(description="The invitation (wli_…), shown only in this response; it works once.")


class InvitationList(BaseModel):
    items: list[Invitation]


KeyScope = Literal["all", "read"]


class ApiKeyCreate(_Strict):
    name: KeyName = "default"
    scope: KeyScope = Field(
        default="all",
        description="all: everything its user may do. read: only reads (GET, and the POST queries: SQL, "
        "metrics, table joins, exports); any other request is refused with 403 (dashboards, notebooks).",
    )
    expires_in_days: int | None = Field(
        default=None, ge=1, le=3650, description="Days until the key stops working; null: it never expires."
    )


class ApiKeyInfo(BaseModel):
    id: str
    name: str
    created_at: datetime
    scope: KeyScope = "all"
    expires_at: datetime | None = Field(default=None, description="When the key stops working; null: never.")
    last_used_at: datetime | None = Field(
        default=None,
        description="When the key last authenticated a request, to within an hour; null if never. "
        "Revoke keys that stopped being used.",
    )


class ApiKeyCreated(ApiKeyInfo):
    key: str = Field(description="The secret key. It is shown only in this response.")


class ApiKeyList(BaseModel):
    items: list[ApiKeyInfo]


class OrgCreate(_Strict):
    name: EntityName
    display_name: Annotated[str, StringConstraints(max_length=256)] | None = None


class OrgUpdate(_Strict):
    display_name: Annotated[str, StringConstraints(max_length=256)] | None = Field(
        description="The name people read; null or empty shows the organization's name. The name itself "
        "is part of project paths and does not change."
    )


class Org(BaseModel):
    name: str
    display_name: str | None = None
    created_at: datetime
    role: str | None = Field(default=None, description="The caller's role in this organization.")


class OrgList(BaseModel):
    items: list[Org]


class TeamCreate(_Strict):
    name: EntityName


class Team(BaseModel):
    name: str
    org: str
    created_at: datetime


class TeamList(BaseModel):
    items: list[Team]


class MemberAdd(_Strict):
    username: EntityName
    role: RoleRef = "member"


class MemberUpdate(_Strict):
    role: RoleRef


class Member(BaseModel):
    user_id: str
    username: str
    role: str


class MemberList(BaseModel):
    items: list[Member]


class RoleCreate(_Strict):
    name: RoleName
    permissions: Annotated[list[Permission], Field(min_length=1, max_length=len(Permission))]
    description: Annotated[str, StringConstraints(max_length=1024)] | None = None

    @field_validator("permissions")
    @classmethod
    def _entity_permissions_only(cls, value: list[Permission]) -> list[Permission]:
        tenant = sorted(p.value for p in value if p not in ENTITY_PERMISSIONS)
        if tenant:
            raise ValueError(f"{', '.join(tenant)} belong to tenant admins and cannot be part of a role")
        return value


class Role(BaseModel):
    name: str
    permissions: list[str]
    description: str | None = None
    builtin: bool = False


class RoleList(BaseModel):
    items: list[Role]
    permissions: list[str] = Field(
        default_factory=list, description="Every permission a custom role may be built from."
    )
