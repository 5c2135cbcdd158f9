"""A registry scenario on a real local server: organization acme with an admin (the reviewer), a member
(the requester) and a viewer, a project holding a model artifact and a dataset, and registry acme:model."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from tests.functions.artifacts.client import ArtifactClient
from tests.functions.query.lake_client import User, register


@dataclass
class Acme:
    server: LocalServer
    org: str
    admin: User
    member: User
    viewer: User
    project: str
    registry: str  # entity:name

    def client(self, user: User) -> ArtifactClient:
        return ArtifactClient(f"{self.server.url}/api", user.token, self.project)

    def model_artifact(
        self, name: str, payload: bytes, *, type: str = "model", **extra: Any
    ) -> dict[str, Any]:
        """A committed artifact version logged by the member; returns its version."""
        response = self.client(self.member).log(
            name, {"model.bin": payload, "README.md": b"# card"}, type=type, **extra
        )
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def link(self, user: User, model: str, artifact: str, **extra: Any) -> httpx.Response:
        body = {"project_id": self.project, "artifact": artifact, **extra}
        return user.request("POST", f"/registries/{self.registry}/models/{model}/versions", json=body)


def acme_scenario(server: LocalServer) -> Acme:
    admin, member, viewer = register(server), register(server), register(server)
    org = f"acme{uuid.uuid4().hex[:6]}"
    assert admin.request("POST", "/orgs", json={"name": org}).status_code == 201
    for user, role in ((member, "member"), (viewer, "viewer")):
        added = admin.request("POST", f"/orgs/{org}/members", json={"username": user.username, "role": role})
        assert added.status_code in (200, 201), added.text
    project = admin.project(entity=org)
    created = admin.request("POST", "/registries", json={"entity": org, "name": "model"})
    assert created.status_code == 201, created.text
    return Acme(server, org, admin, member, viewer, project, f"{org}:model")


@pytest.fixture
def acme(module_server: LocalServer) -> Acme:
    return acme_scenario(module_server)
