"""Report collaboration over real HTTP and a real websocket on the local server: two pycrdt clients
converge, a retried update is stored once, a viewer's update is refused, compaction keeps every
update, a malformed update is 422, and a socket hears another client's update at once."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
import pycrdt
import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register
from wanllmdb_functions.reports.collab import COMPACT_EVERY

pytestmark = pytest.mark.slow


@dataclass
class Team:
    server: LocalServer
    admin: User  # owns the report
    member: User  # may edit it
    viewer: User  # may only read it
    report: str


def team_with_report(server: LocalServer) -> Team:
    admin, member, viewer = register(server), register(server), register(server)
    org = f"co{uuid.uuid4().hex[:6]}"
    assert admin.request("POST", "/orgs", json={"name": org}).status_code == 201
    for user, role in ((member, "member"), (viewer, "viewer")):
        added = admin.request("POST", f"/orgs/{org}/members", json={"username": user.username, "role": role})
        assert added.status_code in (200, 201), added.text
    project = admin.project(entity=org)
    created = admin.request("POST", f"/projects/{project}/reports", json={"title": "Collab"})
    assert created.status_code == 201, created.text
    report = created.json()["id"]
    published = admin.request("POST", f"/reports/{report}/publish", json={})
    assert published.status_code == 200, published.text
    return Team(server, admin, member, viewer, report)


@pytest.fixture
def team(module_server: LocalServer) -> Team:
    return team_with_report(module_server)


@dataclass
class Client:
    """One editor: a pycrdt Doc whose local updates are POSTed, and which applies what it GETs."""

    user: User
    report: str
    doc: pycrdt.Doc = field(default_factory=pycrdt.Doc)
    since: int = 0
    client_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __post_init__(self) -> None:
        self.text = self.doc.get("text", type=pycrdt.Text)
        self.pending: list[bytes] = []
        self.doc.observe(lambda event: self.pending.append(event.update))
        self.remote = False

    def type(self, chars: str) -> list[int]:
        self.text += chars
        return [self.post(update) for update in self._take()]

    def _take(self) -> list[bytes]:
        out, self.pending = self.pending, []
        return out

    def post(self, update: bytes, update_id: str | None = None) -> int:
        body = {"client_id": self.client_id, "update": base64.b64encode(update).decode(), "id": update_id}
        response = self.user.request("POST", f"/reports/{self.report}/collab/updates", json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["seq"])

    def pull(self, wait_s: float = 0) -> dict:
        params = {"since": self.since, "wait_s": wait_s}
        response = self.user.request("GET", f"/reports/{self.report}/collab/updates", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        for update in body["updates"]:
            self.doc.apply_update(base64.b64decode(update))
        self.pending.clear()  # what arrived from the server is not ours to send back
        self.since = body["seq"]
        return dict(body)


def test_two_clients_converge_through_post_and_get(team: Team) -> None:
    alice, bob = Client(team.admin, team.report), Client(team.member, team.report)
    alice.type("hello ")
    bob.type("world")
    alice.pull()
    bob.pull()
    assert str(alice.text) == str(bob.text)
    assert sorted(str(alice.text)) == sorted("hello world")
    # Both type at once from the same state: still one text, with both edits.
    alice.type("A")
    bob.type("B")
    alice.pull()
    bob.pull()
    assert str(alice.text) == str(bob.text) and {"A", "B"} <= set(str(alice.text))
    late = Client(team.viewer, team.report)
    late.pull()
    assert str(late.text) == str(alice.text)


def test_a_retried_post_does_not_duplicate(team: Team) -> None:
    alice = Client(team.admin, team.report)
    alice.text += "x"
    update = alice._take()[0]
    first = alice.post(update, "u-1")
    assert alice.post(update, "u-1") == first  # the same id: the same seq, nothing appended
    assert alice.post(update) == alice.post(update)  # no id: the update's hash is its id
    body = Client(team.member, team.report).pull()
    assert body["seq"] == first + 1 and len(body["updates"]) == 2


def test_a_viewer_is_refused_403_and_an_outsider_404(team: Team) -> None:
    viewer = Client(team.viewer, team.report)
    viewer.text += "nope"
    body = {"client_id": "v", "update": base64.b64encode(viewer._take()[0]).decode()}
    refused = team.viewer.request("POST", f"/reports/{team.report}/collab/updates", json=body)
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["code"] == "forbidden"
    outsider = register(team.server)
    hidden = outsider.request("POST", f"/reports/{team.report}/collab/updates", json=body)
    assert hidden.status_code == 404, hidden.text
    assert Client(team.admin, team.report).pull()["seq"] == 0  # nothing was stored
    # A viewer still reads, and shows up as present.
    here = team.viewer.request("POST", f"/reports/{team.report}/collab/presence", json={"client_id": "v"})
    assert here.status_code == 200, here.text


@pytest.mark.parametrize("update", ["not base64!", base64.b64encode(b"\xff" * 20).decode(), ""])
def test_a_malformed_update_is_422(team: Team, update: str) -> None:
    body = {"client_id": "c1", "update": update}
    response = team.admin.request("POST", f"/reports/{team.report}/collab/updates", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "update"


def test_compaction_keeps_every_update_of_concurrent_writers(team: Team) -> None:
    writers = [Client(team.admin, team.report), Client(team.member, team.report)]
    count = COMPACT_EVERY * 3 // 4  # two writers: past COMPACT_EVERY updates in all

    def write(client: Client, mark: str) -> None:
        for _ in range(count):
            client.type(mark)

    threads = [threading.Thread(target=write, args=(w, m)) for w, m in zip(writers, "ab", strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fresh = Client(team.viewer, team.report)
    body = fresh.pull()
    assert body["seq"] == 2 * count
    # The history was merged into a snapshot: fewer updates than were posted, and none lost.
    assert len(body["updates"]) < 2 * count
    assert (str(fresh.text).count("a"), str(fresh.text).count("b")) == (count, count)
    # A client that had read part of the history catches up across the compaction too.
    partial = Client(team.viewer, team.report, since=10)
    partial.pull()
    assert partial.since == 2 * count


def test_long_poll_answers_when_an_update_arrives(team: Team) -> None:
    alice, bob = Client(team.admin, team.report), Client(team.member, team.report)
    bob.pull()
    timer = threading.Timer(0.3, lambda: alice.type("late"))
    started = time.monotonic()
    timer.start()
    body = bob.pull(wait_s=10)
    waited = time.monotonic() - started
    timer.join()
    assert body["updates"] and str(bob.text) == "late"
    assert 0.25 < waited < 3, waited
    # Nothing new: the poll waits out wait_s and answers with no updates.
    started = time.monotonic()
    assert bob.pull(wait_s=0.5)["updates"] == []
    assert time.monotonic() - started >= 0.45


def _socket(team: Team, user: User) -> ClientConnection:
    url = team.server.url.replace("http://", "ws://") + f"/api/reports/{team.report}/collab/ws"
    return connect(url, additional_headers={"Authorization": f"Bearer {user.token}"}, open_timeout=10)


def _receive(ws: ClientConnection, kind: str, timeout: float = 5) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(ws.recv(timeout=max(deadline - time.monotonic(), 0.01)))
        if message["type"] == kind:
            return dict(message)


def test_websocket_broadcasts_to_the_other_sockets_at_once(team: Team) -> None:
    alice, bob = Client(team.admin, team.report), Client(team.member, team.report)
    with _socket(team, team.admin) as a_ws, _socket(team, team.member) as b_ws:
        b_ws.send(json.dumps({"type": "sync", "since": 0}))
        assert _receive(b_ws, "state")["seq"] == 0
        alice.text += "hi"
        update = base64.b64encode(alice._take()[0]).decode()
        started = time.monotonic()
        a_ws.send(json.dumps({"type": "update", "client_id": alice.client_id, "update": update, "id": "w1"}))
        heard = _receive(b_ws, "update")
        latency = time.monotonic() - started
        assert _receive(a_ws, "ack") == {"type": "ack", "id": "w1", "seq": 1}
        assert heard["seq"] == 1 and heard["client_id"] == alice.client_id
        bob.doc.apply_update(base64.b64decode(heard["update"]))
        assert str(bob.text) == "hi" and latency < 1, latency
        # A REST POST reaches the sockets too; presence goes to the others.
        bob.type("!")
        assert _receive(a_ws, "update")["seq"] == 2
        b_ws.send(json.dumps({"type": "presence", "client_id": bob.client_id, "block_id": "b1"}))
        present = _receive(a_ws, "presence")["presence"]
        assert [(p["user"], p["block_id"]) for p in present] == [(team.member.username, "b1")]
        # Bad input is an error message on the socket, which stays open.
        a_ws.send(json.dumps({"type": "update", "client_id": "c", "update": "zz!", "id": "bad"}))
        error = _receive(a_ws, "error")
        assert (error["status"], error["id"], error["error"]["field"]) == (422, "bad", "update")
    # The socket closed: its presence went with it.
    assert Client(team.viewer, team.report).pull()["presence"] == []


def test_websocket_refuses_a_viewers_update_and_an_unauthenticated_socket(team: Team) -> None:
    viewer = Client(team.viewer, team.report)
    viewer.text += "x"
    update = base64.b64encode(viewer._take()[0]).decode()
    with _socket(team, team.viewer) as ws:
        ws.send(json.dumps({"type": "update", "client_id": "v", "update": update, "id": "v1"}))
        error = _receive(ws, "error")
        assert (error["status"], error["id"]) == (403, "v1")
    url = team.server.url.replace("http://", "ws://") + f"/api/reports/{team.report}/collab/ws"
    with pytest.raises(Exception, match=r"4401|403|HTTP"), connect(url, open_timeout=10) as ws:
        ws.recv(timeout=5)
    # A cookie from another site's page is refused (no CSRF header can ride a websocket).
    login = httpx.post(
        f"{team.server.url}/api/auth/login",
        json={"username": team.admin.username, "password": "correct horse battery"},
    )
    cookie = login.cookies.get("wl_session")
    if cookie:
        headers = {"Cookie": f"wl_session={cookie}", "Origin": "https://evil.example"}
        with pytest.raises(Exception, match=r"4401|403|HTTP"), connect(url, additional_headers=headers) as ws:
            ws.recv(timeout=5)
