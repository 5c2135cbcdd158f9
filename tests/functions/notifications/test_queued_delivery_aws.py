"""Asynchronous delivery on the aws backend, on a moto server: a crashed run's webhook and email are
only enqueued on SQS by the request; the delivery function's handler then signs and delivers the
webhook to a 127.0.0.1 receiver (retrying through the queue with a delay) and sends the email with SES.

Hermetic: every boto3 client gets explicit fake credentials (the stores' clients through the
environment set here), and every endpoint is on 127.0.0.1.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from tests.conftest import aws_backend_env, created_aws_stores, moto_server
from tests.e2e.lambda_events import sqs_event
from tests.functions.actors import build_tenant
from tests.functions.notifications.receiver import Receiver
from wanllmdb_functions.app.state import AppState
from wanllmdb_functions.core.errors import InvalidInput
from wanllmdb_functions.core.settings import load_settings
from wanllmdb_functions.handlers import notify
from wanllmdb_functions.identity import keys
from wanllmdb_functions.notifications.models import AutomationCreate, SubscriptionSet, WebhookCreate
from wanllmdb_functions.notifications.signing import SIGNATURE_HEADER, verify
from wanllmdb_functions.notifications.wiring import (
    automation_service,
    notification_service,
    notify_run_finished,
    require_delivery,
)
from wanllmdb_functions.runs.models import RunCreate, RunPatch, SummaryPatch
from wanllmdb_functions.runs.service import RunService

REGION = "us-east-1"
SENDER = "wanllmdb@example.com"


@dataclass
class Aws:
    state: AppState
    sqs: Any
    ses: Any
    queue_url: str


def _client(service: str, endpoint: str) -> Any:
    """A boto3 client with explicit fake credentials, on the moto endpoint."""
    make: Any = boto3.client
    return make(
        service,
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    with moto_server() as endpoint:
        sqs = _client("sqs", endpoint)
        ses = _client("ses", endpoint)
        # moto's backends are process-wide: fresh names for each test.
        name = f"wl-notify-{uuid.uuid4().hex[:8]}"
        queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
        ses.verify_email_identity(EmailAddress=SENDER)
        env = aws_backend_env(
            endpoint,
            table=name,
            bucket=f"{name}-lake",
            region=REGION,
            AWS_ACCESS_KEY_ID="testing",
            AWS_SECRET_ACCESS_KEY="testing",
            WANLLMDB_SQS_ENDPOINT_URL=endpoint,
            WANLLMDB_SES_ENDPOINT_URL=endpoint,
            WANLLMDB_NOTIFICATION_QUEUE_URL=queue_url,
            WANLLMDB_EMAIL_FROM=SENDER,
            WANLLMDB_WEBHOOK_ALLOW_PRIVATE="true",  # the receiver listens on 127.0.0.1
        )
        for variable, value in env.items():
            monkeypatch.setenv(variable, value)
        created_aws_stores(endpoint, table=name, bucket=f"{name}-lake", region=REGION)
        state = AppState(load_settings())
        notify_run_finished(state)
        notify._state.reset()  # the handler's own state reads these settings on its next use
        yield Aws(state, sqs, ses, queue_url)
        notify._state.reset()


def _drain(aws: Aws, *, want: int, wait_s: float = 5) -> list[dict[str, Any]]:
    """Receive (and delete) `want` messages, waiting out their DelaySeconds."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + wait_s
    while len(got) < want and time.monotonic() < deadline:
        found = aws.sqs.receive_message(QueueUrl=aws.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in found.get("Messages", []):
            aws.sqs.delete_message(QueueUrl=aws.queue_url, ReceiptHandle=message["ReceiptHandle"])
            got.append(json.loads(message["Body"]))
    assert len(got) == want, got
    return got


def _sent_emails(aws: Aws) -> int:
    # moto's SES backend is process-wide: earlier tests' mail counts too, so compare differences.
    return int(aws.ses.get_send_quota()["SentLast24Hours"])


def test_a_crash_is_enqueued_then_the_delivery_function_signs_the_webhook_and_sends_the_email(
    aws: Aws,
) -> None:
    items = aws.state.storage.items
    tenant = build_tenant(items)
    owner = tenant.caller("owner")
    items.update(*keys.user(owner.user_id), set_attrs={"email": "owner@example.com"})
    receiver = Receiver(status=500)  # fails first: the retry goes back through the queue
    notifications = notification_service(aws.state)
    hook = notifications.create_webhook(owner, WebhookCreate(url=receiver.url))
    project = tenant.projects["personal-private"]
    events = SubscriptionSet(events=["run_crashed"], email=True, webhook_ids=[hook.id])
    notifications.subscribe(owner, project, events)
    runs = RunService.of(aws.state)
    runs.create(owner, project, RunCreate(id="r1"))

    sent = _sent_emails(aws)
    started = time.monotonic()
    runs.patch(owner, "r1", RunPatch(state="crashed"))
    assert time.monotonic() - started < 5
    assert receiver.got == [] and _sent_emails(aws) == sent  # the request only enqueued
    messages = _drain(aws, want=2)
    assert sorted(m["type"] for m in messages) == ["email", "webhook"]
    assert all(hook.secret not in json.dumps(m) for m in messages)  # the secret stays in the table

    result = notify.deliver_records(aws.state, sqs_event([json.dumps(m) for m in messages])["Records"])
    assert result["batchItemFailures"] == [] and result["outcomes"] == {"emailed": 1, "retry queued": 1}
    assert _sent_emails(aws) == sent + 1 and len(receiver.got) == 1
    assert notifications.deliveries(owner, hook.id).deliveries[0].status == "retrying"

    receiver.status = 200
    [retry] = _drain(aws, want=1)  # visible after its DelaySeconds (RETRY_DELAYS_S[0])
    assert retry["attempt"] == 1
    result = notify.deliver_records(aws.state, sqs_event([json.dumps(retry)])["Records"])
    assert result["outcomes"] == {"done": 1}
    headers, raw = receiver.got[-1]
    assert verify(hook.secret, raw, headers[SIGNATURE_HEADER], now=int(time.time()))
    assert json.loads(raw)["event"] == "run_crashed" and json.loads(raw)["run_id"] == "r1"
    [log] = notifications.deliveries(owner, hook.id).deliveries
    assert (log.status, log.attempts, log.response_status) == ("delivered", 2, 200)


def test_an_automation_on_aws_enqueues_its_webhook_and_the_handler_delivers_it(aws: Aws) -> None:
    items = aws.state.storage.items
    tenant = build_tenant(items)
    owner = tenant.caller("owner")
    receiver = Receiver()
    hook = notification_service(aws.state).create_webhook(owner, WebhookCreate(url=receiver.url))
    project = tenant.projects["personal-private"]
    body = {"name": "loss", "trigger": {"kind": "metric_threshold", "metric": "loss", "op": "above",
            "value": 1}, "channel": {"type": "webhook", "webhook_id": hook.id}}  # fmt: skip
    automation_service(aws.state).create(owner, project, AutomationCreate.model_validate(body))
    runs = RunService.of(aws.state)
    runs.create(owner, project, RunCreate(id="r2"))
    runs.patch_summary(owner, "r2", SummaryPatch(summary={"loss": 3.0}))
    runs.patch_summary(owner, "r2", SummaryPatch(summary={"loss": 4.0}))  # already fired for r2
    [message] = _drain(aws, want=1)
    event = sqs_event([json.dumps(message)], queue="wl-notify")
    assert notify.handler(event)["outcomes"] == {"done": 1}
    assert json.loads(receiver.got[0][1])["event"] == "automation"


def test_malformed_messages_are_reported_for_retry_alone(aws: Aws) -> None:
    records = sqs_event(["not json", json.dumps({"type": "pigeon"}), json.dumps({"type": "webhook"})])
    result = notify.deliver_records(aws.state, records["Records"])
    assert len(result["batchItemFailures"]) == 3 and result["outcomes"] == {}
    with pytest.raises(InvalidInput, match="SQS events"):
        notify.handler({"detail-type": "Scheduled Event"})


def test_email_needs_a_sender_on_aws_and_webhooks_do_not(monkeypatch: pytest.MonkeyPatch, aws: Aws) -> None:
    monkeypatch.delenv("WANLLMDB_EMAIL_FROM")
    state = AppState(load_settings())
    with pytest.raises(InvalidInput, match="WANLLMDB_EMAIL_FROM"):
        require_delivery(state, "email", email=True)
    require_delivery(state, "webhook_ids")
