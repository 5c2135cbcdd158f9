"""Lambda event payloads as AWS delivers them, built from the JSON templates in tests/e2e/events/.

- API Gateway HTTP API (payload v2) requests, for the Mangum handlers;
- SQS batches, for the compaction handler: each record's body is either an EventBridge
  "Object Created" event (the CDK routes chunk uploads S3 → EventBridge → SQS) or a message the
  runs/reaper functions sent (`{"type": "run_finished", ...}`);
- the EventBridge "Scheduled Event" that runs the reaper.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

EVENTS = Path(__file__).parent / "events"
FUNCTION_EVENTS = Path(__file__).parents[1] / "functions" / "events"
REGION = "us-east-1"


class LambdaContext:
    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.memory_limit_in_mb = 1024
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())


def _template(name: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    return event


def http_event(
    method: str,
    path: str,
    *,
    api_key: str | None = None,
    query: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    event = copy.deepcopy(_template("apigw_v2_request.json"))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["pathParameters"] = {"proxy": path.removeprefix("/api/")}
    event["requestContext"]["requestId"] = base64.b64encode(uuid.uuid4().bytes[:10]).decode()
    event["rawQueryString"] = urlencode(query or {})
    event["queryStringParameters"] = dict(query or {}) or None
    if api_key:
        event["headers"]["authorization"] = f"Bearer {api_key}"
    if body is not None:
        text = json.dumps(body)
        event["body"] = text
        event["headers"]["content-type"] = "application/json"
        event["headers"]["content-length"] = str(len(text.encode()))
    return event


def sqs_event(bodies: list[str], *, queue: str = "wanllmdb-compaction") -> dict[str, Any]:
    """One SQS batch as the Lambda event source mapping delivers it."""
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a" + uuid.uuid4().hex,
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": "1795582800000",
                    "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    "ApproximateFirstReceiveTimestamp": "1795582800001",
                },
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:{queue}",
                "awsRegion": REGION,
            }
            for body in bodies
        ]
    }


def sqs_from_messages(messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The SQS event for messages received from a real (moto) queue, ids and bodies kept."""
    event = sqs_event([m["Body"] for m in messages])
    for record, message in zip(event["Records"], messages, strict=True):
        record["messageId"] = message["MessageId"]
        record["receiptHandle"] = message["ReceiptHandle"]
    return event


def object_created(bucket: str, key: str) -> str:
    """The EventBridge event S3 emits for a new object, as the SQS target receives it (a JSON body)."""
    event = _template("eventbridge_s3_object_created.json")
    event["resources"] = [f"arn:aws:s3:::{bucket}"]
    event["detail"]["bucket"]["name"] = bucket
    event["detail"]["object"]["key"] = key
    return json.dumps(event)


def scheduled_event() -> dict[str, Any]:
    return json.loads((FUNCTION_EVENTS / "reaper_scheduled.json").read_text())  # type: ignore[no-any-return]


def websocket_event(
    route: str,
    connection_id: str,
    *,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> dict[str, Any]:
    """An API Gateway WebSocket API event: `$connect` (with the handshake's headers and query),
    `$default` (a message; `body` is sent as JSON text) or `$disconnect`."""
    name = {"$connect": "apigw_ws_connect.json", "$disconnect": "apigw_ws_disconnect.json"}
    event = copy.deepcopy(_template(name.get(route, "apigw_ws_message.json")))
    event["requestContext"]["connectionId"] = connection_id
    event["requestContext"]["requestId"] = base64.b64encode(uuid.uuid4().bytes[:10]).decode()
    if route == "$connect":
        event["headers"].update(headers or {})
        event["queryStringParameters"] = dict(query or {})
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()}
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event
