"""Concurrent creates of one name yield exactly one thing.

On SQLite only: moto does not isolate concurrent writes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.core.errors import Conflict
from wanllmdb_functions.identity.models import OrgCreate
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService

from ..actors import build_tenant


def test_parallel_creates_of_one_project_yield_one_project(tmp_path: Path) -> None:
    tenant = build_tenant(SqliteItemStore(tmp_path / "items.sqlite3"))
    member = tenant.caller("member")
    projects = ProjectService(tenant.items)
    with ThreadPoolExecutor(16) as pool:
        results = list(
            pool.map(lambda _: projects.create(member, ProjectCreate(name="race", entity="acme")), range(32))
        )
    assert len({project.id for project, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert [p.name for p in projects.list_projects(member, search="race").items] == ["race"]


def test_parallel_claims_of_one_name_by_users_and_orgs_yield_one_owner(tmp_path: Path) -> None:
    tenant = build_tenant(SqliteItemStore(tmp_path / "items.sqlite3"))
    users, orgs = UserService(tenant.items), OrgService(tenant.items)
    outsider = tenant.caller("outsider")

    def claim(i: int) -> str:
        try:
            if i % 2:
                users.create("contested", password=None)
                return "user"
            orgs.create(outsider, OrgCreate(name="contested"))
            return "org"
        except Conflict:
            return "lost"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(claim, range(24)))
    assert outcomes.count("lost") == 23
