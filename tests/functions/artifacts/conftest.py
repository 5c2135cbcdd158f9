"""A user of the module's real local server, and an artifact client in a fresh project of theirs."""

from __future__ import annotations

import pytest

from tests.conftest import LocalServer
from tests.functions.artifacts.client import ArtifactClient
from tests.functions.query.lake_client import User, register


@pytest.fixture(scope="module")
def owner(module_server: LocalServer) -> User:
    return register(module_server)


@pytest.fixture
def client(owner: User, module_server: LocalServer) -> ArtifactClient:
    return ArtifactClient(f"{module_server.url}/api", owner.token, owner.project())
