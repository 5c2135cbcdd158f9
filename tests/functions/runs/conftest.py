"""Runs service fixtures on both backends: SQLite + local blobs, and moto DynamoDB + S3."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto import mock_aws

from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.local_blobs import LocalBlobStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.adapters.url_signing import UrlSigner
from wanllmdb_functions.core.caller import Caller
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.models import OrgCreate
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.ports import BlobStore, ItemStore
from wanllmdb_functions.ports.events import RunFinishedHook
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.runs.listing import RunTable
from wanllmdb_functions.runs.service import RunService


@dataclass
class World:
    items: ItemStore
    blobs: BlobStore
    settings: Settings
    runs: RunService
    table: RunTable
    owner: Caller
    viewer: Caller
    stranger: Caller
    project_id: str
    run_finished: RunFinishedHook


def _caller(items: ItemStore, username: str) -> Caller:
    user = UserService(items).create(username, password=None)
    key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "test").key
    return resolve_caller(items, key, session_ttl_s=3600)


def build_world(items: ItemStore, blobs: BlobStore, settings: Settings) -> World:
    owner = _caller(items, "alice")
    viewer = _caller(items, "bob")
    stranger = _caller(items, "eve")
    OrgService(items).create(owner, OrgCreate(name="lab"))
    owner = resolve_caller(items, _key_of(items, owner), session_ttl_s=3600)
    OrgService(items).set_member(owner, "lab", "bob", "viewer")
    viewer = resolve_caller(items, _key_of(items, viewer), session_ttl_s=3600)
    project, _ = ProjectService(items).create(owner, ProjectCreate(name="mnist", entity="lab"))
    hook = RunFinishedHook("run finished")
    return World(
        items, blobs, settings, RunService(items, blobs, settings, hook), RunTable(items, blobs),
        owner, viewer, stranger, project.id, hook,
    )  # fmt: skip


def _key_of(items: ItemStore, caller: Caller) -> str:
    # A fresh key, so the caller is resolved again with the membership just granted.
    return CredentialService(items, session_ttl_s=3600).create_key(caller.user_id, "again").key


@pytest.fixture(params=["local", "aws"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[World]:
    settings = Settings(data_dir=tmp_path, config_inline_max_bytes=4096, heartbeat_timeout_s=30)
    if request.param == "local":
        items = SqliteItemStore(tmp_path / "items.sqlite3")
        blobs = LocalBlobStore(
            tmp_path / "lake", work_dir=tmp_path / "work", signer=UrlSigner(b"k" * 32, "http://127.0.0.1:9")
        )
        yield build_world(items, blobs, settings)
        items.close()
        return
    with mock_aws():
        dynamo = DynamoItemStore("wl-runs", region="us-east-1")
        dynamo.create_table()
        s3 = S3BlobStore("wl-runs-lake", region="us-east-1")
        s3.create_bucket()
        yield build_world(dynamo, s3, settings)
