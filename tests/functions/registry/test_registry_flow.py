"""The model registry over real HTTP on the local server: linking exactly once, stages and aliases,
the approval flow with every transition, permissions, links, files through the registry, and the
errors that name their field."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import LocalServer

from .conftest import Acme

pytestmark = pytest.mark.slow


def linked(acme: Acme, model: str = "classifier", payload: bytes = b"weights-1") -> dict:
    version = acme.model_artifact(f"resnet-{model}", payload)
    response = acme.link(acme.member, model, f"{version['name']}:{version['version']}")
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_linking_is_idempotent_numbers_per_model_and_checks_the_type(acme: Acme) -> None:
    first = linked(acme)
    assert (first["version"], first["stage"], first["aliases"], first["created"]) == (
        "v0",
        "Development",
        ["latest"],
        True,
    )
    again = acme.link(acme.member, "classifier", first["source"]["name"] + ":v0")
    assert again.status_code == 200 and again.json()["version"] == "v0" and again.json()["created"] is False
    dataset = acme.model_artifact("images", b"pixels", type="dataset")
    refused = acme.link(acme.member, "classifier", f"{dataset['name']}:v0")
    assert refused.status_code == 400 and "force" in refused.json()["error"]["message"]
    assert (
        refused.json()["error"]["field"] == "artifact" and "'dataset'" in refused.json()["error"]["message"]
    )
    forced = acme.link(acme.member, "classifier", f"{dataset['name']}:v0", force=True)
    assert forced.status_code == 201 and forced.json()["version"] == "v1"
    model = acme.member.request("GET", f"/registries/{acme.registry}/models/classifier").json()
    assert (model["version_count"], model["latest"]) == (2, "v1")
    assert acme.link(acme.viewer, "classifier", f"{dataset['name']}:v0").status_code == 403


def test_request_approve_moves_the_stage_once_and_a_second_approval_is_409(acme: Acme) -> None:
    linked(acme)
    base = f"/registries/{acme.registry}"
    direct = acme.member.request(
        "POST", f"{base}/models/classifier/versions/v0/stage", json={"stage": "Production"}
    )
    assert direct.status_code == 403 and "request" in direct.json()["error"]["message"]
    ask = {"model": "classifier", "version": "v0", "stage": "production", "comment": "beats v-1 by 2%"}
    created = acme.member.request("POST", f"{base}/requests", json=ask)
    assert created.status_code == 201, created.text
    request = created.json()
    assert (request["status"], request["target"], request["target_kind"]) == (
        "pending",
        "Production",
        "stage",
    )
    assert (
        acme.member.request("POST", f"{base}/requests", json=ask).json()["id"] == request["id"]
    )  # no duplicate
    inbox = acme.admin.request("GET", "/registry-requests").json()["requests"]
    assert [r["id"] for r in inbox] == [request["id"]]
    assert acme.member.request("GET", "/registry-requests").json()["requests"] == []
    bell = acme.admin.request("GET", "/notifications").json()["items"]
    assert any(n["kind"] == "registry.request.created" and "classifier v0" in n["title"] for n in bell)
    assert bell[0]["link"].endswith("/classifier/v0")
    assert acme.viewer.request("POST", f"{base}/requests/{request['id']}/approve", json={}).status_code == 403
    assert acme.member.request("POST", f"{base}/requests/{request['id']}/approve", json={}).status_code == 403
    approved = acme.admin.request(
        "POST", f"{base}/requests/{request['id']}/approve", json={"comment": "ship it"}
    )
    assert approved.status_code == 200, approved.text
    assert (approved.json()["status"], approved.json()["closed_by"]) == ("approved", acme.admin.username)
    version = acme.member.request("GET", f"{base}/models/classifier/versions/production").json()
    assert (version["version"], version["stage"]) == ("v0", "Production")
    twice = acme.admin.request("POST", f"{base}/requests/{request['id']}/approve", json={})
    assert twice.status_code == 409 and "already approved" in twice.json()["error"]["message"]
    member_bell = acme.member.request("GET", "/notifications").json()["items"]
    assert any(n["kind"] == "registry.request.approved" for n in member_bell)
    kinds = [
        (e["kind"], e.get("status"), e["after"])
        for e in acme.member.request("GET", f"{base}/models/classifier/timeline").json()["entries"]
    ]
    assert kinds[-3:] == [
        ("request", "pending", "Production"),
        ("stage", None, "Production"),
        ("request", "approved", "Production"),
    ]
    activity = acme.admin.request("GET", f"/orgs/{acme.org}/activity").json()["items"]
    approved = next(line for line in activity if line["kind"] == "registry.request.approved")
    assert approved["link"] == f"/registries/{acme.org}/model/classifier/v0"
    assert "registry.stage.changed" in {line["kind"] for line in activity}


def test_reject_needs_a_comment_cancel_and_self_approval_is_refused(acme: Acme) -> None:
    linked(acme)
    base = f"/registries/{acme.registry}"
    ask = {"model": "classifier", "version": "latest", "stage": "Staging"}
    request = acme.member.request("POST", f"{base}/requests", json=ask).json()
    bare = acme.admin.request("POST", f"{base}/requests/{request['id']}/reject", json={})
    assert bare.status_code == 400 and bare.json()["error"]["field"] == "comment"
    rejected = acme.admin.request(
        "POST", f"{base}/requests/{request['id']}/reject", json={"comment": "no eval"}
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["close_comment"] == "no eval"
    assert (
        acme.member.request("GET", f"{base}/models/classifier/versions/v0").json()["stage"] == "Development"
    )
    again = acme.member.request("POST", f"{base}/requests", json=ask).json()
    assert again["id"] != request["id"]  # a closed request does not block asking again
    cancelled = acme.member.request("POST", f"{base}/requests/{again['id']}/cancel", json={})
    assert cancelled.json()["status"] == "cancelled"
    own = acme.admin.request("POST", f"{base}/requests", json={**ask, "alias": None}).json()
    refused = acme.admin.request("POST", f"{base}/requests/{own['id']}/approve", json={})
    assert refused.status_code == 403 and "allow_self_approval" in refused.json()["error"]["message"]
    settings = {"settings": {"allow_self_approval": True}}
    assert acme.admin.request("PATCH", base, json=settings).status_code == 200
    assert acme.admin.request("POST", f"{base}/requests/{own['id']}/approve", json={}).status_code == 200
    listed = acme.member.request("GET", f"{base}/requests", params={"status": "rejected"}).json()["requests"]
    assert [r["id"] for r in listed] == [request["id"]]


def test_single_production_archives_the_displaced_version_and_production_cannot_be_deleted(
    acme: Acme,
) -> None:
    linked(acme, payload=b"a")
    linked(acme, payload=b"b")
    base = f"/registries/{acme.registry}/models/classifier"
    for label in ("v0", "v1"):
        moved = acme.admin.request("POST", f"{base}/versions/{label}/stage", json={"stage": "Production"})
        assert moved.status_code == 200, moved.text
    model = acme.admin.request("GET", base).json()
    assert model["stages"] == {"Production": ["v1"]}
    assert acme.admin.request("GET", f"{base}/versions/v0").json()["stage"] == "Archived"
    deleting = acme.admin.request("DELETE", f"{base}/versions/v1")
    assert deleting.status_code == 409 and "Production" in deleting.json()["error"]["message"]
    unknown = acme.admin.request("POST", f"{base}/versions/v0/stage", json={"stage": "Prod"})
    assert unknown.status_code == 400
    assert "Development, Staging, Production, Archived" in unknown.json()["error"]["message"]
    assert acme.admin.request("DELETE", f"{base}/versions/v0").status_code == 204
    assert [v["version"] for v in acme.admin.request("GET", f"{base}/versions").json()["versions"]] == ["v1"]


def test_aliases_free_and_protected(acme: Acme) -> None:
    linked(acme)
    base = f"/registries/{acme.registry}/models/classifier/versions/v0"
    free = acme.member.request("POST", f"{base}/aliases", json={"add": ["champion"]})
    assert free.status_code == 200 and free.json()["aliases"] == ["latest", "champion"]
    protected = acme.member.request("POST", f"{base}/aliases", json={"add": ["production"]})
    assert protected.status_code == 403 and "protected" in protected.json()["error"]["message"]
    ask = {"model": "classifier", "version": "v0", "alias": "production"}
    request = acme.member.request("POST", f"/registries/{acme.registry}/requests", json=ask).json()
    assert (
        acme.admin.request(
            "POST", f"/registries/{acme.registry}/requests/{request['id']}/approve", json={}
        ).status_code
        == 200
    )
    resolved = acme.viewer.request(
        "GET", f"/registries/{acme.registry}/models/classifier/versions/production"
    )
    assert resolved.json()["aliases"] == ["latest", "champion", "production"]


def test_links_files_and_the_link_keeping_a_deleted_artifact_alive(acme: Acme) -> None:
    version = linked(acme, payload=b"the weights")
    base = f"/registries/{acme.registry}/models/classifier/versions/v0"
    run = acme.member.run(acme.project)
    assert (
        acme.member.request(
            "POST", f"{base}/evaluations", json={"run_id": run, "table": "eval/preds"}
        ).status_code
        == 200
    )
    deployed = acme.member.request(
        "POST", f"{base}/deployments", json={"target": "sagemaker:eu", "url": "https://x.example/ep"}
    )
    assert deployed.status_code == 201
    bad_url = acme.member.request(
        "POST", f"{base}/deployments", json={"target": "t", "url": "javascript:alert(1)"}
    )
    assert bad_url.status_code == 400 and bad_url.json()["error"]["field"] == "url"
    links = acme.viewer.request("GET", f"{base}/links").json()
    assert [e["run_id"] for e in links["evaluations"]] == [run]
    assert [d["target"] for d in links["deployments"]] == ["sagemaker:eu"]
    # The viewer downloads through the registry; a deny of registry:download on the model stops URLs.
    page = acme.viewer.request("GET", f"{base}/files", params={"urls": True}).json()
    weights = next(e for e in page["entries"] if e["path"] == "model.bin")
    assert httpx.get(weights["url"]).content == b"the weights"
    deny = {
        "kind": "registered_model",
        "resource_id": "classifier",
        "principal": f"user:{acme.viewer.username}",
        "permissions": ["registry:download"],
        "effect": "deny",
    }
    assert acme.admin.request("PUT", f"/registries/{acme.registry}/grants", json=deny).status_code == 200
    assert acme.viewer.request("GET", f"{base}/files", params={"urls": True}).status_code == 403
    assert acme.viewer.request("GET", f"{base}/files").status_code == 200
    # Soft-deleting the artifact version and collecting garbage keeps the linked bytes.
    project_base = f"/projects/{acme.project}/artifacts/{version['source']['name']}"
    assert acme.admin.request("DELETE", f"{project_base}/versions/v0").status_code == 204
    acme.admin.request("POST", f"/projects/{acme.project}/artifacts/gc")
    kept = acme.member.request("GET", f"{base}").json()
    assert kept["source"]["state"] == "deleted"
    page = acme.member.request("GET", f"{base}/files", params={"urls": True}).json()
    weights = next(e for e in page["entries"] if e["path"] == "model.bin")
    assert httpx.get(weights["url"]).content == b"the weights"


def test_outsiders_see_nothing_and_bad_input_names_the_field(acme: Acme, module_server: LocalServer) -> None:
    from tests.functions.query.lake_client import register

    outsider = register(module_server)
    assert outsider.request("GET", f"/registries/{acme.registry}").status_code == 404
    assert outsider.request("GET", "/registries").json()["registries"] == []
    bad = acme.admin.request("POST", "/registries", json={"entity": acme.org, "name": "Bad Name"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "name"
    bad_stage = acme.admin.request(
        "PATCH", f"/registries/{acme.registry}", json={"settings": {"protected_stages": ["Prod"]}}
    )
    assert bad_stage.status_code == 400 and bad_stage.json()["error"]["field"] == "settings.protected_stages"
    both = acme.member.request(
        "POST",
        f"/registries/{acme.registry}/requests",
        json={"model": "m", "version": "v0", "stage": "Staging", "alias": "x"},
    )
    assert both.status_code in (400, 404)


def test_a_version_links_its_training_run_and_the_datasets_that_run_used(acme: Acme) -> None:
    run = acme.member.run(acme.project)
    acme.model_artifact("images", b"pixels", type="dataset")
    used = acme.member.request("POST", f"/runs/{run}/artifacts/used", json={"artifact": "images:v0"})
    assert used.status_code == 200, used.text
    version = acme.model_artifact("trained", b"weights", run_id=run)
    assert acme.link(acme.member, "classifier", f"{version['name']}:v0").status_code == 201
    links = acme.viewer.request(
        "GET", f"/registries/{acme.registry}/models/classifier/versions/v0/links"
    ).json()
    assert (links["training_run"], links["training_run_project"]) == (run, acme.project)
    assert [(d["name"], d["version"], d["type"]) for d in links["datasets"]] == [("images", "v0", "dataset")]


def test_a_registry_grant_shows_in_the_callers_permissions(acme: Acme) -> None:
    # Registry.permissions used the entity's roles alone, so a reviewer made by a grant saw no approve.
    grant = {
        "kind": "registry",
        "principal": f"user:{acme.viewer.username}",
        "permissions": ["registry:approve"],
    }
    assert acme.admin.request("PUT", f"/registries/{acme.registry}/grants", json=grant).status_code == 200
    shown = acme.viewer.request("GET", f"/registries/{acme.registry}").json()["permissions"]
    assert "registry:approve" in shown
    listed = acme.viewer.request("GET", "/registries", params={"entity": acme.org}).json()["registries"]
    assert "registry:approve" in listed[0]["permissions"]
