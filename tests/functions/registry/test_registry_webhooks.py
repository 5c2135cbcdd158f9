"""Registry events reach a subscriber's webhook, signed, one delivery per event: a link, an alias, a
request, its approval (and the stage move it made), and a rejection."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from tests.conftest import LocalServer
from tests.functions.notifications.receiver import Receiver, hook_server
from wanllmdb_functions.notifications.models import REGISTRY_EVENT_KINDS
from wanllmdb_functions.notifications.signing import SIGNATURE_HEADER, verify

from .conftest import acme_scenario

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    yield from hook_server(tmp_path_factory, "registry-hooks")


def test_every_registry_event_is_delivered_signed(server: LocalServer) -> None:
    acme = acme_scenario(server)
    receiver = Receiver()
    hook = acme.viewer.request("POST", "/webhooks", json={"url": receiver.url, "name": "registry"}).json()
    subscription = {"events": list(REGISTRY_EVENT_KINDS), "webhook_ids": [hook["id"]]}
    base = f"/registries/{acme.registry}"
    assert acme.viewer.request("PUT", f"{base}/subscription", json=subscription).status_code == 200
    bad = acme.viewer.request("PUT", f"{base}/subscription", json={"events": ["run_crashed"]})
    assert bad.status_code == 422 and bad.json()["error"]["field"].startswith("events")

    for payload in (b"one", b"two"):
        version = acme.model_artifact("net", payload)
        assert acme.link(acme.member, "net", f"net:{version['version']}").status_code == 201
    aliased = acme.member.request(
        "POST", f"{base}/models/net/versions/v0/aliases", json={"add": ["champion"]}
    )
    assert aliased.status_code == 200
    ask = {"model": "net", "version": "v0", "stage": "Production", "comment": "ready"}
    first = acme.member.request("POST", f"{base}/requests", json=ask).json()
    assert acme.admin.request("POST", f"{base}/requests/{first['id']}/approve", json={}).status_code == 200
    second = acme.member.request("POST", f"{base}/requests", json={**ask, "version": "v1"}).json()
    rejected = acme.admin.request(
        "POST", f"{base}/requests/{second['id']}/reject", json={"comment": "not yet"}
    )
    assert rejected.status_code == 200

    expected = [
        "registry.version.created",
        "registry.version.created",
        "registry.alias.set",
        "registry.request.created",
        "registry.stage.changed",
        "registry.request.approved",
        "registry.request.created",
        "registry.request.rejected",
    ]
    receiver.wait(len(expected))
    time.sleep(0.3)  # nothing more arrives
    events = []
    for headers, raw in receiver.got:
        assert verify(hook["secret"], raw, headers[SIGNATURE_HEADER], now=int(time.time()))
        events.append(json.loads(raw)["event"])
    assert sorted(events) == sorted(expected)
    bell = acme.viewer.request("GET", "/notifications").json()
    assert bell["unread"] == len(expected)
