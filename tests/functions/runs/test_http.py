"""The runs API over real HTTP against a real `wanllmdb server` process."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from tests.conftest import LocalServer, start_local_server

pytestmark = pytest.mark.slow


@dataclass
class Api:
    server: LocalServer
    admin: httpx.Client
    viewer: httpx.Client
    project_id: str

    def run(self, run_id: str, **body: object) -> httpx.Response:
        return self.admin.post(f"/api/projects/{self.project_id}/runs", json={"id": run_id, **body})


def _client(url: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.fixture(scope="module")
def api(module_server: LocalServer) -> Iterator[Api]:
    server = module_server
    admin_key = (server.data_dir / "admin-api-key").read_text().strip()
    admin = _client(server.url, admin_key)
    assert admin.post("/api/orgs", json={"name": "lab"}).status_code == 201
    # Sign-up is closed: bob joins lab as a viewer through an invitation.
    invitation = admin.post("/api/invitations", json={"org": "lab", "role": "viewer"}).json()["token"]
    bob = httpx.post(
        f"{server.url}/api/auth/register",
        json={"username": "bob", "password": "pw-bob-12345678", "invitation": invitation},
    )
    assert bob.status_code == 201, bob.text
    project = admin.post("/api/projects", json={"name": "mnist", "entity": "lab"})
    assert project.status_code == 201, project.text
    viewer = _client(server.url, bob.json()["token"])
    yield Api(server, admin, viewer, project.json()["id"])
    admin.close()
    viewer.close()


def error_of(resp: httpx.Response) -> dict[str, str]:
    body = resp.json()
    assert set(body["error"]) == {"code", "message", "field"}, body
    return body["error"]  # type: ignore[no-any-return]


def test_parallel_creates_of_one_run_id_yield_one_run(api: Api) -> None:
    def create(_: int) -> httpx.Response:
        with _client(api.server.url, api.admin.headers["Authorization"].split()[1]) as c:
            return c.post(f"/api/projects/{api.project_id}/runs", json={"id": "race", "config": {"lr": 0.1}})

    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(create, range(50)))
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200] * 49 + [201], [r.text for r in answers if r.status_code >= 300]
    assert len({r.json()["created_at"] for r in answers}) == 1
    listed = api.admin.get(f"/api/projects/{api.project_id}/runs")
    assert [r["id"] for r in listed.json()["items"]].count("race") == 1
    # The one create that won took the project's one run number: its name says so.
    assert {r.json()["name"] for r in answers} == {listed.json()["items"][0]["name"]}
    history = api.admin.get("/api/runs/race/config/history").json()["items"]
    assert [v["version"] for v in history] == [1]


def test_illegal_transition_is_409_with_the_error_body(api: Api) -> None:
    assert api.run("trans").status_code == 201
    assert api.admin.patch("/api/runs/trans", json={"state": "finished", "exit_code": 0}).status_code == 200
    resp = api.admin.patch("/api/runs/trans", json={"state": "running"})
    assert resp.status_code == 409
    assert error_of(resp)["field"] == "state"


def test_config_history_and_diff_endpoints(api: Api) -> None:
    api.run("ca", config={"lr": 0.1, "opt": {"name": "adam"}})
    api.run("cb", config={"lr": 0.3, "opt": {"name": "adam"}, "depth": 2})
    resp = api.admin.patch("/api/runs/ca/config", json={"config": {"lr": 0.2}})
    assert resp.status_code == 409 and error_of(resp)["field"] == "config.lr"
    ok = api.admin.patch("/api/runs/ca/config", json={"config": {"lr": 0.2}, "allow_val_change": True})
    assert ok.json()["config"]["lr"] == 0.2
    history = api.admin.get("/api/runs/ca/config/history").json()["items"]
    assert [(v["version"], v["config"]["lr"]) for v in history] == [(1, 0.1), (2, 0.2)]
    diff = api.admin.get("/api/runs/config-diff", params={"a": "ca", "b": "cb"}).json()
    assert diff == {"changed": {"lr": [0.2, 0.3]}, "only_a": {}, "only_b": {"depth": 2}}


def test_list_filters_and_sorts_through_the_api(api: Api) -> None:
    for i in range(5):
        api.run(f"l{i}", config={"lr": i / 10}, tags=["sweep"])
        api.admin.patch(f"/api/runs/l{i}/summary", json={"summary": {"loss": 5 - i}})
    resp = api.admin.get(
        f"/api/projects/{api.project_id}/runs",
        params={"filters": json.dumps({"config.lr": {"$gte": 0.1}}), "order": "summary.loss",
                "tag": "sweep", "per_page": 2},
    )  # fmt: skip
    body = resp.json()
    assert body["total"] == 4 and [r["id"] for r in body["items"]] == ["l4", "l3"] and body["next_cursor"]
    bad = api.admin.get(f"/api/projects/{api.project_id}/runs", params={"filters": "{oops"})
    assert bad.status_code == 400 and error_of(bad)["field"] == "filters"


def _grant(
    api: Api, run_id: str, data: bytes, client: httpx.Client | None = None, **item: object
) -> httpx.Response:
    body = {"items": [{"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **item}]}
    return (client or api.admin).post(f"/api/runs/{run_id}/uploads", json=body)


def test_grant_then_put_lands_in_the_lake(api: Api) -> None:
    api.run("up")
    data = b"PAR1" + bytes(range(200)) + b"PAR1"
    resp = _grant(api, "up", data, kind="history", seq=0, attempt=0)
    assert resp.status_code == 200, resp.text
    (grant,) = resp.json()["grants"]
    put = httpx.put(grant["url"], content=data, headers=grant["headers"])
    assert put.status_code == 200, put.text
    assert (api.server.data_dir / "lake" / grant["key"]).read_bytes() == data
    file_grant = _grant(api, "up", b"hello", kind="file", path="notes/readme.txt").json()["grants"][0]
    assert httpx.put(file_grant["url"], content=b"hello", headers=file_grant["headers"]).status_code == 200
    assert (api.server.data_dir / "lake" / file_grant["key"]).read_bytes() == b"hello"


def test_tampered_and_expired_grants_are_refused(api: Api) -> None:
    api.run("tamper")
    data = b"chunk-bytes"
    grant = _grant(api, "tamper", data, kind="history", seq=1, attempt=0).json()["grants"][0]
    url = urlsplit(grant["url"])
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    other_key = url.path.replace("run%3Dtamper", "run%3Dup")
    assert other_key != url.path
    assert httpx.put(f"{url.scheme}://{url.netloc}{other_key}?{url.query}", content=data).status_code == 403
    bigger = {**query, "X-Wl-Max-Length": str(10**9)}
    assert (
        httpx.put(f"{url.scheme}://{url.netloc}{url.path}?{urlencode(bigger)}", content=data).status_code
        == 403
    )
    # An expired URL correctly signed with the server's own secret is still refused.
    secret = bytes.fromhex((api.server.data_dir / "blob-signing-secret").read_text().strip())
    key = grant["key"]
    expires = int(time.time()) - 5
    message = "\n".join(["PUT", key, str(expires), str(len(data)), query["X-Wl-Sha256"]]).encode()
    expired = {**query, "X-Wl-Expires": str(expires),
               "X-Wl-Signature": hmac.new(secret, message, hashlib.sha256).hexdigest()}  # fmt: skip
    resp = httpx.put(f"{url.scheme}://{url.netloc}{url.path}?{urlencode(expired)}", content=data)
    assert resp.status_code == 403 and error_of(resp)["field"] == "X-Wl-Expires"
    assert not (api.server.data_dir / "lake" / key).exists()


def test_viewer_gets_403_and_a_finished_run_409_and_traversal_400(api: Api) -> None:
    api.run("fin")
    resp = _grant(api, "fin", b"x", client=api.viewer, kind="file", path="a.txt")
    assert resp.status_code == 403 and error_of(resp)["code"] == "forbidden"
    assert api.viewer.get("/api/runs/fin").status_code == 200
    bad = _grant(api, "fin", b"x", kind="file", path="../../etc/passwd")
    assert bad.status_code == 400 and error_of(bad)["field"] == "items.0.path"
    api.admin.patch("/api/runs/fin", json={"state": "finished"})
    resp = _grant(api, "fin", b"x", kind="file", path="a.txt")
    assert resp.status_code == 409 and error_of(resp)["field"] == "state"


def test_no_token_is_401_and_bad_bodies_are_4xx(api: Api) -> None:
    # Without a token, reads see public projects only (a private run is not found); writes are 401.
    assert httpx.get(f"{api.server.url}/api/runs/fin").status_code == 404
    create = httpx.post(f"{api.server.url}/api/projects/{api.project_id}/runs", json={"id": "anon"})
    assert create.status_code == 401
    for body, field in (
        ({"id": "BAD ID"}, "id"),
        ({"id": "x", "tags": "notalist"}, "tags"),
        ({"id": "x", "resume": "sometimes"}, "resume"),
        ({"id": "x", "resume_token": "short"}, "resume_token"),
        ({"id": "x", "resume_token": "has spaces in it"}, "resume_token"),
    ):
        resp = api.admin.post(f"/api/projects/{api.project_id}/runs", json=body)
        assert resp.status_code == 422 and error_of(resp)["code"] == "invalid"
        assert field in error_of(resp)["field"], error_of(resp)
    raw = api.admin.post(f"/api/projects/{api.project_id}/runs", content=b"{not json",
                         headers={"Content-Type": "application/json"})  # fmt: skip
    assert raw.status_code == 422


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "run\x00one"),
        ("name", "ring\x07"),
        ("name", "report\u202egpj.exe"),  # right-to-left override: displays as "exe.jpg"
        ("group", "sweep\x1b[31m"),
        ("job_type", "train\u2066"),
        ("notes", "fine\nlines\tbut a \x07 bell"),
        ("tags", ["ok", "bad\u202d"]),
    ],
)
def test_control_and_direction_characters_are_refused_naming_the_field(
    api: Api, field: str, value: object
) -> None:
    created = api.run("plain-text", **{field: value})
    assert created.status_code == 422, created.text
    assert field in error_of(created)["field"] and "U+" in error_of(created)["message"]
    assert error_of(created)["message"].startswith(f"{error_of(created)['field']}: U+")
    stored = api.run("plain-text")
    assert stored.status_code in (200, 201)
    patched = api.admin.patch("/api/runs/plain-text", json={field: value})
    assert patched.status_code == 422 and field in error_of(patched)["field"]
    # The refused patch left what was stored (a generated name, or nothing) as it was.
    assert api.admin.get("/api/runs/plain-text").json()[field] == stored.json()[field]


def test_notes_keep_their_line_breaks_and_names_their_unicode(api: Api) -> None:
    body = {"name": "résumé, 学习率 🚀", "notes": "line one\nline two\ttabbed", "tags": ["مرحبا"]}
    created = api.run("unicode-ok", **body)
    assert created.status_code == 201, created.text
    assert {k: created.json()[k] for k in body} == body


def test_heartbeat_and_delete_over_http(api: Api) -> None:
    api.run("gone")
    assert api.admin.post("/api/runs/gone/heartbeat").json() == {"state": "running", "attempt": 0}
    assert api.admin.delete("/api/runs/gone").status_code == 202
    assert api.admin.get("/api/runs/gone").status_code == 404


def test_local_server_reaper_crashes_a_silent_run_and_resume_revives_it(tmp_path: Path) -> None:
    env = {"WANLLMDB_HEARTBEAT_TIMEOUT_S": "10", "WANLLMDB_REAPER_INTERVAL_S": "1"}
    server = start_local_server(tmp_path / "data", env=env)
    try:
        key = (server.data_dir / "admin-api-key").read_text().strip()
        with _client(server.url, key) as client:
            project = client.post("/api/projects", json={"name": "reaped"}).json()["id"]
            assert client.post(f"/api/projects/{project}/runs", json={"id": "quiet"}).status_code == 201
            deadline = time.monotonic() + 30
            while client.get("/api/runs/quiet").json()["state"] == "running":
                assert time.monotonic() < deadline, "the reaper never marked the silent run crashed"
                time.sleep(0.5)
            assert client.get("/api/runs/quiet").json()["state"] == "crashed"
            resumed = client.post(f"/api/projects/{project}/runs", json={"id": "quiet", "resume": "allow"})
            assert resumed.status_code == 200
            assert (resumed.json()["state"], resumed.json()["attempt"]) == ("running", 1)
            grant = _grant_for(client, "quiet", b"x", kind="history", seq=0, attempt=1)
            assert grant.status_code == 200 and "chunk-a0001-000000000" in grant.json()["grants"][0]["key"]
    finally:
        server.stop()


def _grant_for(client: httpx.Client, run_id: str, data: bytes, **item: object) -> httpx.Response:
    body = {"items": [{"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **item}]}
    return client.post(f"/api/runs/{run_id}/uploads", json=body)


def test_a_config_of_several_megabytes_is_kept_whole_and_one_over_10_mb_is_413(api: Api) -> None:
    big = {"vocab": [f"token-{i:07d}" for i in range(300_000)], "lr": 0.1}  # about 5 MB of JSON
    created = api.run("bigcfg", config=big)
    assert created.status_code == 201, created.text[:300]
    assert api.admin.get("/api/runs/bigcfg").json()["config"] == big
    history = api.admin.get("/api/runs/bigcfg/config/history").json()["items"]
    assert history[0]["config"]["vocab"][-1] == "token-0299999"
    huge = api.admin.patch("/api/runs/bigcfg/config", json={"config": {"blob": "x" * (11 << 20)}})
    assert huge.status_code == 413 and error_of(huge)["code"] == "too_large"
    other = api.admin.patch("/api/runs/bigcfg", json={"notes": "x" * (3 << 20)})
    assert other.status_code == 413  # routes without a config keep the 2 MiB default
