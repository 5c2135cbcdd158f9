"""Identity service tests run on both backends: local (SQLite) and aws (moto DynamoDB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.ports import ItemStore

from ..actors import Tenant, build_tenant
from ..backends import BACKENDS, backend_state


@pytest.fixture(params=BACKENDS)
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppState]:
    with backend_state(request.param, tmp_path) as app_state:
        yield app_state


@pytest.fixture
def items(state: AppState) -> ItemStore:
    return state.storage.items


@pytest.fixture
def tenant(items: ItemStore) -> Tenant:
    return build_tenant(items)
