"""The local server on the aws backend (DynamoDB + S3 served by moto), over real HTTP."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import AwsStack

pytestmark = pytest.mark.slow


def test_server_reports_aws_backend(aws_stack: AwsStack) -> None:
    health = httpx.get(f"{aws_stack.server.url}/api/health").json()
    assert health["backend"] == "aws"
