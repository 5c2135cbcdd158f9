"""schemas/openapi.json is what the local app serves, and its error responses are the real error body."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from tools import openapi_snapshot
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.local_server import build_local_app


def test_snapshot_matches_the_code(capsys: object) -> None:
    # On failure: run `make openapi` and commit schemas/openapi.json.
    assert openapi_snapshot.main(["--check"]) == 0


def test_served_document_is_the_snapshot(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", web_dist=tmp_path / "no-web")
    app = build_local_app(settings, owns_process=False)
    served = TestClient(app).get("/api/openapi.json")
    assert served.status_code == 200
    assert openapi_snapshot.render(served.json()) == openapi_snapshot.SNAPSHOT_PATH.read_text()


def test_check_fails_on_drift(tmp_path: Path) -> None:
    stale = tmp_path / "openapi.json"
    stale.write_text(json.dumps({"openapi": "3.1.0", "paths": {}}))
    assert openapi_snapshot.main(["--check", "--path", str(stale)]) == 1


def test_every_error_response_is_the_common_error_body_and_a_real_error_has_that_shape(
    tmp_path: Path,
) -> None:
    spec = json.loads(openapi_snapshot.SNAPSHOT_PATH.read_text())
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "field"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (
                        f"{method} {path} {status}"
                    )
    settings = Settings(data_dir=tmp_path / "data", web_dist=tmp_path / "no-web")
    app = build_local_app(settings, owns_process=False)
    real = TestClient(app).post("/api/auth/register", json={"username": "UPPER", "password": "x"}).json()
    assert set(real) == {"error"} and set(real["error"]) == set(detail["properties"])
    assert real["error"]["field"] == "username"
