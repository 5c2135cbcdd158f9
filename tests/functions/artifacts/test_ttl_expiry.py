"""Artifact TTL where time must pass: the periodic pass expires versions past their TTL exactly as a
DELETE does, keeps versions linked into the registry or holding `production` (checked again at expiry),
follows a changed project default; and gc keeps the files of a deleted version the registry links.

The whole local app runs in-process (TestClient), so the test moves the one clock (core.values.clock)
and writes the registry's link markers straight into the store.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from fastapi.testclient import TestClient

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.artifacts import keys, ttl
from wanllmdb_functions.artifacts.manifest import COLUMNS, wandb_digest
from wanllmdb_functions.artifacts.models import ArtifactLog
from wanllmdb_functions.artifacts.retention import ArtifactExpiry
from wanllmdb_functions.artifacts.service import ArtifactService
from wanllmdb_functions.audit.service import AuditLog
from wanllmdb_functions.core import values
from wanllmdb_functions.lake.keys import artifact_blob_key
from wanllmdb_functions.services import PERIODIC_TASKS

from ..actors import Tenant, build_tenant, tenant_app
from ..backends import BACKENDS, backend_state

START = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, by: timedelta) -> None:
        self.at += by


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(START)
    monkeypatch.setattr(values, "clock", frozen)
    return frozen


@dataclass
class World:
    client: TestClient
    tenant: Tenant
    state: AppState

    @property
    def project(self) -> str:
        return self.tenant.projects["personal-private"]

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return self.client.request(method, f"/api{path}", headers=self.tenant.headers("owner"), **kw)

    def route(self, name: str, label: str = "v0") -> str:
        return f"/projects/{self.project}/artifacts/{name}/versions/{label}"

    def log(self, name: str, content: bytes, **extra: Any) -> dict[str, Any]:
        """A version of one file whose blob and manifest are put straight into the store, logged over HTTP."""
        body = uploaded(self.state, self.project, content)
        response = self.call(
            "POST", f"/projects/{self.project}/artifacts", json={"name": name, **body, **extra}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def expire(self) -> None:
        """One round of the local server's periodic tasks, the artifact expiry pass among them."""
        for task in PERIODIC_TASKS:
            task(self.state)

    def link(self, name: str, index: int, model: str = "champion") -> tuple[str, str]:
        """What the registry writes when it links a version into a registered model."""
        pk, sk = keys.link_marker(self.project, name, index, "reg1", model)
        self.state.storage.items.put({"pk": pk, "sk": sk})
        return pk, sk


@pytest.fixture
def world(tmp_path: Path, clock: Clock) -> Iterator[World]:
    with tenant_app(tmp_path / "data") as (client, tenant, state):
        yield World(client, tenant, state)


def uploaded(state: AppState, project_id: str, content: bytes) -> dict[str, Any]:
    """Put a one-file version's blob and manifest in the store; the body fields that log it."""
    blobs = state.storage.blobs
    sha = hashlib.sha256(content).hexdigest()
    blobs.put(artifact_blob_key(project_id, sha), content)
    digest_b64 = "x" + sha[:23]
    frame = pl.DataFrame(
        [{"path": "f.txt", "digest": digest_b64, "size": len(content), "sha256": sha}], schema=COLUMNS
    )
    sink = io.BytesIO()
    frame.write_parquet(sink)
    manifest = sink.getvalue()
    manifest_sha = hashlib.sha256(manifest).hexdigest()
    from wanllmdb_functions.lake.keys import artifact_manifest_key

    blobs.put(artifact_manifest_key(project_id, manifest_sha), manifest)
    return {"type": "model", "manifest_sha256": manifest_sha, "digest": wandb_digest(["f.txt"], [digest_b64])}


def expiry_lines(state: AppState) -> list[dict[str, Any]]:
    page = AuditLog(state.storage.items, retention_days=365).list_entries(action="EXPIRE artifact", limit=100)
    return [entry.model_dump() for entry in page.items]


# -- the periodic pass --------------------------------------------------------------------------------


def test_the_periodic_pass_expires_a_version_past_its_ttl_as_a_delete_would(
    world: World, clock: Clock
) -> None:
    kept = world.log("weights", b"kept forever")
    short = world.log("weights", b"one day", ttl_days=1)
    assert (kept["version"], short["version"]) == ("v0", "v1")
    assert short["expires_at"] == values.now_iso(START + DAY)
    clock.advance(DAY / 2)
    world.expire()
    assert world.call("GET", world.route("weights", "v1")).status_code == 200  # not yet

    clock.advance(DAY)
    world.expire()
    assert world.call("GET", world.route("weights", "v1")).status_code == 404
    versions = world.call("GET", f"/projects/{world.project}/artifacts/weights/versions").json()["versions"]
    assert [(v["version"], v["aliases"]) for v in versions] == [("v0", ["latest"])]  # latest moved back
    collection = world.call("GET", f"/projects/{world.project}/artifacts").json()["collections"][0]
    assert (collection["version_count"], collection["latest"]) == (1, "v0")
    item = world.state.storage.items.get(*keys.version(world.project, "weights", 1))
    assert item is not None and item["state"] == "deleted" and "gsi1pk" not in item
    [line] = expiry_lines(world.state)
    assert (line["via"], line["actor"], line["target"]) == (
        "ttl",
        None,
        f"/api/projects/{world.project}/artifacts/weights/versions/v1",
    )
    feed = world.call(
        "GET", f"/projects/{world.project}/activity", params={"kind": "artifact.expired"}
    ).json()
    assert [(a["kind"], a["object"]) for a in feed["items"]] == [("artifact.expired", "weights")]

    clock.advance(DAY)
    world.expire()  # idempotent: nothing more to do, nothing audited twice
    assert len(expiry_lines(world.state)) == 1
    # The same content logged again is a new version: the expired one freed its digest.
    again = world.log("weights", b"one day")
    assert (again["version"], again["created"]) == ("v2", True)


def test_a_changed_project_default_moves_the_versions_that_inherit_it(world: World, clock: Clock) -> None:
    inherits = world.log("data", b"inherits")
    forever = world.log("data", b"forever", ttl_days=None)
    assert (inherits["ttl_inherited"], inherits["expires_at"]) == (True, None)
    assert (forever["ttl_inherited"], forever["ttl_days"]) == (False, None)
    clock.advance(3 * DAY)
    world.expire()  # no default yet: nothing expires
    patched = world.call("PATCH", f"/projects/{world.project}", json={"artifact_ttl_days": 2})
    assert patched.status_code == 200 and patched.json()["artifact_ttl_days"] == 2
    # Shown at once; expired by the next pass (created three days ago, kept two).
    shown = world.call("GET", world.route("data", "v0")).json()
    assert (shown["ttl_days"], shown["ttl_inherited"]) == (2, True)
    assert shown["expires_at"] == values.now_iso(START + 2 * DAY)
    world.expire()
    assert world.call("GET", world.route("data", "v0")).status_code == 404
    assert world.call("GET", world.route("data", "v1")).status_code == 200  # its own: forever
    # Lengthening the default re-indexes too: a version logged now lasts the new default.
    world.call("PATCH", f"/projects/{world.project}", json={"artifact_ttl_days": 10}).raise_for_status()
    fresh = world.log("data", b"fresh")
    clock.advance(9 * DAY)
    world.expire()
    assert world.call("GET", world.route("data", fresh["version"])).status_code == 200
    clock.advance(2 * DAY)
    world.expire()
    assert world.call("GET", world.route("data", fresh["version"])).status_code == 404


def test_a_version_linked_after_its_ttl_was_set_does_not_expire_while_linked(
    world: World, clock: Clock
) -> None:
    world.log("model", b"linked later", ttl_days=1)
    pk, sk = world.link("model", 0)
    clock.advance(2 * DAY)
    world.expire()
    assert world.call("GET", world.route("model")).status_code == 200
    assert expiry_lines(world.state) == []
    # Unlinked: looked at again within a day, and expired then.
    world.state.storage.items.delete(pk, sk)
    clock.advance(DAY + timedelta(minutes=1))
    world.expire()
    assert world.call("GET", world.route("model")).status_code == 404


def test_a_version_given_production_after_its_ttl_was_set_does_not_expire(world: World, clock: Clock) -> None:
    world.log("model", b"promoted later", ttl_days=1)
    world.call("POST", f"{world.route('model')}/aliases", json={"add": ["production"]}).raise_for_status()
    clock.advance(2 * DAY)
    world.expire()
    assert world.call("GET", world.route("model", "production")).json()["version"] == "v0"


# -- refusals -------------------------------------------------------------------------------------------


def test_a_ttl_on_a_linked_version_is_refused_with_409_saying_to_unlink_it(world: World) -> None:
    world.log("model", b"linked")
    world.link("model", 0)
    refused = world.call("PATCH", world.route("model"), json={"ttl_days": 30})
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("conflict", "ttl_days")
    assert "linked into the registry" in error["message"] and "unlink it" in error["message"]
    # Inheriting a project default would make it expire too; keeping it forever is always fine.
    world.call("PATCH", f"/projects/{world.project}", json={"artifact_ttl_days": 5}).raise_for_status()
    assert world.call("PATCH", world.route("model"), json={"inherit": True}).status_code == 409
    kept = world.call("PATCH", world.route("model"), json={"ttl_days": None})
    assert kept.status_code == 200 and kept.json()["expires_at"] is None
    # Logging the same content again with a TTL is the same refusal.
    body = uploaded(world.state, world.project, b"linked")
    again = world.call(
        "POST", f"/projects/{world.project}/artifacts", json={"name": "model", **body, "ttl_days": 3}
    )
    assert again.status_code == 409


def test_a_ttl_on_a_version_holding_production_is_refused_saying_to_move_the_alias(world: World) -> None:
    world.log("model", b"in production", aliases=["production"])
    refused = world.call("PATCH", world.route("model", "production"), json={"ttl_days": 7})
    assert refused.status_code == 409
    assert "production" in refused.json()["error"]["message"]
    assert "move 'production' to another version first" in refused.json()["error"]["message"]
    logged = world.call(
        "POST",
        f"/projects/{world.project}/artifacts",
        json={"name": "model", **uploaded(world.state, world.project, b"new"), "aliases": ["production"],
              "ttl_days": 7},
    )  # fmt: skip
    assert logged.status_code == 409 and "log it without ttl_days" in logged.json()["error"]["message"]
    # Once the alias moves on, the old version may be given a TTL.
    world.log("model", b"next", aliases=["production"])
    assert world.call("PATCH", world.route("model", "v0"), json={"ttl_days": 7}).json()["ttl_days"] == 7


# -- gc and links ---------------------------------------------------------------------------------------


def test_gc_keeps_the_files_of_a_deleted_version_the_registry_links(world: World) -> None:
    world.log("model", b"linked bytes")
    world.log("other", b"unlinked bytes")
    world.link("model", 0)
    for name in ("model", "other"):
        assert world.call("DELETE", world.route(name)).status_code == 204
    gc = world.call("POST", f"/projects/{world.project}/artifacts/gc").json()
    assert (gc["deleted_blobs"], gc["deleted_manifests"], gc["live_versions"]) == (1, 1, 1)
    blobs = world.state.storage.blobs
    assert blobs.head(artifact_blob_key(world.project, hashlib.sha256(b"linked bytes").hexdigest()))
    assert blobs.head(artifact_blob_key(world.project, hashlib.sha256(b"unlinked bytes").hexdigest())) is None
    # The registry reads the deleted version's item directly.
    item = world.state.storage.items.get(*keys.version(world.project, "model", 0))
    assert item is not None and item["state"] == "deleted"


# -- the index on both item stores --------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_pass_reads_only_what_is_due_on_either_item_store(
    backend: str, tmp_path: Path, clock: Clock
) -> None:
    with backend_state(backend, tmp_path) as state:
        tenant = build_tenant(state.storage.items)
        owner, project = tenant.caller("owner"), tenant.projects["personal-private"]
        artifacts = ArtifactService.of(state)

        def log(name: str, content: bytes, **extra: Any) -> None:
            artifacts.log(
                owner, project, ArtifactLog(name=name, **uploaded(state, project, content), **extra)
            )

        for day in (1, 2, 3):
            log(f"d{day}", f"due in {day}".encode(), ttl_days=day)
        log("never", b"never")
        due = [e["name"] for e in state.storage.items.query_all(ttl.TTL_DUE_PK, index="gsi1")]
        assert due == ["d1", "d2", "d3"]  # in due order; a version without a TTL is not indexed
        clock.advance(2 * DAY + timedelta(seconds=1))
        expiry = ArtifactExpiry(state.storage.items, state.storage.blobs, state.settings)
        assert expiry.run() == [f"{project}:d1:v0", f"{project}:d2:v0"]
        assert expiry.run() == []
        assert [e["name"] for e in state.storage.items.query_all(ttl.TTL_DUE_PK, index="gsi1")] == ["d3"]
