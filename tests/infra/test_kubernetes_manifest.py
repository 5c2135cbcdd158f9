"""deploy/kubernetes/wanllmdb.yaml (docs/kubernetes.md) stays in step with the settings and the image."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from wanllmdb_functions.core.settings import ENV_PREFIX, Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = REPO_ROOT / "deploy" / "kubernetes" / "wanllmdb.yaml"
DOCKERFILE = REPO_ROOT / "deploy" / "docker" / "Dockerfile"


@pytest.fixture(scope="module")
def documents() -> dict[str, dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(MANIFEST.read_text(encoding="utf-8")) if d]
    by_kind = {d["kind"]: d for d in docs}
    assert set(by_kind) == {"Secret", "Deployment", "Service"}
    return by_kind


def _container(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    containers = documents["Deployment"]["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: dict[str, Any] = containers[0]
    return container


def _unknown_settings(names: list[str]) -> list[str]:
    fields = set(Settings.model_fields)
    return [n for n in names if n.startswith(ENV_PREFIX) and n[len(ENV_PREFIX) :].lower() not in fields]


def test_every_wanllmdb_variable_is_a_setting(documents: dict[str, dict[str, Any]]) -> None:
    env_names = [e["name"] for e in _container(documents)["env"]]
    secret_names = list(documents["Secret"]["stringData"])
    assert {"WANLLMDB_ITEM_STORE_URL", "WANLLMDB_BLOB_URL", "WANLLMDB_BLOB_SIGNING_SECRET"} <= set(
        secret_names
    )
    assert _unknown_settings(env_names + secret_names) == []


def test_the_check_catches_a_misspelt_variable() -> None:
    assert _unknown_settings(["WANLLMDB_BLOB_URL", "WANLLMDB_BLOBS_URL", "AWS_REGION"]) == [
        "WANLLMDB_BLOBS_URL"
    ]


def test_secret_references_resolve(documents: dict[str, dict[str, Any]]) -> None:
    secret = documents["Secret"]
    for entry in _container(documents)["env"]:
        ref = entry.get("valueFrom", {}).get("secretKeyRef")
        if ref is not None:
            assert ref["name"] == secret["metadata"]["name"], entry
            assert ref["key"] in secret["stringData"], entry


def test_replicas_probes_and_port_match_the_server(documents: dict[str, dict[str, Any]]) -> None:
    deployment = documents["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    container = _container(documents)
    port = Settings.model_fields["port"].default
    assert [p["containerPort"] for p in container["ports"]] == [port]
    assert re.search(rf"^EXPOSE {port}$", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/api/health"
    assert "requests" in container["resources"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert documents["Service"]["spec"]["selector"] == selector
    assert deployment["spec"]["template"]["metadata"]["labels"] == selector


def test_pod_runs_as_the_image_user(documents: dict[str, dict[str, Any]]) -> None:
    pod = documents["Deployment"]["spec"]["template"]["spec"]
    user = re.search(r"^USER (\d+):(\d+)$", DOCKERFILE.read_text(encoding="utf-8"), re.MULTILINE)
    assert user is not None
    assert pod["securityContext"]["runAsUser"] == int(user.group(1))
    # No claim: items and the lake live in Postgres and the object store.
    assert all("persistentVolumeClaim" not in v for v in pod["volumes"])
