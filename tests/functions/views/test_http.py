"""Saved views over real HTTP against a real `wanllmdb server`: round trip, status codes, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest

from tests.conftest import LocalServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(module_server: LocalServer) -> Iterator[tuple[httpx.Client, str]]:
    key = (module_server.data_dir / "admin-api-key").read_text().strip()
    with httpx.Client(base_url=module_server.url, headers={"Authorization": f"Bearer {key}"}) as http:
        project = http.post("/api/projects", json={"name": "views-http"})
        assert project.status_code == 201, project.text
        yield http, f"/api/projects/{project.json()['id']}/views"


def test_round_trip_with_a_unicode_name(client: tuple[httpx.Client, str]) -> None:
    http, base = client
    name = "Ablation \u2013 3 seeds (lr \u2264 1e-3)"
    url = f"{base}/{quote(name, safe='')}"
    created = http.put(url, json={"spec": {"runs": ["r1"], "x": "step"}})
    assert created.status_code == 201, created.text
    assert http.put(url, json={"spec": {"runs": ["r1"], "x": "step"}}).status_code == 200
    updated = http.put(url, json={"spec": {"runs": ["r1", "r2"]}, "revision": 1})
    assert updated.status_code == 200 and updated.json()["revision"] == 2
    stale = http.put(url, json={"spec": {"runs": []}, "revision": 1})
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "revision"
    listed = http.get(base).json()["views"]
    assert [(v["name"], v["spec"]) for v in listed] == [(name, {"runs": ["r1", "r2"]})]
    assert http.get(url).json()["revision"] == 2
    assert http.delete(url).status_code == 204
    missing = http.get(url)
    assert missing.status_code == 404 and missing.json()["error"]["field"] == "name"


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("%20%20", {"spec": {}}, "name"),
        ("x" * 101, {"spec": {}}, "name"),
        ("ok", {}, "spec"),
        ("ok", {"spec": ["not", "an", "object"]}, "spec"),
        ("ok", {"spec": {}, "revision": -1}, "revision"),
        ("ok", {"spec": {}, "colour": "red"}, "colour"),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    client: tuple[httpx.Client, str], name: str, body: dict[str, object], field: str
) -> None:
    http, base = client
    resp = http.put(f"{base}/{name}", json=body)
    assert resp.status_code == 422, resp.text
    assert field in resp.json()["error"]["field"], resp.json()
    assert http.get(base).json()["views"] == []  # nothing was stored


def test_an_oversized_spec_is_a_413_naming_spec(client: tuple[httpx.Client, str]) -> None:
    http, base = client
    resp = http.put(f"{base}/big", json={"spec": {"blob": "x" * (70 << 10)}})
    assert resp.status_code == 413 and resp.json()["error"]["field"] == "spec"
