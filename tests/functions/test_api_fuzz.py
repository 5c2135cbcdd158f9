"""schemathesis fuzzes the served OpenAPI document against the fully mounted local app.

Authenticated as a tenant admin, so generated requests pass authentication and authorization and
reach the validation and service code behind every route. Bounded: a few examples per operation.
The one promise checked everywhere: never a 5xx, and every error uses the common error body.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.local_server import build_local_app
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService

from .actors import build_tenant

# The schema is loaded at collection time (schemathesis parametrizes from it), so the app is too.
_TMP = Path(tempfile.mkdtemp(prefix="wanllmdb-fuzz-"))
atexit.register(shutil.rmtree, _TMP, ignore_errors=True)
_DATA = _TMP / "data"
APP = build_local_app(Settings(data_dir=_DATA, web_dist=_DATA / "no-web"), owns_process=False)


def _admin_key() -> str:
    items = APP.state.wl.storage.items
    tenant = build_tenant(items)
    ProjectService(items).create(tenant.caller("owner"), ProjectCreate(name="fuzz"))
    root = UserService(items).require_by_name("root")
    return CredentialService(items, session_ttl_s=3600).create_key(root["id"], "fuzz").key


AUTH = {"Authorization": f"Bearer {_admin_key()}"}
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


@pytest.mark.slow
@schema.parametrize()
@settings(
    # `make test` keeps it short; WANLLMDB_FUZZ_EXAMPLES=200 pytest ... digs deeper by hand.
    max_examples=int(os.environ.get("WANLLMDB_FUZZ_EXAMPLES", "8")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_route_answers_5xx_and_errors_use_the_common_body(case: schemathesis.Case) -> None:
    response = case.call(headers=AUTH)
    assert response.status_code < 500, (
        f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:300]}"
    )
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "field"}, response.text[
            :300
        ]
