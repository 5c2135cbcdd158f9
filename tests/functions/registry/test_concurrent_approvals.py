"""Eight reviewers approve eight Production requests of one model at once, on both item stores (SQLite,
and DynamoDB on a moto server), and over real HTTP on the local server: Production ends with exactly
one version, every approval either moved it (archiving the one it displaced) or got a 409 and left its
request pending, and each success wrote exactly one audit line.

moto's in-process backend is not thread-safe (it copies tables while other threads write them), so
the aws case runs a moto server that answers one call at a time: DynamoDB applies each call atomically
too, and the eight clients still interleave their reads and conditional transactions freely."""

from __future__ import annotations

import hashlib
import io
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import LocalServer, created_aws_stores, free_port
from tests.functions.actors import Tenant, build_tenant
from tests.functions.backends import backend_state
from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.artifacts.manifest import COLUMNS, wandb_digest
from wanllmdb_functions.artifacts.models import ArtifactLog
from wanllmdb_functions.artifacts.service import ArtifactService
from wanllmdb_functions.audit.service import AuditLog
from wanllmdb_functions.core.errors import Conflict
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.lake.keys import artifact_blob_key, artifact_manifest_key
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.registry.catalog import RegistryCatalog
from wanllmdb_functions.registry.models import LinkIn, PromotionRequestIn, RegistryCreate, ReviewIn
from wanllmdb_functions.registry.requests import RequestService

from .conftest import acme_scenario

pytestmark = pytest.mark.slow
N = 8


def _log_model(state: AppState, tenant: Tenant, project: str, i: int) -> None:
    content = f"weights {i}".encode()
    sha = hashlib.sha256(content).hexdigest()
    state.storage.blobs.put(artifact_blob_key(project, sha), content)
    digest_b64 = "x" + sha[:23]
    frame = pl.DataFrame(
        [{"path": "model.bin", "digest": digest_b64, "size": len(content), "sha256": sha}], schema=COLUMNS
    )
    sink = io.BytesIO()
    frame.write_parquet(sink)
    manifest_sha = hashlib.sha256(sink.getvalue()).hexdigest()
    state.storage.blobs.put(artifact_manifest_key(project, manifest_sha), sink.getvalue())
    body = ArtifactLog(
        name="net",
        type="model",
        manifest_sha256=manifest_sha,
        digest=wandb_digest(["model.bin"], [digest_b64]),
    )
    ArtifactService.of(state).log(tenant.caller("member"), project, body)


@contextmanager
def serial_moto_state() -> Iterator[AppState]:
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app), threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        created_aws_stores(endpoint, table="wl-race", bucket="wl-race")
        yield AppState(
            Settings(
                backend="aws",
                table="wl-race",
                bucket="wl-race",
                region="us-east-1",
                dynamodb_endpoint_url=endpoint,
                s3_endpoint_url=endpoint,
            )
        )
    finally:
        server.shutdown()


@pytest.mark.parametrize("backend", ["local", "aws"])
def test_eight_parallel_approvals_leave_one_production_version(backend: str, tmp_path: Path) -> None:
    stores = backend_state("local", tmp_path) if backend == "local" else serial_moto_state()
    with stores as state:
        tenant = build_tenant(state.storage.items)
        member, reviewer = tenant.caller("member"), tenant.caller("org_admin")
        project = (
            ProjectService(state.storage.items).create(member, ProjectCreate(name="zoo", entity="acme"))[0].id
        )
        catalog, requests = RegistryCatalog.of(state), RequestService.of(state)
        registry = catalog.registries.create(
            tenant.caller("owner"), RegistryCreate(entity="acme", name="model")
        )[0]
        asked = []
        for i in range(N):
            _log_model(state, tenant, project, i)
            catalog.link(member, registry.id, "net", LinkIn(project_id=project, artifact=f"net:v{i}"))
            ask = PromotionRequestIn(model="net", version=f"v{i}", stage="Production")
            asked.append(requests.create(member, registry.id, ask)[0].id)

        def approve(request_id: str) -> str:
            try:
                return requests.approve(reviewer, registry.id, request_id, ReviewIn(comment="go")).status
            except Conflict:
                return "conflict"

        with ThreadPoolExecutor(N) as pool:
            outcomes = list(pool.map(approve, asked))
        winners = [r for r, o in zip(asked, outcomes, strict=True) if o == "approved"]
        assert winners and set(outcomes) <= {"approved", "conflict"}
        model = catalog.model(reviewer, registry.id, "net")
        assert len(model.stages["Production"]) == 1
        stages = [v.stage for v in catalog.versions(reviewer, registry.id, "net")]
        assert stages.count("Production") == 1 and stages.count("Archived") == len(winners) - 1
        statuses = {r.id: r.status for r in requests.listing(reviewer, registry.id)}
        assert [i for i in asked if statuses[i] == "approved"] == winners
        assert all(statuses[i] == "pending" for i in asked if i not in winners)
        audit = AuditLog(state.storage.items, retention_days=30).list_entries(
            action="registry.request.approved"
        )
        assert len(audit.items) == len(winners)


def test_eight_parallel_approvals_over_http(local_server: LocalServer) -> None:
    acme = acme_scenario(local_server)
    base = f"/registries/{acme.registry}"
    asked = []
    for i in range(N):
        version = acme.model_artifact("net", f"weights {i}".encode())
        assert acme.link(acme.member, "net", f"net:{version['version']}").status_code == 201
        ask = {"model": "net", "version": f"v{i}", "stage": "Production"}
        asked.append(acme.member.request("POST", f"{base}/requests", json=ask).json()["id"])
    with ThreadPoolExecutor(N) as pool:
        codes = list(
            pool.map(
                lambda rid: acme.admin.request("POST", f"{base}/requests/{rid}/approve", json={}).status_code,
                asked,
            )
        )
    assert set(codes) <= {200, 409} and 200 in codes
    model = acme.admin.request("GET", f"{base}/models/net").json()
    assert len(model["stages"]["Production"]) == 1
    pending = acme.admin.request("GET", f"{base}/requests", params={"status": "pending"}).json()["requests"]
    assert len(pending) == codes.count(409)
