"""Project automations on a real local server: a crash automation telling its creator through a signed
webhook, a metric threshold evaluated on summary updates and sent by email (the outbox), each firing
once per run, and bad input answered with the field and the fix."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from tests.functions.actors import build_tenant
from tests.functions.notifications.receiver import Receiver, hook_server
from tests.functions.query.lake_client import User
from wanllmdb_functions.adapters.sqlite_items import SqliteItemStore
from wanllmdb_functions.notifications.automations import AutomationService, crossed
from wanllmdb_functions.notifications.models import AutomationCreate, AutomationTrigger
from wanllmdb_functions.notifications.service import NotificationService
from wanllmdb_functions.notifications.signing import SIGNATURE_HEADER, verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    yield from hook_server(tmp_path_factory, "automations")


def _register(server: LocalServer) -> User:
    name = f"u{uuid.uuid4().hex[:8]}"
    admin = {"Authorization": f"Bearer {(server.data_dir / 'admin-api-key').read_text().strip()}"}
    token = httpx.post(f"{server.url}/api/invitations", json={}, headers=admin, timeout=30).json()["token"]
    body = {"username": name, "password": "correct horse battery", "invitation": token,
            "email": f"{name}@example.com"}  # fmt: skip
    response = httpx.post(f"{server.url}/api/auth/register", json=body, timeout=30)
    assert response.status_code == 201, response.text
    return User(server.url, name, response.json()["token"])


def _automation_items(user: User, want: int, timeout: float = 20) -> list[dict[str, Any]]:
    """The user's automation notifications, once `want` of them arrived (the server's fan-out thread)."""
    deadline = time.monotonic() + timeout
    while True:
        items = [
            n for n in user.request("GET", "/notifications").json()["items"] if n["kind"] == "automation"
        ]
        if len(items) >= want or time.monotonic() > deadline:
            return items
        time.sleep(0.05)


def test_a_crash_automation_tells_its_creator_once_per_run_through_a_signed_webhook(
    server: LocalServer,
) -> None:
    alice = _register(server)
    project = alice.project()
    receiver = Receiver()
    hook = alice.request("POST", "/webhooks", json={"url": receiver.url}).json()
    body = {"name": "crashes", "trigger": {"kind": "run_crashed"},
            "channel": {"type": "webhook", "webhook_id": hook["id"]}}  # fmt: skip
    created = alice.request("POST", f"/projects/{project}/automations", json=body)
    assert created.status_code == 201, created.text
    assert alice.request("GET", f"/projects/{project}/automations").json()["automations"] == [created.json()]

    finished, crashed = alice.run(project), alice.run(project)
    assert alice.request("PATCH", f"/runs/{finished}", json={"state": "finished"}).status_code == 200
    assert alice.request("PATCH", f"/runs/{crashed}", json={"state": "crashed"}).status_code == 200
    # A retried request with the same change changes nothing, and fires nothing again.
    assert alice.request("PATCH", f"/runs/{crashed}", json={"state": "crashed"}).status_code == 200

    [note] = _automation_items(alice, 1)
    assert note["run_id"] == crashed and note["level"] == "ERROR" and note["link"] == f"/runs/{crashed}"
    receiver.wait(1)
    headers, raw = receiver.got[0]
    assert verify(hook["secret"], raw, headers[SIGNATURE_HEADER], now=int(time.time()))
    assert json.loads(raw)["event"] == "automation" and json.loads(raw)["run_id"] == crashed

    deleted = alice.request("DELETE", f"/projects/{project}/automations/{created.json()['id']}")
    assert deleted.status_code == 204
    assert alice.request("GET", f"/projects/{project}/automations").json()["automations"] == []
    gone = alice.request("DELETE", f"/projects/{project}/automations/{created.json()['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["field"] == "automation_id"


def test_a_metric_threshold_fires_on_the_summary_update_that_crosses_it_once(server: LocalServer) -> None:
    bob = _register(server)
    project = bob.project()
    body = {"name": "loss blew up", "trigger": {"kind": "metric_threshold", "metric": "loss", "op": "above",
            "value": 5}, "channel": {"type": "email"}}  # fmt: skip
    assert bob.request("POST", f"/projects/{project}/automations", json=body).status_code == 201
    run = bob.run(project)
    for summary in ({"loss": 1.0}, {"loss": {"min": 0.5, "max": 7.5, "last": 2.0}}, {"loss": 9.0}):
        assert bob.request("PATCH", f"/runs/{run}/summary", json={"summary": summary}).status_code == 200
    crash = {"name": "crash", "trigger": {"kind": "run_crashed"}}
    assert bob.request("POST", f"/projects/{project}/automations", json=crash).status_code == 201
    assert bob.request("PATCH", f"/runs/{run}", json={"state": "crashed"}).status_code == 200

    # One fan-out thread, in order: once the crash is told, every summary before it was evaluated.
    notes = _automation_items(bob, 2)
    name = bob.request("GET", f"/runs/{run}").json()["name"]  # titles name the run as people know it
    assert sorted(n["title"] for n in notes) == [
        f"Run {name} ({run}) crashed",
        f"Run {name} ({run}): loss above 5",
    ]
    threshold = next(n for n in notes if "above" in n["title"])
    assert "loss = 7.5 is above 5" in threshold["text"]  # the summary's max, not its last value
    mails = [p.read_text() for p in (server.data_dir / "outbox").glob("*.eml")]
    assert [m for m in mails if f"{bob.username}@example.com" in m and "loss above 5" in m]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"name": "x", "trigger": {"kind": "metric_threshold", "op": "above", "value": 1}},
         "trigger.metric", "give a summary key"),
        ({"name": "x", "trigger": {"kind": "metric_threshold", "metric": "loss", "value": 1}},
         "trigger.op", "'above' or 'below'"),
        ({"name": "x", "trigger": {"kind": "run_crashed", "metric": "loss"}},
         "trigger.metric", "only a metric_threshold trigger"),
        ({"name": "x", "trigger": {"kind": "run_crashed"}, "channel": {"type": "webhook"}},
         "channel.webhook_id", "POST /api/webhooks"),
        ({"name": "x", "trigger": {"kind": "run_crashed"},
          "channel": {"type": "webhook", "webhook_id": "ab"}},
         "channel.webhook_id", "not one of your webhooks"),
        ({"name": "x", "trigger": {"kind": "when_i_say"}}, "trigger.kind", "run_crashed"),
    ],
)  # fmt: skip
def test_bad_automations_are_refused_naming_the_field_and_the_fix(
    server: LocalServer, body: dict[str, Any], field: str, words: str
) -> None:
    carol = _register(server)
    project = carol.project()
    response = carol.request("POST", f"/projects/{project}/automations", json=body)
    assert response.status_code in (400, 422), response.text
    error = response.json()["error"]
    assert error["field"] == field and words in error["message"], error
    assert carol.request("GET", f"/projects/{project}/automations").json()["automations"] == []


def test_an_automation_fires_at_most_once_per_run_under_replays(tmp_path: Path) -> None:
    """Hooks replayed, or two summary patches racing: the conditional (automation, run) write lets one
    through."""
    items = SqliteItemStore(tmp_path / "items.db")
    tenant = build_tenant(items)
    owner, project = tenant.caller("owner"), tenant.projects["personal-private"]
    automations = AutomationService(items, NotificationService(items, queue=None, mailer=None))
    trigger = {"kind": "metric_threshold", "metric": "acc", "op": "below", "value": 0.5}
    automations.create(owner, project, AutomationCreate.model_validate({"name": "a", "trigger": trigger}))
    crash = {"name": "c", "trigger": {"kind": "run_crashed"}}
    automations.create(owner, project, AutomationCreate.model_validate(crash))
    assert automations.on_summary(project, "r1", {"acc": 0.9}) == 0
    assert [automations.on_summary(project, "r1", {"acc": 0.1}) for _ in range(3)] == [1, 0, 0]
    assert automations.on_summary(project, "r2", {"acc": 0.1}) == 1  # another run fires again
    ended = [automations.on_run_ended(project, "r1", s) for s in ("finished", "crashed", "failed")]
    assert ended == [0, 1, 0]


def test_thresholds_read_the_summary_as_define_metric_keeps_it() -> None:
    above = AutomationTrigger(kind="metric_threshold", metric="eval.loss", op="above", value=1)
    assert crossed(above, {"eval": {"loss": 2}}) == 2
    assert crossed(above, {"eval.loss": {"min": 0.1, "last": 0.5}}) is None  # no max: the last value
    assert crossed(above, {"eval.loss": "nan"}) is None and crossed(above, {"eval.loss": True}) is None
    assert crossed(above, {"eval.loss": float("nan")}) is None and crossed(above, {}) is None
