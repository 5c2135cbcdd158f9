"""First start of a local server: create the `admin` user and hand its API key over in a 0600 file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import Conflict, Unauthenticated
from .credentials import CredentialService
from .users import UserService

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["ADMIN_KEY_FILE", "ADMIN_USERNAME", "ensure_local_admin", "write_secret_file"]

ADMIN_USERNAME = "admin"
ADMIN_KEY_FILE = "admin-api-key"


def write_secret_file(path: Path, secret: str) -> None:
    """Write `secret` so that no other local user can ever read it, not even for an instant."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _key_still_valid(credentials: CredentialService, path: Path) -> bool:
    try:
        credentials.verify_key(path.read_text().strip())
    except (OSError, Unauthenticated):
        return False
    return True


def ensure_local_admin(state: AppState) -> Iterator[str]:
    """STARTUP_HOOK: make sure an admin exists and `<data-dir>/admin-api-key` holds a working key.

    Prints the file's path, never the key. A deleted or revoked key file gets a fresh key.
    """
    if state.settings.backend != "local":
        return
    items = state.storage.items
    users = UserService(items)
    credentials = CredentialService(items, session_ttl_s=state.settings.session_ttl_s)
    path = state.settings.data_dir.expanduser() / ADMIN_KEY_FILE
    admin = users.get_by_name(ADMIN_USERNAME)
    if admin is None:
        try:
            admin_id = users.create(ADMIN_USERNAME, password=None, is_admin=True).id
        except Conflict:  # another process won the race to create it
            admin_id = users.require_by_name(ADMIN_USERNAME)["id"]
    else:
        admin_id = admin["id"]
    if not _key_still_valid(credentials, path):
        write_secret_file(path, credentials.create_key(admin_id, "local admin").key)
    yield f"admin API key: {path} (log in to the web as 'admin' with this key as the password)"
