"""Issue 21 benchmark: opening a 50-panel report, until it is interactive, in headless Chromium.

Against a real `wanllmdb server` (temp data dir, free port) seeded through the real SDK
(tests/web_e2e/seed.py: --runs runs x --steps steps x 50 metrics), a report of --grids panel grids
(a heading, a paragraph and 50 / grids line panels each, every grid's run set the whole project)
is opened in headless Chromium. Timed: navigation start until ``window.__reportReady`` is true
(every panel has drawn; the flag the PDF export waits on).

The baseline, measured in the same run against the same server, is a bare page of the same origin
(the server's /api/health document) that performs the same API requests the report page made
(recorded while it opened), in the same dependency order: the report, then its project by name,
then the run listings, then everything else, each wave at once. So the ratio is what the report
page adds on top of its data: its code, rendering 50 charts, and any request it waits on in series
that need not be. Both are warmed once first (the server caches decoded lake objects); the median of
--rounds alternating rounds is printed.

    PYTHONPATH=sdk:functions .venv/bin/python benchmarks/report_open.py [--runs 10 --steps 3000 --grids 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import start_local_server  # noqa: E402 - the one server starter

WEB = REPO / "web"
METRICS = 50  # seed.py's synthetic keys: s{k // 10}/metric{k}, k < 50


def report_spec(entity: str, project: str, grids: int) -> dict[str, Any]:
    """`grids` panel grids sharing the 50 metrics: 50 line panels in all, two to a row."""
    per = METRICS // grids
    blocks: list[dict[str, Any]] = []
    for g in range(grids):
        keys = [f"s{k // 10}/metric{k}" for k in range(g * per, (g + 1) * per)]
        panels = [
            {
                "id": f"g{g}p{i}",
                "type": "line",
                "title": key,
                "layout": {"x": (i % 2) * 12, "y": (i // 2) * 8, "w": 12, "h": 8},
                "config": {"metric": key},
            }
            for i, key in enumerate(keys)
        ]
        blocks += [
            {"id": f"h{g}", "type": "heading", "level": 2, "text": [{"text": f"Section {g + 1}"}]},
            {"id": f"t{g}", "type": "paragraph", "text": [{"text": f"Metrics {keys[0]} to {keys[-1]}."}]},
            {"id": f"grid{g}", "type": "panel_grid",
             "run_sets": [{"id": f"rs{g}", "project": f"{entity}/{project}"}], "panels": panels},
        ]  # fmt: skip
    return {"version": 1, "title": "Bench report", "blocks": blocks}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--grids", type=int, default=5, choices=[1, 2, 5, 10, 25, 50])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--web-dist", type=Path, default=WEB / "dist", help="a built dashboard (vite build)")
    args = ap.parse_args()

    if not (args.web_dist / "index.html").exists():
        subprocess.run(["npx", "vite", "build", "--outDir", str(args.web_dist)], cwd=WEB, check=True)
    tmp = Path(tempfile.mkdtemp(prefix="wanllmdb-report-bench-"))
    server = start_local_server(tmp / "data", env={"WANLLMDB_WEB_DIST": str(args.web_dist)})
    try:
        t = time.perf_counter()
        seeded = subprocess.run(
            [sys.executable, str(REPO / "tests" / "web_e2e" / "seed.py"), "--url", server.url,
             "--project", "bench-report", "--runs", str(args.runs), "--steps", str(args.steps),
             "--metrics", str(METRICS), "--username", "bench",
             "--admin-key-file", str(server.data_dir / "admin-api-key")],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        print(
            f"seeded {args.runs} runs x {args.steps} steps x {METRICS} metrics through the SDK "
            f"in {time.perf_counter() - t:.1f} s"
        )
        login = {"username": seed["username"], "password": seed["password"]}
        token = httpx.post(f"{server.url}/api/auth/login", json=login).json()["token"]
        with httpx.Client(base_url=f"{server.url}/api", headers={"Authorization": f"Bearer {token}"}) as api:
            project = api.get(f"/projects/by-name/{seed['entity']}/{seed['project']}").json()["id"]
            spec = report_spec(seed["entity"], seed["project"], args.grids)
            made = api.post(f"/projects/{project}/reports", json={"title": "Bench report", "spec": spec})
            made.raise_for_status()
        path = f"/{seed['entity']}/{seed['project']}/reports/{made.json()['id']}"
        node = subprocess.run(
            ["node", str(WEB / "scripts" / "bench-report-open.mjs"), server.url, seed["username"],
             seed["password"], path, str(args.rounds)],
            capture_output=True, text=True, cwd=WEB,
        )  # fmt: skip
        if node.returncode != 0:
            sys.exit(f"bench-report-open.mjs failed ({node.returncode}):\n{node.stdout}\n{node.stderr}")
        res = json.loads(node.stdout.strip().splitlines()[-1])
        opened, bare = res["report_ms"], res["bare_ms"]
        print(
            f"report: {res['panels']} line panels in {args.grids} grids x {args.runs} runs x "
            f"{args.steps} steps, "
            f"{res['requests']} API requests; open to interactive (navigation start to __reportReady) "
            f"median {opened:.0f} ms (rounds {', '.join(f'{v:.0f}' for v in res['report_rounds'])}; "
            f"page main thread busy {res['main_thread_ms']:.0f} ms)"
        )
        print(
            f"baseline: a bare page making the same requests in {res['waves']} dependency waves, median "
            f"{bare:.0f} ms (document {res['bare_document_ms']:.0f} ms + requests "
            f"{res['bare_fetch_ms']:.0f} ms); "
            f"ratio {opened / bare:.2f}x"
        )
        if res["errors"]:
            print("page errors:", res["errors"])
    finally:
        server.stop()


if __name__ == "__main__":
    main()
