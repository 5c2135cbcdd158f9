"""Mangum handlers answer real API Gateway HTTP API v2 events, on the aws backend against moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

EVENTS = Path(__file__).parent / "events"


class LambdaContext:
    function_name = "wanllmdb-identity"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:wanllmdb-identity"
    aws_request_id = "req-1"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WANLLMDB_BACKEND", "aws")
    monkeypatch.setenv("WANLLMDB_TABLE", "wl-handler-test")
    monkeypatch.setenv("WANLLMDB_BUCKET", "wl-handler-lake")
    with mock_aws():
        yield


def invoke(handler: Any, event_name: str) -> dict[str, Any]:
    event = json.loads((EVENTS / event_name).read_text())
    response: dict[str, Any] = handler(event, LambdaContext())
    return response


def test_identity_handler_answers_health_event(aws_env: None) -> None:
    from wanllmdb_functions.handlers import identity

    response = invoke(identity.handler, "apigw_v2_get_health.json")
    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"status": "ok", "backend": "aws", "version": "0.1.0"}


def test_unknown_route_event_gets_error_body(aws_env: None) -> None:
    from wanllmdb_functions.handlers import identity

    event = json.loads((EVENTS / "apigw_v2_get_health.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/nope"
    response = identity.handler(event, LambdaContext())
    assert response["statusCode"] == 404
    assert json.loads(response["body"])["error"]["code"] == "not_found"
