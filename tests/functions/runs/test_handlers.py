"""The runs and reaper Lambda handlers with real event payloads (HTTP API v2, EventBridge) on moto."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.handlers import reaper, runs
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.runs.keys import run_key

from .conftest import World, build_world

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load_event(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


class LambdaContext:
    function_name = "wanllmdb-runs"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:wanllmdb-runs"
    aws_request_id = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[World, str, Settings]]:
    env = {"WANLLMDB_BACKEND": "aws", "WANLLMDB_TABLE": "wl-lambda", "WANLLMDB_BUCKET": "wl-lambda-lake"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        items = DynamoItemStore("wl-lambda", region="us-east-1")
        items.create_table()
        blobs = S3BlobStore("wl-lambda-lake", region="us-east-1")
        blobs.create_bucket()
        settings = Settings()
        world = build_world(items, blobs, settings)
        key = CredentialService(items, session_ttl_s=60).create_key(world.owner.user_id, "lambda").key
        # Fresh per test: the handlers build their state lazily from the environment set above.
        runs.app.state.wl.reset()
        reaper._state.reset()
        yield world, key, settings


def api_event(
    project_id: str, key: str, *, method: str = "POST", path: str | None = None, body: Any = None
) -> Any:
    event = copy.deepcopy(load_event("runs_create_run.json"))
    raw_path = path or event["rawPath"].replace("PROJECT_ID", project_id)
    event["rawPath"] = event["requestContext"]["http"]["path"] = raw_path
    event["requestContext"]["http"]["method"] = method
    event["headers"]["authorization"] = f"Bearer {key}"
    if body is not None:
        event["body"] = json.dumps(body)
    if method == "GET":
        event["body"] = None
    return event


def decoded(response: dict[str, Any]) -> Any:
    body = response["body"]
    return json.loads(base64.b64decode(body) if response.get("isBase64Encoded") else body)


def test_runs_handler_creates_and_reads_a_run(aws: tuple[World, str, Settings]) -> None:
    world, key, _ = aws
    created = runs.handler(api_event(world.project_id, key), LambdaContext())
    assert created["statusCode"] == 201, created
    assert decoded(created)["config"] == {"lr": 0.1}
    again = runs.handler(api_event(world.project_id, key), LambdaContext())
    assert again["statusCode"] == 200
    got = runs.handler(
        api_event(world.project_id, key, method="GET", path="/api/runs/lambda-run"), LambdaContext()
    )
    assert decoded(got)["name"] == "from-lambda"


def test_runs_handler_answers_bad_input_and_no_token_with_the_error_body(
    aws: tuple[World, str, Settings],
) -> None:
    world, key, _ = aws
    bad = runs.handler(api_event(world.project_id, key, body={"id": "has space"}), LambdaContext())
    assert bad["statusCode"] == 422 and decoded(bad)["error"]["field"] == "id"
    anonymous = api_event(world.project_id, key)
    del anonymous["headers"]["authorization"]
    assert runs.handler(anonymous, LambdaContext())["statusCode"] == 401


def test_reaper_handler_crashes_silent_runs(aws: tuple[World, str, Settings]) -> None:
    world, key, settings = aws
    assert runs.handler(api_event(world.project_id, key), LambdaContext())["statusCode"] == 201
    old = (datetime.now(UTC) - timedelta(seconds=settings.heartbeat_timeout_s + 60)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )
    world.items.update(
        *run_key(world.project_id, "lambda-run"),
        set_attrs={"heartbeat_at": old, "gsi1sk": f"{old}#lambda-run"},
    )
    result = reaper.handler(load_event("reaper_scheduled.json"), LambdaContext())
    assert result == {
        "crashed": ["lambda-run"],
        "count": 1,
        "sweeps_settled": [],
        "purged": [],
        "expired_artifacts": [],
    }
    assert world.items.get(*run_key(world.project_id, "lambda-run"))["state"] == "crashed"  # type: ignore[index]
    assert reaper.handler(load_event("reaper_scheduled.json"), LambdaContext())["count"] == 0


def test_reaper_refuses_anything_but_a_scheduled_event(aws: tuple[World, str, Settings]) -> None:
    with pytest.raises(InvalidInput):
        reaper.handler(load_event("runs_create_run.json"), LambdaContext())
