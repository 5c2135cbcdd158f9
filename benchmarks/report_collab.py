"""Issue 21 benchmark: report collaboration convergence, edit to the other client's doc, on a real server.

    python benchmarks/report_collab.py [--edits 100]

Two pycrdt clients (an admin and an org member) edit one published report, alternating who types.
One edit is timed from the writer's send to the moment the reader's doc holds it:

- ``websocket``: both on /api/reports/{id}/collab/ws; the writer sends an update, the reader receives
  the broadcast and applies it.
- ``long-poll``: the writer POSTs, the reader has a GET ...?wait_s=20 waiting and applies its answer.

The baseline, measured in the same run against the same server, is one plain REST round trip of the
same size: a GET .../collab/updates with nothing new (wait_s=0), which is authentication, the report's
authorization and one store read. The ratio says what the collaboration path adds on top of an
ordinary request. The browser figure (two Chromium contexts through the TipTap editor) is in
web/tests/e2e/report-collab.e2e.ts.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import pycrdt
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks._server import local_server, percentile


def register(url: str, admin_key: str) -> tuple[str, str]:
    invite = httpx.post(f"{url}/api/invitations", json={}, headers={"Authorization": f"Bearer {admin_key}"})
    name = f"u{uuid.uuid4().hex[:8]}"
    body = {"username": name, "password": "correct horse battery", "invitation": invite.json()["token"]}
    return name, httpx.post(f"{url}/api/auth/register", json=body).json()["token"]


def setup(url: str, admin_key: str) -> tuple[str, httpx.Client, httpx.Client]:
    (_, a_token), (b_name, b_token) = register(url, admin_key), register(url, admin_key)
    a = httpx.Client(base_url=f"{url}/api", headers={"Authorization": f"Bearer {a_token}"}, timeout=60)
    b = httpx.Client(base_url=f"{url}/api", headers={"Authorization": f"Bearer {b_token}"}, timeout=60)
    org = f"bench{uuid.uuid4().hex[:6]}"
    a.post("/orgs", json={"name": org}).raise_for_status()
    a.post(f"/orgs/{org}/members", json={"username": b_name, "role": "member"}).raise_for_status()
    project = a.post("/projects", json={"name": "bench", "entity": org}).json()["id"]
    report = a.post(f"/projects/{project}/reports", json={"title": "bench"}).json()["id"]
    a.post(f"/reports/{report}/publish", json={}).raise_for_status()
    return report, a, b


class Editor:
    def __init__(self) -> None:
        self.doc: pycrdt.Doc = pycrdt.Doc()
        self.text = self.doc.get("text", type=pycrdt.Text)
        self.out: list[bytes] = []
        self.doc.observe(lambda e: self.out.append(e.update))

    def type(self, chars: str) -> str:
        self.text += chars
        update = pycrdt.merge_updates(*self.out)
        self.out.clear()
        return base64.b64encode(update).decode()

    def apply(self, update: str) -> None:
        self.doc.apply_update(base64.b64decode(update))
        self.out.clear()


def bench_rest_baseline(client: httpx.Client, report: str, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(
            f"/reports/{report}/collab/updates", params={"since": 10**9, "wait_s": 0}
        ).raise_for_status()
        times.append(time.perf_counter() - start)
    return times


def bench_websocket(url: str, report: str, tokens: list[str], edits: int) -> list[float]:
    ws_url = url.replace("http://", "ws://") + f"/api/reports/{report}/collab/ws"
    editors = [Editor(), Editor()]
    with (
        connect(ws_url, additional_headers={"Authorization": f"Bearer {tokens[0]}"}) as ws_a,
        connect(ws_url, additional_headers={"Authorization": f"Bearer {tokens[1]}"}) as ws_b,
    ):
        sockets = [ws_a, ws_b]
        for ws, ed in zip(sockets, editors, strict=True):
            ws.send(json.dumps({"type": "sync", "since": 0}))
            for update in _wait(ws, "state")["updates"]:
                ed.apply(update)
        times = []
        for i in range(edits):
            w, r = (0, 1) if i % 2 == 0 else (1, 0)
            marker = f"<{i}>"
            update = editors[w].type(marker)
            start = time.perf_counter()
            sockets[w].send(
                json.dumps({"type": "update", "client_id": f"c{w}", "update": update, "id": f"e{i}"})
            )
            while marker not in str(editors[r].text):
                editors[r].apply(_wait(sockets[r], "update")["update"])
            times.append(time.perf_counter() - start)
            _wait(sockets[w], "ack")
        return times


def _wait(ws, kind: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    while True:
        message = json.loads(ws.recv(timeout=10))
        if message["type"] == kind:
            return dict(message)


def bench_long_poll(clients: list[httpx.Client], report: str, edits: int) -> list[float]:
    editors = [Editor(), Editor()]
    seqs = [0, 0]
    for k in (0, 1):
        body = clients[k].get(f"/reports/{report}/collab/updates", params={"since": 0}).json()
        for u in body["updates"]:
            editors[k].apply(u)
        seqs[k] = body["seq"]
    times = []
    for i in range(edits):
        w, r = (0, 1) if i % 2 == 0 else (1, 0)
        marker = f"[{i}]"
        got: dict[str, float] = {}

        def poll(r: int = r, marker: str = marker, got: dict[str, float] = got) -> None:
            while marker not in str(editors[r].text):
                body = (
                    clients[r]
                    .get(f"/reports/{report}/collab/updates", params={"since": seqs[r], "wait_s": 20})
                    .json()
                )
                for u in body["updates"]:
                    editors[r].apply(u)
                seqs[r] = body["seq"]
            got["at"] = time.perf_counter()

        poller = threading.Thread(target=poll)
        poller.start()
        time.sleep(0.02)  # the poll is waiting on the server, as a browser's is
        update = editors[w].type(marker)
        start = time.perf_counter()
        body = {"client_id": f"c{w}", "update": update, "id": f"p{i}"}
        seqs[w] = clients[w].post(f"/reports/{report}/collab/updates", json=body).json()["seq"]
        poller.join()
        times.append(got["at"] - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--edits", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, local_server(Path(tmp) / "data") as (url, admin_key):
        report, a, b = setup(url, admin_key)
        tokens = [str(c.headers["Authorization"]).split()[1] for c in (a, b)]
        bench_rest_baseline(a, report, 20)  # warm up
        baseline = bench_rest_baseline(a, report, args.edits)
        ws = bench_websocket(url, report, tokens, args.edits)
        poll = bench_long_poll([a, b], report, args.edits)
        base50, base95 = percentile(baseline, 50) * 1e3, percentile(baseline, 95) * 1e3
        print(f"baseline REST round trip (GET, nothing new): p50 {base50:.1f} ms, p95 {base95:.1f} ms")
        for name, samples in (("websocket", ws), ("long-poll", poll)):
            p50, p95 = percentile(samples, 50) * 1e3, percentile(samples, 95) * 1e3
            print(
                f"{name:9s} convergence over {len(samples)} edits: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                f"max {max(samples) * 1e3:.1f} ms; p95 / baseline p95 = {p95 / base95:.2f}"
            )


if __name__ == "__main__":
    main()
