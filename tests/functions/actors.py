"""A small tenant with one user per role, each with an API key, for authorization tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi.testclient import TestClient

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.core.caller import Caller
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.models import OrgCreate
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.local_server import build_local_app
from wanllmdb_functions.ports import ItemStore
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService

ROLES = ("owner", "org_admin", "member", "viewer", "outsider", "admin")
# "admin" is taken by the local server's bootstrap admin, so the test tenant admin is "root".
USERNAMES = {
    "owner": "owner",
    "org_admin": "org-admin",
    "member": "member",
    "viewer": "viewer",
    "outsider": "outsider",
    "admin": "root",
}
SESSION_TTL = 3600


@dataclass
class Tenant:
    items: ItemStore
    keys: dict[str, str] = field(default_factory=dict)  # actor -> API key
    projects: dict[str, str] = field(default_factory=dict)  # "<owner kind>-<visibility>" -> project id

    def caller(self, actor: str) -> Caller:
        return resolve_caller(self.items, self.keys[actor], session_ttl_s=SESSION_TTL)

    def headers(self, actor: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[actor]}"} if actor else {}


def build_tenant(items: ItemStore) -> Tenant:
    """Users: admin (tenant), owner (owns personal projects and the org `acme`), org_admin, member,
    viewer (roles in `acme`), outsider (no relation). Projects: personal and org, private and public."""
    users = UserService(items)
    credentials = CredentialService(items, session_ttl_s=SESSION_TTL)
    tenant = Tenant(items)
    for actor in ROLES:
        # No passwords: argon2 is deliberately slow and these users sign in with keys.
        user = users.create(USERNAMES[actor], password=None, is_admin=actor == "admin")
        tenant.keys[actor] = credentials.create_key(user.id, "test").key
    orgs = OrgService(items)
    orgs.create(tenant.caller("owner"), OrgCreate(name="acme"))
    owner = tenant.caller("owner")  # now an admin of acme
    for actor, role in (("org_admin", "admin"), ("member", "member"), ("viewer", "viewer")):
        orgs.set_member(owner, "acme", USERNAMES[actor], role)
    projects = ProjectService(items)
    for entity in ("owner", "acme"):
        for visibility in ("private", "public"):
            body = ProjectCreate(name=f"{entity}-{visibility}", entity=entity, visibility=visibility)  # type: ignore[arg-type]
            project, _ = projects.create(owner, body)
            tenant.projects[f"{'personal' if entity == 'owner' else 'org'}-{visibility}"] = project.id
    return tenant


@contextmanager
def tenant_app(
    data_dir: Path, settings: Settings | None = None
) -> Iterator[tuple[TestClient, Tenant, AppState]]:
    """The whole local app (no dashboard, no periodic tasks) on `data_dir`, with the test tenant in it."""
    app = build_local_app(
        settings or Settings(data_dir=data_dir, web_dist=data_dir / "no-web"), owns_process=False
    )
    with TestClient(app) as client:
        yield client, build_tenant(app.state.wl.storage.items), app.state.wl
