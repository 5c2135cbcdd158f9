"""The aws backend end to end: a ThreadedMotoServer plays AWS (DynamoDB, S3, SQS), and a real
`wanllmdb server` process runs with WANLLMDB_BACKEND=aws against it, so presigned S3 URLs are
real HTTP to moto and finished runs go to a real (moto) SQS compaction queue.

Everything is module-scoped: one moto server, one table, bucket and queue, one server process and
one SDK-logged run per test module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from tests.conftest import (
    REPO,
    LocalServer,
    aws_backend_env,
    created_aws_stores,
    moto_server,
    start_local_server,
)
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService

TABLE = "wanllmdb-e2e"
BUCKET = "wanllmdb-e2e-lake"
QUEUE = "wanllmdb-e2e-compaction"
REGION = "us-east-1"
TRAIN_SCRIPT = Path(__file__).parent / "train_aws.py"


@dataclass
class Moto:
    endpoint: str
    queue_url: str
    env: dict[str, str]  # the WANLLMDB_* settings of a process on this stack
    api_key: str  # a user's key, created straight in the table as `wanllmdb admin` would

    def sqs(self) -> Any:
        return boto3.client("sqs", region_name=REGION, endpoint_url=self.endpoint)

    def s3(self) -> Any:
        return boto3.client("s3", region_name=REGION, endpoint_url=self.endpoint)

    def receive(
        self, run_id: str, *, expect: int = 1, timeout_s: float = 10.0, kind: str = "run_finished"
    ) -> list[dict[str, Any]]:
        """Take this run's `kind` messages off the queue. Its other notices (the run-index
        `run_changed` ones) are taken off and dropped; other runs' are left for their own tests."""
        sqs, found = self.sqs(), list[dict[str, Any]]()
        deadline = time.monotonic() + timeout_s
        while len(found) < expect and time.monotonic() < deadline:
            batch = sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=0
            ).get("Messages", [])
            for message in batch:
                body = json.loads(message["Body"])
                if body.get("run_id") == run_id:
                    sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
                    if body.get("type") == kind:
                        found.append(message)
        return found


@dataclass
class AwsStack:
    endpoint: str
    server: LocalServer
    env: dict[str, str]


@dataclass
class LoggedRun:
    """A run logged by the real SDK in a subprocess against the aws-backed server."""

    run_id: str
    project_id: str
    steps: int
    saved_file: bytes
    output: str
    chunks: dict[str, list[str]]  # stream -> chunk keys in moto S3 right after the run, before compaction


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    with moto_server() as endpoint:
        items, _ = created_aws_stores(endpoint, table=TABLE, bucket=BUCKET, region=REGION)
        sqs = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
        queue_url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        user = UserService(items).create("e2e", password=None)
        key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "e2e").key
        env = aws_backend_env(
            endpoint,
            table=TABLE,
            bucket=BUCKET,
            region=REGION,
            WANLLMDB_SQS_ENDPOINT_URL=endpoint,
            WANLLMDB_COMPACTION_QUEUE_URL=queue_url,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
        )
        yield Moto(endpoint, queue_url, env, key)


@pytest.fixture(scope="module")
def moto_endpoint(moto: Moto) -> str:
    return moto.endpoint


@pytest.fixture(scope="module")
def aws_stack(moto: Moto, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsStack]:
    data_dir: Path = tmp_path_factory.mktemp("aws") / "data"
    server = start_local_server(data_dir, env=moto.env)
    try:
        yield AwsStack(moto.endpoint, server, moto.env)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def logged_run(moto: Moto, aws_stack: AwsStack, tmp_path_factory: pytest.TempPathFactory) -> LoggedRun:
    """Run tests/e2e/train_aws.py (plain `import wanllmdb`) as its own process against the server."""
    workdir = tmp_path_factory.mktemp("train")
    run_id, steps = "e2eaws1", 300
    saved = os.urandom(4096)
    (workdir / "ckpt.bin").write_bytes(saved)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("WANLLMDB_", "AWS_"))}
    env.update(
        WANLLMDB_BASE_URL=aws_stack.server.url,
        WANLLMDB_API_KEY=moto.api_key,
        WANLLMDB_DIR=str(workdir),
        PYTHONPATH=os.pathsep.join([str(REPO / "sdk"), env.get("PYTHONPATH", "")]),
        # The training process has no AWS credentials at all: it only ever uses presigned URLs.
        AWS_ACCESS_KEY_ID="",
        AWS_SECRET_ACCESS_KEY="",
    )
    proc = subprocess.run(
        [sys.executable, str(TRAIN_SCRIPT), run_id, str(steps)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {
        "run_id": run_id,
        "synced": True,
        "state": "finished",
    }, output
    run = httpx.get(
        f"{aws_stack.server.url}/api/runs/{run_id}", headers={"Authorization": f"Bearer {moto.api_key}"}
    )
    assert run.status_code == 200, run.text
    project_id = run.json()["project_id"]
    chunks: dict[str, list[str]] = {}
    for stream in ("history", "system"):
        prefix = f"metrics/project={project_id}/run={run_id}/stream={stream}/"
        listing = moto.s3().list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
        chunks[stream] = sorted(o["Key"] for o in listing)
    return LoggedRun(run_id, project_id, steps, saved, output, chunks)


@pytest.fixture(scope="module")
def lambda_env(moto: Moto) -> Iterator[dict[str, str]]:
    """This process plays the Lambda functions: WANLLMDB_* point at the same moto stack.

    Handlers keep their state per container (module); each gets a fresh one here, and again on the
    way out so that no later test inherits settings naming this (then stopped) moto server.
    """
    from wanllmdb_functions.handlers import compaction, identity, query, reaper, runs

    def fresh() -> None:
        for module in (identity, runs, query):
            module.app.state.wl.reset()
        compaction._state.reset()
        reaper._state.reset()

    env = {**moto.env, "WANLLMDB_COMPACTION_EVERY_CHUNKS": "2"}
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        fresh()
        try:
            yield env
        finally:
            fresh()
