"""The registry's SDK side without a server: paths as wandb spells them, a registered version as an
Artifact, the CLI's flag errors, and links in runs that have no server (offline, disabled)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import wanllmdb
from tests.sdk.conftest import OfflineRun
from wanllmdb.errors import UsageError
from wanllmdb.registry.linked import RegistryVersion, artifact_attrs, linked_artifact
from wanllmdb.registry.paths import RegistryPath, parse_registry, parse_registry_path
from wanllmdb.registry.resolve import names_a_registry


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("model/classifier", RegistryPath("model", "classifier")),
        ("wandb-registry-model/classifier", RegistryPath("model", "classifier")),
        ("acme/wandb-registry-model/classifier", RegistryPath("model", "classifier", "acme")),
        ("acme/vision/classifier", RegistryPath("vision", "classifier", "acme")),
        ("model-registry/classifier", RegistryPath("model", "classifier")),
        ("acme/model-registry/classifier", RegistryPath("model", "classifier", "acme")),
    ],
)
def test_every_target_form_of_wandb_names_one_registered_model(target: str, expected: RegistryPath) -> None:
    assert parse_registry_path(target, label=False) == expected


def test_a_version_path_takes_a_label_and_defaults_to_latest() -> None:
    assert parse_registry_path("model/classifier:production", label=True).label == "production"
    assert parse_registry_path("wandb-registry-model/classifier:v3", label=True).label == "v3"
    assert parse_registry_path("acme/model/classifier", label=True).label == "latest"
    assert str(parse_registry_path("acme/model/c:v1", label=True)) == "acme/model/c:v1"
    assert parse_registry_path("model/c", label=True).ref("alice") == "alice:model"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("classifier", "registry path 'classifier': use 'registry/model'"),
        ("a/b/c/d", "use 'registry/model'"),
        ("model/classifier:v1", "names a version"),
        ("model/", "use 'registry/model'"),
        ("model/clas sifier", "holds ' '"),
        ("wandb-registry-/classifier", "registry name ''"),
    ],
)
def test_a_bad_target_is_refused_naming_the_forms(target: str, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        parse_registry_path(target, label=False)


def test_only_the_prefix_or_the_legacy_name_says_registry_by_itself() -> None:
    assert names_a_registry("wandb-registry-model/c:v1")
    assert names_a_registry("acme/wandb-registry-model/c:v1")
    assert names_a_registry("model-registry/c:latest")
    assert not names_a_registry("model/c:production")  # project first, then the registry
    assert not names_a_registry("c:v1")
    assert parse_registry("acme/wandb-registry-vision") == ("acme", "vision")
    assert parse_registry("model") == (None, "model")


def _registered(**extra: Any) -> dict[str, Any]:
    source = {
        "id": "p1:resnet:v4",
        "project_id": "p1",
        "name": "resnet",
        "version": "v4",
        "type": "model",
        "digest": "abc",
        "file_count": 2,
        "size": 10,
        "state": "deleted",
        "metadata": {"arch": "resnet50", "lr": 0.1},
    }
    return {
        "registry_id": "r1",
        "model": "classifier",
        "version": "v1",
        "index": 1,
        "stage": "Production",
        "aliases": ["latest", "champion"],
        "metadata": {"lr": 0.2},
        "source": source,
        "training_run": "run7",
        "created_at": "2024-01-01T00:00:00Z",
        **extra,
    }


def test_a_registered_version_reads_as_an_artifact_of_its_source() -> None:
    attrs = artifact_attrs(_registered())
    assert (attrs["name"], attrs["version"], attrs["type"], attrs["digest"]) == (
        "classifier",
        "v1",
        "model",
        "abc",
    )
    assert attrs["metadata"] == {"arch": "resnet50", "lr": 0.2}  # its own metadata over the source's
    assert attrs["state"] == "committed"  # the link keeps a deleted source's files alive
    art = linked_artifact(None, _registered(), entity="acme", registry="model")  # type: ignore[arg-type]
    assert art.is_link and art.name == "classifier:v1" and art.stage == "Production"
    assert art.qualified_name == "acme/wandb-registry-model/classifier:v1"
    assert art.source_name == "resnet:v4" and art.aliases == ["latest", "champion"]
    assert art._version_source == RegistryVersion("r1", "classifier", "v1", "p1", "resnet", "v4")
    assert art._version_source.route == "/registries/r1/models/classifier/versions/v1"
    assert art._version_source.lineage_route == "/projects/p1/artifacts/resnet/versions/v4"


# -- the CLI's bad flags (refused before any request) --------------------------------------------------
def _cli(*args: str) -> Any:
    from wanllmdb.cli import main

    return CliRunner().invoke(main, ["registry", *args])


def test_promote_needs_exactly_one_of_stage_and_alias() -> None:
    neither = _cli("promote", "model/classifier:v1")
    assert neither.exit_code == 2 and "--stage STAGE" in neither.output and "--alias ALIAS" in neither.output
    both = _cli("promote", "model/classifier:v1", "--stage", "Staging", "--alias", "best")
    assert both.exit_code == 2 and "not both" in both.output


def test_an_unknown_stage_names_the_valid_ones_and_any_case_is_taken() -> None:
    bad = _cli("request", "model/classifier:v1", "--stage", "prod", "--comment", "c")
    assert bad.exit_code == 2, bad.output
    assert "unknown stage 'prod': use one of Development, Staging, Production, Archived" in bad.output
    assert "--stage" in bad.output


def test_a_path_without_its_registry_names_the_argument_and_an_example() -> None:
    bad = _cli("deploy", "classifier:v1", "--target", "k8s")
    assert bad.exit_code == 2 and "MODEL_PATH:LABEL" in bad.output and "model/classifier:v1" in bad.output


def test_reject_needs_a_comment_and_the_inbox_only_holds_pending_requests() -> None:
    missing = _cli("reject", "abc", "--registry", "model")
    assert missing.exit_code == 2 and "--comment" in missing.output
    lonely = _cli("requests", "--model", "classifier")
    assert lonely.exit_code == 2 and "--model needs --registry" in lonely.output
    closed = _cli("requests", "--status", "approved")
    assert closed.exit_code == 2 and "--registry" in closed.output
    typo = _cli("requests", "--status", "done")
    assert typo.exit_code == 2 and "'done' is not one of" in typo.output


# -- runs without a server ---------------------------------------------------------------------------
def test_a_disabled_run_links_nothing_and_an_offline_run_warns(
    offline_run: OfflineRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "model.pt").write_bytes(b"weights")
    run = offline_run()
    art = run.link_model(tmp_path / "model.pt", "classifier", aliases=["best"])
    assert art.is_draft() and art.type == "model" and art.name == f"run-{run.id}-model.pt"
    assert "an offline run cannot link" in capsys.readouterr().err
    with pytest.raises(UsageError, match="only the registered model's name"):
        run.link_model(tmp_path / "model.pt", "acme/model/classifier")
    run.finish()
    disabled = wanllmdb.init(mode="disabled")
    art = wanllmdb.Artifact("m", "model")
    assert disabled.link_artifact(art, "model/classifier") is art
    disabled.finish()
