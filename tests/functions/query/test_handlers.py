"""The query and compaction Lambda handlers on real event payloads, with DynamoDB and S3 served by moto.

Polars reads s3:// through its own HTTP client, so moto runs as a real server (ThreadedMotoServer)
instead of mock_aws, which only patches boto3.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import aws_backend_env, created_aws_stores, moto_server
from tests.lake_chunks import put_chunk
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.compaction.notices import SqsRunFinishedNotifier
from wanllmdb_functions.core.settings import load_settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.ports.events import RunFinishedHook
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.runs.models import RunCreate, RunPatch
from wanllmdb_functions.runs.service import RunService

pytestmark = pytest.mark.slow

EVENTS = Path(__file__).parents[1] / "events"
TABLE, BUCKET, REGION = "wl-query-handlers", "wl-query-handlers-lake", "us-east-1"


class LambdaContext:
    function_name = "wanllmdb-query"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:wanllmdb-query"
    aws_request_id = "req-q"


@dataclass
class Stack:
    blobs: S3BlobStore
    key: str
    project_id: str
    run_id: str


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with moto_server() as endpoint, pytest.MonkeyPatch.context() as mp:
        env = aws_backend_env(
            endpoint, table=TABLE, bucket=BUCKET, region=REGION, WANLLMDB_COMPACTION_EVERY_CHUNKS="2"
        )
        for name, value in env.items():
            mp.setenv(name, value)
        items, blobs = created_aws_stores(endpoint, table=TABLE, bucket=BUCKET, region=REGION)
        settings = load_settings()
        user = UserService(items).create("alice", password=None)
        key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "handler test").key
        caller = resolve_caller(items, key, session_ttl_s=3600)
        project, _ = ProjectService(items).create(caller, ProjectCreate(name="lambda"))
        run, _ = RunService(items, blobs, settings).create(caller, project.id, RunCreate(id="lam1"))
        yield Stack(blobs, key, project.id, run.id)


def _event(name: str, replace: dict[str, str]) -> dict[str, Any]:
    text = (EVENTS / name).read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    event: dict[str, Any] = json.loads(text)
    return event


def _fresh(module: Any) -> None:
    # Handlers build their state once per container; give this module's settings a fresh one.
    state = module.app.state.wl if hasattr(module, "app") else module._state
    state.reset()


def test_query_handler_answers_a_metrics_event_and_304s_an_unchanged_one(stack: Stack) -> None:
    from wanllmdb_functions.handlers import query

    _fresh(query)
    put_chunk(
        stack.blobs, stack.project_id, stack.run_id, seq=0, steps=list(range(50)), values={"loss": [1.0] * 50}
    )
    event = _event("apigw_v2_get_run_metrics.json", {"RUN_ID": stack.run_id, "API_KEY": stack.key})
    response = query.handler(event, LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    body = json.loads(response["body"])
    assert body["series"]["loss"]["raw"] is False and sum(body["series"]["loss"]["buckets"]["count"]) == 50
    etag = response["headers"]["etag"]
    event["headers"]["if-none-match"] = etag
    assert query.handler(event, LambdaContext())["statusCode"] == 304
    event["headers"]["authorization"] = "Bearer wl_not_a_key"
    assert query.handler(event, LambdaContext())["statusCode"] == 401


def test_sql_through_its_own_handler_scans_s3_with_polars(stack: Stack) -> None:
    from wanllmdb_functions.handlers import query, sql

    put_chunk(stack.blobs, stack.project_id, stack.run_id, seq=0, steps=[0, 1], values={"acc": [0.5, 0.75]})
    event = _event("apigw_v2_get_run_metrics.json", {"RUN_ID": stack.run_id, "API_KEY": stack.key})
    event["requestContext"]["http"]["method"] = "POST"
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/api/sql"
    event["rawQueryString"], event["queryStringParameters"] = "", {}
    event["headers"]["content-type"] = "application/json"
    event["body"] = json.dumps(
        {"query": "SELECT key, sum(value) AS total FROM metrics GROUP BY key ORDER BY key"}
    )
    response = sql.handler(event, LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    assert json.loads(response["body"])["rows"] == [["acc", 1.25]]
    # The query function no longer serves SQL: in AWS its role may read logs, files and exports.
    assert query.handler(event, LambdaContext())["statusCode"] == 404


def test_compaction_handler_compacts_on_s3_events_and_run_finished(stack: Stack) -> None:
    from wanllmdb_functions.handlers import compaction

    _fresh(compaction)
    run = "lam2"
    keys = [
        put_chunk(stack.blobs, stack.project_id, run, seq=seq, steps=[seq], values={"loss": [float(seq)]})
        for seq in range(2)
    ]
    replace = {"BUCKET": BUCKET, "OBJECT_KEY": quote(keys[-1], safe="/")}
    result = compaction.handler(_event("sqs_s3_object_created.json", replace), LambdaContext())
    assert result == {"batchItemFailures": [], "compacted": 1}
    listing = list_stream(stack.blobs, stack.project_id, run, "history")
    assert [c.high for _, c in listing.compacted] == [{0: 1}] and listing.chunks == []

    put_chunk(stack.blobs, stack.project_id, run, seq=2, steps=[2], values={"loss": [2.0]})
    # One new chunk is under the threshold of 2; the run-finished notice compacts it anyway.
    finished = _event("sqs_run_finished.json", {"PROJECT_ID": stack.project_id, "RUN_ID": run})
    assert compaction.handler(finished, LambdaContext())["compacted"] == 1
    listing = list_stream(stack.blobs, stack.project_id, run, "history")
    assert [c.high for _, c in listing.compacted] == [{0: 2}] and listing.chunks == []


def test_finishing_a_run_queues_a_notice_the_compaction_handler_consumes(stack: Stack) -> None:
    import boto3

    from wanllmdb_functions.handlers import compaction

    _fresh(compaction)
    endpoint = os.environ["WANLLMDB_S3_ENDPOINT_URL"]
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
    queue_url = sqs.create_queue(QueueName="wanllmdb-compaction")["QueueUrl"]
    settings = load_settings(compaction_queue_url=queue_url)
    items = DynamoItemStore(TABLE, region=REGION, endpoint_url=endpoint)
    caller = resolve_caller(items, stack.key, session_ttl_s=3600)
    hook = RunFinishedHook("run finished")
    hook.subscribe(SqsRunFinishedNotifier(lambda: settings))
    runs = RunService(items, stack.blobs, settings, hook)
    run, _ = runs.create(caller, stack.project_id, RunCreate(id="lam3"))
    put_chunk(stack.blobs, stack.project_id, run.id, seq=0, steps=[0, 1], values={"loss": [2.0, 1.0]})
    runs.patch(caller, run.id, RunPatch(state="finished"))
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert [json.loads(m["Body"])["run_id"] for m in received] == [run.id]
    event = {
        "Records": [
            {"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs", "awsRegion": REGION}
            for m in received
        ]
    }
    assert compaction.handler(event, LambdaContext()) == {"batchItemFailures": [], "compacted": 1}
    listing = list_stream(stack.blobs, stack.project_id, run.id, "history")
    assert listing.chunks == [] and [c.high for _, c in listing.compacted] == [{0: 0}]


def test_a_changed_run_queues_a_notice_that_rebuilds_the_project_run_index(stack: Stack) -> None:
    import boto3
    import pyarrow.parquet as pq

    from wanllmdb_functions.compaction.notices import register_compaction_notices
    from wanllmdb_functions.handlers import compaction
    from wanllmdb_functions.lake.keys import run_index_key
    from wanllmdb_functions.ports.events import RunChangedHook

    _fresh(compaction)
    endpoint = os.environ["WANLLMDB_S3_ENDPOINT_URL"]
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=endpoint)
    queue_url = sqs.create_queue(QueueName="wanllmdb-index")["QueueUrl"]
    settings = load_settings(compaction_queue_url=queue_url)
    items = DynamoItemStore(TABLE, region=REGION, endpoint_url=endpoint)
    caller = resolve_caller(items, stack.key, session_ttl_s=3600)
    finished, changed = RunFinishedHook("run finished"), RunChangedHook("run changed")
    register_compaction_notices(finished, lambda: settings, changed)
    runs = RunService(items, stack.blobs, settings, finished, changed)
    runs.create(caller, stack.project_id, RunCreate(id="idx1", name="indexed", config={"lr": 0.5}))
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    bodies = [json.loads(m["Body"]) for m in received]
    assert bodies == [{"type": "run_changed", "project_id": stack.project_id, "run_id": "idx1"}]
    event = {
        "Records": [
            {"messageId": m["MessageId"], "body": m["Body"], "eventSource": "aws:sqs", "awsRegion": REGION}
            for m in received
        ]
    }
    assert compaction.handler(event, LambdaContext())["batchItemFailures"] == []
    table = pq.read_table(io.BytesIO(stack.blobs.get(run_index_key(stack.project_id))))
    named = {r["run_id"]: (r["name"], r["config.lr"]) for r in table.to_pylist()}
    assert named["idx1"] == ("indexed", 0.5)


def test_compaction_handler_reports_a_bad_message_for_retry(stack: Stack) -> None:
    from wanllmdb_functions.handlers import compaction

    event = _event("sqs_run_finished.json", {"PROJECT_ID": "../../etc", "RUN_ID": "x"})
    result = compaction.handler(event, LambdaContext())
    assert result["batchItemFailures"] == [{"itemIdentifier": "2e1424d4-f796-459a-8184-9c92662be6da"}]


def test_query_handler_serves_a_runs_console_logs(stack: Stack) -> None:
    from tests.lake_chunks import log_chunk_bytes
    from wanllmdb_functions.handlers import query

    _fresh(query)
    key = f"logs/project={stack.project_id}/run={stack.run_id}/chunk-a0000-000000000.parquet"
    stack.blobs.put(key, log_chunk_bytes(0, ["hello from lambda", "bye"]))
    event = _event("apigw_v2_get_run_metrics.json", {"RUN_ID": stack.run_id, "API_KEY": stack.key})
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/api/runs/{stack.run_id}/logs"
    event["rawQueryString"], event["queryStringParameters"] = "search=hello", {"search": "hello"}
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /api/runs/{run_id}/logs"
    response = query.handler(event, LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    assert [line["text"] for line in json.loads(response["body"])["lines"]] == ["hello from lambda"]


def test_query_handler_passes_the_batch_routes_caching_headers_and_its_arrow_bytes(stack: Stack) -> None:
    import base64

    import polars as pl

    from wanllmdb_functions.handlers import query

    _fresh(query)
    put_chunk(
        stack.blobs, stack.project_id, stack.run_id, seq=0, steps=list(range(50)), values={"loss": [1.0] * 50}
    )
    event = _event("apigw_v2_get_run_metrics.json", {"RUN_ID": stack.run_id, "API_KEY": stack.key})
    path = f"/api/projects/{stack.project_id}/metrics/batch"
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["routeKey"] = event["requestContext"]["routeKey"] = "GET /api/projects/{id}/metrics/batch"
    event["rawQueryString"] = f"runs={stack.run_id}&keys=loss&buckets=10"
    event["queryStringParameters"] = {"runs": stack.run_id, "keys": "loss", "buckets": "10"}
    response = query.handler(event, LambdaContext())
    assert response["statusCode"] == 200, response["body"]
    headers = response["headers"]
    assert headers["cache-control"] == "private, no-cache" and "Accept" in headers["vary"]
    assert sum(json.loads(response["body"])["runs"][stack.run_id]["series"]["loss"]["buckets"]["count"]) == 50
    event["headers"]["if-none-match"] = headers["etag"]
    assert query.handler(event, LambdaContext())["statusCode"] == 304
    del event["headers"]["if-none-match"]
    event["headers"]["accept"] = "application/vnd.apache.arrow.stream"
    arrow = query.handler(event, LambdaContext())
    assert arrow["statusCode"] == 200 and arrow["isBase64Encoded"] is True
    assert arrow["headers"]["etag"] != headers["etag"]
    table = pl.read_ipc_stream(io.BytesIO(base64.b64decode(arrow["body"])))
    assert table.get_column("key").to_list() == ["loss"] and sum(table.get_column("count")[0]) == 50
