"""The aws backend end to end on moto, offline.

A real `wanllmdb server` (WANLLMDB_BACKEND=aws) runs against a ThreadedMotoServer playing DynamoDB,
S3 and SQS; a training script using the real SDK logs a run in its own process; presigned URLs send
its chunks and files straight to moto S3. Then the query API reads them back through Polars, the
compaction handler consumes the SQS messages AWS would deliver, and every Mangum handler answers
API Gateway v2 / SQS / EventBridge events for the same calls against the same moto endpoint.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import BUCKET, REGION, TABLE, AwsStack, LoggedRun, Moto
from tests.e2e.lambda_events import (
    LambdaContext,
    http_event,
    object_created,
    scheduled_event,
    sqs_event,
    sqs_from_messages,
)
from tests.lake_chunks import put_chunk
from wanllmdb_functions.adapters.dynamodb_items import DynamoItemStore
from wanllmdb_functions.adapters.s3_blobs import S3BlobStore
from wanllmdb_functions.lake.visible import list_stream
from wanllmdb_functions.runs.keys import live_sort_key, run_key

pytestmark = pytest.mark.slow

HISTORY_KEYS = "loss,train.acc"


def _auth(moto: Moto) -> dict[str, str]:
    return {"Authorization": f"Bearer {moto.api_key}"}


def _metrics(stack: AwsStack, moto: Moto, run_id: str, **params: Any) -> dict[str, Any]:
    response = httpx.get(
        f"{stack.server.url}/api/runs/{run_id}/metrics", params=params, headers=_auth(moto), timeout=30
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _system_keys(stack: AwsStack, moto: Moto, run_id: str) -> list[str]:
    response = httpx.get(
        f"{stack.server.url}/api/runs/{run_id}/metric-keys", params={"stream": "system"}, headers=_auth(moto)
    )
    assert response.status_code == 200, response.text
    keys: list[str] = response.json()["keys"]
    return keys


def _envelopes(stack: AwsStack, moto: Moto, run: LoggedRun) -> dict[str, Any]:
    """Everything a chart shows of the run: both metrics raw, and every system key raw."""
    system = ",".join(_system_keys(stack, moto, run.run_id))
    return {
        "history": _metrics(stack, moto, run.run_id, keys=HISTORY_KEYS),
        "history_buckets": _metrics(stack, moto, run.run_id, keys=HISTORY_KEYS, buckets=10),
        "system": _metrics(stack, moto, run.run_id, keys=system, stream="system"),
    }


def _invoke(module: Any, event: dict[str, Any], name: str) -> dict[str, Any]:
    response: dict[str, Any] = module.handler(event, LambdaContext(f"wanllmdb-{name}"))
    return response


def _json(response: dict[str, Any]) -> Any:
    assert response["statusCode"] == 200, response
    return json.loads(response["body"])


# -- the server and the SDK ------------------------------------------------------------------------
def test_server_reports_aws_backend(aws_stack: AwsStack) -> None:
    health = httpx.get(f"{aws_stack.server.url}/api/health").json()
    assert health["backend"] == "aws"


def test_sdk_uploads_went_straight_to_moto(moto: Moto, logged_run: LoggedRun) -> None:
    # 300 steps over ~3 s with a 0.3 s flush interval: several history chunks, several system ones.
    assert len(logged_run.chunks["history"]) >= 3, logged_run.chunks
    assert len(logged_run.chunks["system"]) >= 1, logged_run.chunks
    assert all("/chunk-a0000-" in key for keys in logged_run.chunks.values() for key in keys)
    files = moto.s3().list_objects_v2(Bucket=BUCKET, Prefix=f"files/project={logged_run.project_id}/")
    assert f"files/project={logged_run.project_id}/run={logged_run.run_id}/ckpt.bin" in [
        o["Key"] for o in files["Contents"]
    ]


def test_query_api_reads_back_exactly_what_was_logged(
    aws_stack: AwsStack, moto: Moto, logged_run: LoggedRun
) -> None:
    steps = logged_run.steps
    raw = _metrics(aws_stack, moto, logged_run.run_id, keys=HISTORY_KEYS)
    loss, acc = raw["series"]["loss"], raw["series"]["train.acc"]
    assert loss["raw"] and acc["raw"]
    assert loss["points"]["x"] == list(range(steps)) == acc["points"]["x"]
    assert loss["points"]["y"] == [1.0 / (s + 1) for s in range(steps)]
    assert acc["points"]["y"] == [s / (steps - 1) for s in range(steps)]
    assert raw["last_step"] == steps - 1

    bucketed = _metrics(aws_stack, moto, logged_run.run_id, keys=HISTORY_KEYS, buckets=10)
    for key, low, high in (("loss", 1.0 / steps, 1.0), ("train.acc", 0.0, 1.0)):
        buckets = bucketed["series"][key]["buckets"]
        assert sum(buckets["count"]) == steps
        assert min(buckets["min"]) == low and max(buckets["max"]) == high

    run = httpx.get(f"{aws_stack.server.url}/api/runs/{logged_run.run_id}", headers=_auth(moto)).json()
    assert run["state"] == "finished"
    assert run["summary"]["loss"] == 1.0 / steps and run["summary"]["_step"] == steps - 1


def test_system_metrics_were_sampled_several_times(
    aws_stack: AwsStack, moto: Moto, logged_run: LoggedRun
) -> None:
    keys = _system_keys(aws_stack, moto, logged_run.run_id)
    assert "system.cpu" in keys and "system.memory_percent" in keys
    series = _metrics(aws_stack, moto, logged_run.run_id, keys="system.cpu", stream="system")["series"]
    samples = series["system.cpu"]["points"]["y"]
    assert len(samples) >= 3, samples  # a >= 3 s run sampled every 1 s, plus one at stop
    assert all(0.0 <= value <= 100.0 * 64 for value in samples)


def test_saved_file_downloads_from_moto(aws_stack: AwsStack, moto: Moto, logged_run: LoggedRun) -> None:
    listing = httpx.get(f"{aws_stack.server.url}/api/runs/{logged_run.run_id}/files", headers=_auth(moto))
    assert listing.status_code == 200, listing.text
    files = {f["path"]: f for f in listing.json()["items"]}
    saved = files["ckpt.bin"]
    assert saved["size"] == len(logged_run.saved_file)
    assert saved["url"].startswith(f"{moto.endpoint}/{BUCKET}/files/")  # presigned GET at moto
    assert httpx.get(saved["url"]).content == logged_run.saved_file


# -- compaction: SQS messages from the run-finish path and from S3 via EventBridge ------------------
def test_finished_run_is_queued_and_compaction_keeps_the_envelope(
    aws_stack: AwsStack, moto: Moto, logged_run: LoggedRun, lambda_env: dict[str, str]
) -> None:
    from wanllmdb_functions.handlers import compaction

    # The server's run-finish hook queued exactly one notice for the run.
    messages = moto.receive(logged_run.run_id)
    assert [json.loads(m["Body"]) for m in messages] == [
        {
            "type": "run_finished",
            "project_id": logged_run.project_id,
            "run_id": logged_run.run_id,
            "state": "finished",
            "attempt": 0,
        }
    ]
    before = _envelopes(aws_stack, moto, logged_run)
    blobs = S3BlobStore(BUCKET, region=REGION, endpoint_url=moto.endpoint)
    high = {stream: {0: len(keys) - 1} for stream, keys in logged_run.chunks.items()}

    # 1. A chunk upload, as EventBridge hands it to SQS: that stream has >= 2 chunks, so it compacts.
    uploaded = sqs_event([object_created(BUCKET, logged_run.chunks["history"][-1])])
    assert _invoke(compaction, uploaded, "compaction") == {"batchItemFailures": [], "compacted": 1}
    history = list_stream(blobs, logged_run.project_id, logged_run.run_id, "history")
    assert [c.high for _, c in history.compacted] == [high["history"]] and history.chunks == []
    system = list_stream(blobs, logged_run.project_id, logged_run.run_id, "system")
    assert system.compacted == [] and len(system.chunks) == len(logged_run.chunks["system"])
    assert _envelopes(aws_stack, moto, logged_run) == before

    # 2. The run-finished notice taken off the queue compacts the rest of the run.
    result = _invoke(compaction, sqs_from_messages(messages), "compaction")
    assert result["batchItemFailures"] == [] and result["compacted"] >= 1
    for stream in ("history", "system"):
        listing = list_stream(blobs, logged_run.project_id, logged_run.run_id, stream)
        assert [c.high for _, c in listing.compacted] == [high[stream]], stream
        assert listing.chunks == [], stream
    assert _envelopes(aws_stack, moto, logged_run) == before
    lake = moto.s3().list_objects_v2(Bucket=BUCKET, Prefix=f"metrics/project={logged_run.project_id}/")
    assert not [o["Key"] for o in lake["Contents"] if "/chunk-" in o["Key"]]  # merged chunks are gone

    # 3. SQS delivers at least once: both messages again change nothing.
    again = sqs_event([object_created(BUCKET, logged_run.chunks["history"][0]), messages[0]["Body"]])
    assert _invoke(compaction, again, "compaction") == {"batchItemFailures": [], "compacted": 0}
    assert _envelopes(aws_stack, moto, logged_run) == before


def test_compaction_handler_reports_a_bad_message_and_keeps_the_rest(lambda_env: dict[str, str]) -> None:
    from wanllmdb_functions.handlers import compaction

    event = sqs_event(
        [
            "not json",
            json.dumps({"type": "run_finished", "project_id": "../../etc", "run_id": "x"}),
            object_created(BUCKET, "files/project=p/run=r/ckpt.bin"),  # not a chunk: nothing to do
        ]
    )
    result = _invoke(compaction, event, "compaction")
    bad = [{"itemIdentifier": r["messageId"]} for r in event["Records"][:2]]
    assert result == {"batchItemFailures": bad, "compacted": 0}


# -- the Mangum handlers, for the same calls ------------------------------------------------------
def test_identity_handler_knows_the_sdk_user(moto: Moto, lambda_env: dict[str, str]) -> None:
    from wanllmdb_functions.handlers import identity

    me = _json(_invoke(identity, http_event("GET", "/api/auth/me", api_key=moto.api_key), "identity"))
    assert me["username"] == "e2e"
    anonymous = _invoke(identity, http_event("GET", "/api/auth/me"), "identity")
    assert anonymous["statusCode"] == 401
    assert json.loads(anonymous["body"])["error"]["code"] == "unauthenticated"


def test_runs_and_query_handlers_answer_as_the_server_does(
    aws_stack: AwsStack, moto: Moto, logged_run: LoggedRun, lambda_env: dict[str, str]
) -> None:
    from wanllmdb_functions.handlers import query, runs

    path = f"/api/runs/{logged_run.run_id}"
    run = _json(_invoke(runs, http_event("GET", path, api_key=moto.api_key), "runs"))
    assert run == httpx.get(f"{aws_stack.server.url}{path}", headers=_auth(moto)).json()

    for params in ({"keys": HISTORY_KEYS}, {"keys": HISTORY_KEYS, "buckets": "10"}):
        event = http_event("GET", f"{path}/metrics", api_key=moto.api_key, query=params)
        answer = _invoke(query, event, "query")
        assert _json(answer) == _metrics(aws_stack, moto, logged_run.run_id, **params)
        # The same question with the ETag it got: nothing new, so 304 from one LIST.
        event["headers"]["if-none-match"] = answer["headers"]["etag"]
        assert _invoke(query, event, "query")["statusCode"] == 304
    files = _json(_invoke(query, http_event("GET", f"{path}/files", api_key=moto.api_key), "query"))
    assert "ckpt.bin" in {f["path"] for f in files["items"]}


def test_runs_handler_finish_queues_a_notice_the_compaction_handler_consumes(
    moto: Moto, logged_run: LoggedRun, lambda_env: dict[str, str]
) -> None:
    from wanllmdb_functions.handlers import compaction, runs

    project, run_id = logged_run.project_id, "lambda-finish"
    body = {"id": run_id, "config": {"lr": 1}}
    created = http_event("POST", f"/api/projects/{project}/runs", api_key=moto.api_key, body=body)
    assert _invoke(runs, created, "runs")["statusCode"] == 201
    blobs = S3BlobStore(BUCKET, region=REGION, endpoint_url=moto.endpoint)
    put_chunk(blobs, project, run_id, seq=0, steps=[0, 1], values={"loss": [2.0, 1.0]})
    finish = http_event("PATCH", f"/api/runs/{run_id}", api_key=moto.api_key, body={"state": "failed"})
    assert _json(_invoke(runs, finish, "runs"))["state"] == "failed"

    messages = moto.receive(run_id)
    assert [json.loads(m["Body"])["state"] for m in messages] == ["failed"]
    assert _invoke(compaction, sqs_from_messages(messages), "compaction") == {
        "batchItemFailures": [],
        "compacted": 1,
    }
    listing = list_stream(blobs, project, run_id, "history")
    assert [c.high for _, c in listing.compacted] == [{0: 0}] and listing.chunks == []


def test_reaper_handler_crashes_a_silent_run_and_queues_it(
    moto: Moto, logged_run: LoggedRun, lambda_env: dict[str, str]
) -> None:
    from wanllmdb_functions.handlers import compaction, reaper, runs

    project, run_id = logged_run.project_id, "lambda-silent"
    created = http_event("POST", f"/api/projects/{project}/runs", api_key=moto.api_key, body={"id": run_id})
    assert _invoke(runs, created, "runs")["statusCode"] == 201
    # Its last heartbeat was an hour ago (the only way to age a run without waiting for it).
    items = DynamoItemStore(TABLE, region=REGION, endpoint_url=moto.endpoint)
    item = items.get(*run_key(project, run_id))
    assert item is not None
    stale = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    items.put({**item, "heartbeat_at": stale, "gsi1sk": live_sort_key(stale, run_id)})

    result = reaper.handler(scheduled_event(), LambdaContext("wanllmdb-reaper"))
    assert result == {
        "crashed": [run_id],
        "count": 1,
        "purged": [],
        "expired_artifacts": [],
        "sweeps_settled": [],
    }
    run = _json(_invoke(runs, http_event("GET", f"/api/runs/{run_id}", api_key=moto.api_key), "runs"))
    assert run["state"] == "crashed"
    messages = moto.receive(run_id)
    assert [json.loads(m["Body"])["state"] for m in messages] == ["crashed"]
    assert _invoke(compaction, sqs_from_messages(messages), "compaction")["batchItemFailures"] == []
    # A second pass finds nothing: the crashed run left the live index.
    assert reaper.handler(scheduled_event(), LambdaContext("wanllmdb-reaper"))["count"] == 0
