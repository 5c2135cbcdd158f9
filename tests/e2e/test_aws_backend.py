"""The local server on the aws backend (DynamoDB + S3 + SQS served by moto), over real HTTP, with a
run logged by the real SDK in its own process."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import AwsStack, LoggedRun, Moto

pytestmark = pytest.mark.slow


def test_server_reports_aws_backend(aws_stack: AwsStack) -> None:
    health = httpx.get(f"{aws_stack.server.url}/api/health").json()
    assert health["backend"] == "aws"


def test_probe(moto: Moto, aws_stack: AwsStack, logged_run: LoggedRun) -> None:
    h = {"Authorization": f"Bearer {moto.api_key}"}
    url = aws_stack.server.url
    print(logged_run.output)
    print(httpx.get(f"{url}/api/runs/{logged_run.run_id}", headers=h).json())
    r = httpx.get(f"{url}/api/runs/{logged_run.run_id}/metrics", params={"keys": "loss,train.acc"}, headers=h)
    print(r.status_code, str(r.json())[:600])
    print(httpx.get(f"{url}/api/runs/{logged_run.run_id}/metric-keys", params={"stream": "system"}, headers=h).json())
    print(httpx.get(f"{url}/api/runs/{logged_run.run_id}/files", headers=h).json())
    keys = [o["Key"] for o in moto.s3().list_objects_v2(Bucket="wanllmdb-e2e-lake").get("Contents", [])]
    print("\n".join(keys))
    print(moto.receive(logged_run.run_id))
    print(aws_stack.server.log())
