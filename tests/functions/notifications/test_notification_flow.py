"""Notifications end to end on a real local server: a subscriber's inbox, a signed webhook delivered
off the request path, the email outbox, alerts with wandb's rate limit, and retries then a failure
logged by the delivery worker."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LocalServer
from tests.functions.notifications.receiver import Receiver, hook_server
from tests.functions.query.lake_client import register
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.notifications import keys
from wanllmdb_functions.notifications.delivery import DeliveryJob, DeliveryWorker
from wanllmdb_functions.notifications.signing import SIGNATURE_HEADER, verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    yield from hook_server(tmp_path_factory, "notify")


def test_a_crashed_run_reaches_the_inbox_a_signed_webhook_and_the_outbox(server: LocalServer) -> None:
    alice = register(server)
    project = alice.project()
    receiver = Receiver()
    hook = alice.request("POST", "/webhooks", json={"url": receiver.url, "name": "ci"})
    assert hook.status_code == 201, hook.text
    secret = hook.json()["secret"]
    assert "secret" not in alice.request("GET", "/webhooks").text  # shown once
    body = {"events": ["run_crashed", "alert"], "email": True, "webhook_ids": [hook.json()["id"]]}
    assert alice.request("PUT", f"/projects/{project}/subscription", json=body).status_code == 200
    run = alice.run(project)
    assert alice.request("PATCH", f"/runs/{run}", json={"state": "crashed"}).status_code == 200

    deadline = time.monotonic() + 20  # subscribers are told on the server's fan-out thread
    while (inbox := alice.request("GET", "/notifications").json())[
        "unread"
    ] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert inbox["unread"] == 1 and inbox["items"][0]["kind"] == "run_crashed"
    assert inbox["items"][0]["link"] == f"/runs/{run}"
    receiver.wait(1)
    headers, raw = receiver.got[0]
    assert verify(secret, raw, headers[SIGNATURE_HEADER], now=int(time.time()))
    assert json.loads(raw)["run_id"] == run and json.loads(raw)["event"] == "run_crashed"
    deliveries = alice.request("GET", f"/webhooks/{hook.json()['id']}/deliveries").json()["deliveries"]
    assert deliveries[0]["status"] == "delivered" and deliveries[0]["response_status"] == 200

    read = alice.request("POST", "/notifications/read", json={"ids": []}).json()
    assert read["unread"] == 0 and read["items"][0]["read"] is True


def test_alerts_follow_wandbs_wait_duration_per_title(server: LocalServer) -> None:
    bob = register(server)
    project = bob.project()
    bob.request("PUT", f"/projects/{project}/subscription", json={"events": ["alert"]})
    run = bob.run(project)
    first = bob.request(
        "POST", f"/runs/{run}/alerts", json={"title": "Low accuracy", "text": "0.2", "level": "WARN"}
    )
    assert first.json() == {"sent": True, "recipients": 1}
    again = bob.request("POST", f"/runs/{run}/alerts", json={"title": "Low accuracy", "text": "0.1"})
    assert again.json()["sent"] is False  # within the default minute
    other = bob.request(
        "POST", f"/runs/{run}/alerts", json={"title": "Diverged", "text": "nan", "wait_duration_s": 0}
    )
    assert other.json()["sent"] is True
    titles = [n["title"] for n in bob.request("GET", "/notifications").json()["items"]]
    assert titles == ["Diverged", "Low accuracy"]
    too_long = bob.request("POST", f"/runs/{run}/alerts", json={"title": "x" * 64, "text": ""})
    assert too_long.status_code in (400, 422) and "title" in too_long.text


def test_outsiders_cannot_alert_or_subscribe_and_bad_input_names_the_field(server: LocalServer) -> None:
    owner, outsider = register(server), register(server)
    project = owner.project()
    run = owner.run(project)
    assert outsider.request("POST", f"/runs/{run}/alerts", json={"title": "t", "text": ""}).status_code == 404
    assert (
        outsider.request("PUT", f"/projects/{project}/subscription", json={"events": ["alert"]}).status_code
        == 404
    )
    bad = owner.request("PUT", f"/projects/{project}/subscription", json={"events": ["nope"]})
    assert bad.status_code in (400, 422) and "events" in bad.text
    foreign = owner.request(
        "PUT", f"/projects/{project}/subscription", json={"events": ["alert"], "webhook_ids": ["abc"]}
    )
    assert foreign.status_code == 400 and "webhook_ids" in foreign.text


def test_a_failing_webhook_is_retried_then_logged_as_failed(tmp_path: Path) -> None:
    items = SqliteItemStore(tmp_path / "items.db")
    receiver = Receiver(status=500)
    pk, sk = keys.webhook("u1", "h1")
    items.put(
        {"pk": pk, "sk": sk, "id": "h1", "url": receiver.url, "name": "", "secret": "s", "created_at": "t"}
    )
    worker = DeliveryWorker(items, allow_private=True, delays_s=(0.05, 0.05))
    started = time.monotonic()
    worker.enqueue(
        DeliveryJob(due=0.0, delivery_id="d1", user_id="u1", hook_id="h1", event="alert", payload={})
    )
    receiver.wait(3)
    time.sleep(0.2)
    assert time.monotonic() - started < 5
    (logged,) = list(items.query_all(keys.deliveries_of("h1")))
    assert (logged["status"], logged["attempts"], logged["response_status"]) == ("failed", 3, 500)
    assert len(receiver.got) == 3  # one try and two retries, then it stops
