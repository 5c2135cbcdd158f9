"""What `wanllmdb admin ...` does, on the configured backend; the click layer only parses and prints."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..app.storage import build_storage
from ..core.errors import WanError
from ..core.settings import Settings
from .credentials import CredentialService
from .invitations import InvitationService
from .models import Email, EntityName, InvitationCreate, KeyName, Password
from .users import UserService

__all__ = ["AdminError", "create_key", "create_user", "invite"]


class AdminError(ValueError):
    """A refused admin command; the message says why and what to do."""


def _valid(kind: Any, value: str, what: str) -> str:
    try:
        return str(TypeAdapter(kind).validate_python(value))
    except ValidationError as exc:
        raise AdminError(f"{what}: {exc.errors()[0]['msg']}") from None


def _settings(settings: object) -> Settings:
    assert isinstance(settings, Settings)
    return settings


def create_user(
    settings: object,
    username: str,
    *,
    email: str | None,
    password: str | None,
    is_admin: bool,
    with_key: bool,
) -> list[str]:
    config = _settings(settings)
    _valid(EntityName, username, "username (lowercase letters, digits, '_', '.', '-'; at most 128)")
    if email is not None:
        _valid(Email, email, "email")
    if password is not None:
        _valid(Password, password, "password (8 to 256 characters)")
    storage = build_storage(config)
    try:
        user = UserService(storage.items).create(username, password=password, email=email, is_admin=is_admin)
    except WanError as exc:
        raise AdminError(exc.message) from None
    lines = [f"created user {user.username} (id {user.id}{', admin' if is_admin else ''})"]
    if with_key:
        credentials = CredentialService(storage.items, session_ttl_s=config.session_ttl_s)
        lines.append(credentials.create_key(user.id, "cli").key)
    return lines


def create_key(settings: object, username: str, *, name: str) -> str:
    config = _settings(settings)
    _valid(KeyName, name, "key name")
    storage = build_storage(config)
    user = UserService(storage.items).get_by_name(username)
    if user is None:
        raise AdminError(
            f"no user named {username!r}: create it with `wanllmdb admin create-user {username}`"
        )
    credentials = CredentialService(storage.items, session_ttl_s=config.session_ttl_s)
    return credentials.create_key(user["id"], name).key


def invite(
    settings: object, *, org: str | None, role: str | None, email: str | None, ttl_days: int
) -> list[str]:
    """Create an invitation as the operator; the last line is the token (shown only this once)."""
    config = _settings(settings)
    fields = {"org": org, "role": role, "email": email, "ttl_days": ttl_days}
    try:
        body = InvitationCreate.model_validate({k: v for k, v in fields.items() if v is not None})
    except ValidationError as exc:
        error = exc.errors()[0]
        raise AdminError(f"{'.'.join(map(str, error['loc'])) or 'invitation'}: {error['msg']}") from None
    try:
        created = InvitationService(build_storage(config).items).issue(body, created_by="cli")
    except WanError as exc:
        raise AdminError(exc.message) from None
    into = f" into {created.org} as {created.role}" if created.org else ""
    for_whom = f" for {created.email}" if created.email else ""
    return [
        f"invitation {created.id}{into}{for_whom}, valid until {created.expires_at:%Y-%m-%d %H:%M} UTC",
        "register with it: POST /api/auth/register {username, password, invitation}",
        created.token,
    ]
