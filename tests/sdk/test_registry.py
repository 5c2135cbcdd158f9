# ruff: noqa: F811 - the fixtures imported from artifact_fixtures are redefined as test arguments
"""The registry from the SDK and the CLI against a real local server: links from runs (after the commit,
waited for by finish), link_model and use_model with lineage, the path rule of Api().artifact, the
public registry objects, downloads through the registry's routes, and the request → approve flow."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import wanllmdb
from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register
from tests.sdk.artifact_fixtures import OnlineRun, online_run, server_env  # noqa: F401
from wanllmdb.artifacts.http import ArtifactHttp

pytestmark = pytest.mark.slow


@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The JSON routes the artifact client asks, in order."""
    seen: list[str] = []
    api = ArtifactHttp.api

    def record(self: ArtifactHttp, method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(f"{method} {path}")
        return api(self, method, path, *args, **kwargs)

    monkeypatch.setattr(ArtifactHttp, "api", record)
    return seen


def _weights(root: Path, name: str = "model.pt", data: bytes = b"weights v1") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(data)
    return root / name


def test_a_run_links_after_the_commit_and_finish_waits_for_the_link(
    online_run: OnlineRun, tmp_path: Path, routes: list[str]
) -> None:
    run = online_run(project="train")
    art = wanllmdb.Artifact("resnet", "model", metadata={"arch": "resnet18"})
    art.add_file(str(_weights(tmp_path / "w")))
    linked = run.link_artifact(art, "model/classifier", aliases=["champion"])  # logs the draft first
    assert linked is not art and linked.is_draft()  # pending: the link waits for the commit
    run.finish()
    assert (linked.name, linked.stage, linked.source_name) == ("classifier:v0", "Development", "resnet:v0")
    assert set(linked.aliases) == {"latest", "champion"}
    assert linked.qualified_name == "admin/wandb-registry-model/classifier:v0"
    commit = routes.index("POST /projects/" + art._attrs["project_id"] + "/artifacts")  # type: ignore[index]
    link = routes.index("POST /registries/admin%3Amodel/models/classifier/versions")
    assert commit < link

    routes.clear()
    got = wanllmdb.Api().artifact("wandb-registry-model/classifier:champion")
    assert got.is_link and got.version == "v0" and got.type == "model" and got.digest == art.digest
    assert [f.path for f in got.files()] == ["model.pt"]
    root = Path(got.download(tmp_path / "dl"))
    assert (root / "model.pt").read_bytes() == b"weights v1"
    # Manifest and file URLs through the registry's routes (registry:download), never the project's.
    assert routes and all(r.split()[1].startswith("/registries/") for r in routes), routes


def test_every_target_form_of_wandb_links_into_one_registered_model(
    online_run: OnlineRun, tmp_path: Path
) -> None:
    run = online_run(project="forms")
    art = run.log_artifact(str(_weights(tmp_path / "w")), name="forms-net", type="model").wait()
    first = art.link("model/forms")
    assert first.version == "v0" and first._attrs["created"] is not False  # type: ignore[index]
    for target in (
        "wandb-registry-model/forms",
        "admin/wandb-registry-model/forms",
        "admin/model/forms",
        "model-registry/forms",
    ):
        again = art.link(target, aliases=["same"])
        assert (again.name, again.source_name) == ("forms:v0", "forms-net:v0"), target
    assert "same" in wanllmdb.Api().artifact("model/forms:latest").aliases
    run.finish()


def test_link_model_logs_the_files_and_use_model_downloads_them_with_lineage(
    online_run: OnlineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # use_model downloads under ./artifacts/, as wandb does
    weights = _weights(tmp_path / "w", "weights.bin", b"mnist weights")
    trainer = online_run(project="trainer")
    linked = trainer.link_model(weights, "mnist-clf", aliases=["best"])
    trainer.finish()
    source = f"run-{trainer.id}-weights.bin:v0"
    assert linked.name == "mnist-clf:v0" and linked.source_name == source and "best" in linked.aliases

    consumer = online_run(project="serving")
    path = Path(consumer.use_model("model/mnist-clf:best"))  # no project named `model`: the registry
    assert path.name == "weights.bin" and path.read_bytes() == b"mnist weights"  # one file: the file
    again = Path(consumer.use_model("wandb-registry-model/mnist-clf:v0"))
    assert again.read_bytes() == b"mnist weights"
    consumer.finish()
    used = wanllmdb.Api().run(f"admin/serving/{consumer.id}").used_artifacts()
    assert [a.name for a in used] == [source]  # the source artifact version is the run's input


def test_a_project_path_wins_and_the_registry_answers_only_for_a_missing_project(
    online_run: OnlineRun, tmp_path: Path
) -> None:
    run = online_run(project="zoo")
    art = run.log_artifact(str(_weights(tmp_path / "w")), name="lion", type="model").wait()
    art.link("zoo/lion")  # registry `zoo` of admin, created by this first link
    run.finish()
    api = wanllmdb.Api()
    assert not api.artifact("zoo/lion:v0").is_link  # project zoo exists: its artifact
    assert api.artifact("wandb-registry-zoo/lion:v0").is_link
    assert api.artifact("admin/wandb-registry-zoo/lion:latest").source_name == "lion:v0"
    with pytest.raises(wanllmdb.ApiError, match="404"):
        api.artifact("zoo/tiger:v0")  # project zoo exists, so no registry is tried
    with pytest.raises(wanllmdb.ApiError, match=r"no project admin/nowhere .* and the registry has no"):
        api.artifact("nowhere/lion:v0")
    assert api.artifact_exists("wandb-registry-zoo/lion:v0") and not api.artifact_exists("zoo/tiger:v0")


def test_the_public_api_lists_registries_models_stages_and_versions(
    online_run: OnlineRun, tmp_path: Path
) -> None:
    run = online_run(project="catalog")
    for i in range(2):
        art = wanllmdb.Artifact(f"vit-{i}", "model", description=f"epoch {i}")
        art.add_file(str(_weights(tmp_path / f"w{i}", data=f"vit {i}".encode())))
        run.link_artifact(art, "wandb-registry-vision/vit", aliases=["best"] if i else [])
    run.finish()
    api = wanllmdb.Api()
    assert "vision" in {r.name for r in api.registries()}
    registry = api.registry("wandb-registry-vision")
    assert (registry.name, registry.full_name, registry.entity) == (
        "vision",
        "wandb-registry-vision",
        "admin",
    )
    (vit,) = registry.collections()
    assert (vit.name, vit.version_count, vit.latest, vit.aliases["best"]) == ("vit", 2, "v1", "v1")
    versions = vit.versions()
    assert [v.version for v in versions] == ["v0", "v1"] and versions[1].source_name == "vit-1:v0"
    assert Path(versions[0].download(tmp_path / "v0"), "model.pt").read_bytes() == b"vit 0"
    assert registry.collection("vit").path == "admin/wandb-registry-vision/vit"
    first = versions[0]
    first.aliases.append("gold")
    first.save()  # through the registry's aliases route: the answer is a registered version again
    assert first.is_link and set(first.aliases) == {"gold"}
    assert registry.collection("vit").aliases == {"best": "v1", "gold": "v0"}


def test_a_failed_link_is_a_warning_and_never_stops_the_run(
    online_run: OnlineRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WANLLMDB_SILENT", "false")
    run = online_run(project="mistakes")
    data = wanllmdb.Artifact("rows", "dataset")
    data.add_file(str(_weights(tmp_path / "d", "rows.csv", b"a,b\n")))
    linked = run.link_artifact(data, "model/not-a-dataset")
    run.log({"loss": 1.0})
    run.finish()  # does not raise
    assert "was not linked to model/not-a-dataset" in capsys.readouterr().err
    with pytest.raises(wanllmdb.ApiError, match="force=true"):
        linked.wait()


# -- several users: an organization's registry ------------------------------------------------------
@dataclass
class Org:
    """Organization `name` with an admin (the reviewer), a member (the requester) and a viewer, its
    registry `model`, and project `project` where the member logged model artifact `clf` (v0)."""

    name: str
    admin: User
    member: User
    viewer: User
    project: str


@pytest.fixture
def org(module_server: LocalServer, server_env: Path, tmp_path: Path) -> Org:
    admin, member, viewer = (register(module_server) for _ in range(3))
    name = f"acme{uuid.uuid4().hex[:6]}"
    assert admin.request("POST", "/orgs", json={"name": name}).status_code == 201
    for user, role in ((member, "member"), (viewer, "viewer")):
        added = admin.request("POST", f"/orgs/{name}/members", json={"username": user.username, "role": role})
        assert added.status_code in (200, 201), added.text
    created = admin.request("POST", "/registries", json={"entity": name, "name": "model"})
    assert created.status_code == 201, created.text
    art = wanllmdb.Artifact("clf", "model")
    art.add_file(str(_weights(tmp_path / "org", "model.bin", b"weights")))
    art.save(project="vision", settings={"api_key": member.token, "entity": name})
    return Org(name, admin, member, viewer, "vision")


def _cli(key: str, *args: str) -> Result:
    from wanllmdb.cli import main

    return CliRunner().invoke(main, ["registry", *args], env={"WANLLMDB_API_KEY": key})


def test_a_member_who_may_not_create_the_registry_is_told_who_can(org: Org) -> None:
    art = wanllmdb.Api({"api_key": org.member.token}).artifact(f"{org.name}/vision/clf:v0")
    with pytest.raises(
        wanllmdb.ApiError, match=f"registry {org.name}/vision does not exist and you may not create"
    ):
        art.link(f"{org.name}/vision/clf")
    assert art.link(f"{org.name}/model/clf").version == "v0"  # the registry that exists


def test_the_cli_links_lists_requests_approves_rejects_and_deploys(org: Org, tmp_path: Path) -> None:
    member, admin, viewer = org.member.token, org.admin.token, org.viewer.token
    model, registry = f"{org.name}/model/classifier", f"{org.name}/model"
    linked = _cli(member, "link", f"{org.name}/vision/clf:v0", model, "--alias", "candidate")
    assert linked.exit_code == 0 and f"linked clf:v0 → {model}:v0" in linked.output, linked.output
    assert registry in _cli(member, "ls", "--entity", org.name).output
    listed = _cli(member, "ls", registry)
    assert "classifier" in listed.output and "Development only" in listed.output, listed.output

    direct = _cli(member, "promote", f"{model}:v0", "--stage", "production")
    assert (
        direct.exit_code == 1 and f"wanllmdb registry request {model}:v0 --stage Production" in direct.output
    )

    asked = _cli(member, "request", f"{model}:candidate", "--stage", "Production", "--comment", "beats v0")
    assert asked.exit_code == 0, asked.output
    request_id = re.search(r"request (\S+) pending: classifier:v0 → stage Production", asked.output)
    assert request_id is not None, asked.output
    assert request_id[1] in _cli(admin, "requests").output  # the reviewer's inbox
    approved = _cli(admin, "approve", request_id[1], "--registry", registry, "--comment", "ok")
    assert approved.exit_code == 0 and "approved" in approved.output, approved.output
    twice = _cli(admin, "approve", request_id[1], "--registry", registry)
    assert twice.exit_code == 1 and "approved" in twice.output  # 409: closed already, said in words
    assert "Production: v0" in _cli(member, "ls", registry).output

    alias = _cli(member, "request", f"{model}:v0", "--alias", "production", "--comment", "tag it")
    alias_id = re.search(r"request (\S+) pending", alias.output)
    assert alias_id is not None, alias.output
    rejected = _cli(admin, "reject", alias_id[1], "--registry", registry, "--comment", "not yet")
    assert rejected.exit_code == 0 and "rejected" in rejected.output, rejected.output
    closed = _cli(member, "requests", "--registry", registry, "--status", "rejected")
    assert alias_id[1] in closed.output and "tag it" in closed.output, closed.output

    deployed = _cli(
        member, "deploy", f"{model}:Production", "--target", "k8s:prod", "--url", "https://x.test/m"
    )
    assert deployed.exit_code == 0 and "deployed to k8s:prod" in deployed.output, deployed.output
    # A viewer downloads a registered version (registry:download), named by its stage.
    got = wanllmdb.Api({"api_key": viewer}).artifact(f"{org.name}/wandb-registry-model/classifier:Production")
    assert Path(got.download(tmp_path / "v"), "model.bin").read_bytes() == b"weights"
