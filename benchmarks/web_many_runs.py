"""Web benchmark: a workspace with 1,000 runs selected, drawn as N lines plus one band of the rest.

Against a real `wanllmdb server` (temp data dir, free port): 1,000 finished, compacted runs of
`train/loss` and `train/acc` seeded straight into the lake through the server's grants
(tests/web_e2e/seed_many.py), all selected in the workspace, 10 drawn as lines. Measured in headless
Chromium (web/scripts/bench-many-runs.mjs), each in a fresh browser context: time from navigation
until every panel has drawn its 10 lines and the band of the other 990, and the requests the page
made. Baseline, in the same page: the same data with bare fetch() (the keys of every run in one
POST, then the lines' GET and the band's POST at once), so the ratio is what the UI adds on top of
the data. Also timed: the 2,000 per-run key requests the workspace made before.

    PYTHONPATH=sdk:functions .venv/bin/python benchmarks/web_many_runs.py \
        [--runs 1000 --steps 1000 --lines 10 --dist DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import start_local_server  # noqa: E402 - the one server starter

WEB = REPO / "web"
KEYS = ("train/acc", "train/loss")


def wait_compacted(url: str, token: str, project: str, runs: list[str], timeout_s: float = 600) -> None:
    """Until every run is compacted, which the band answer's caching verdict says: timing the page
    meanwhile would time 1,000 compactions sharing the cores."""
    body = {"runs": [], "band": runs, "keys": [KEYS[0]], "buckets": 1}
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=300) as http:
        while "immutable" not in http.post(f"/api/projects/{project}/metrics/batch", json=body).headers.get(
            "Cache-Control", ""
        ):
            if time.monotonic() > deadline:
                sys.exit(f"the seeded runs were not compacted within {timeout_s:.0f} s")
            time.sleep(2)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=10, choices=[5, 10, 20, 50])
    ap.add_argument("--dist", default=str(WEB / "dist"), help="the built site to serve (default web/dist)")
    args = ap.parse_args()
    dist = Path(args.dist)
    if dist == WEB / "dist" and not (dist / "index.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=WEB, check=True)

    tmp = Path(tempfile.mkdtemp(prefix="wanllmdb-many-runs-bench-"))
    server = start_local_server(tmp / "data", env={"WANLLMDB_WEB_DIST": str(dist)})
    try:
        t = time.perf_counter()
        seeded = subprocess.run(
            [sys.executable, str(REPO / "tests" / "web_e2e" / "seed_many.py"), "--url", server.url,
             "--admin-key-file", str(server.data_dir / "admin-api-key"), "--runs", str(args.runs),
             "--steps", str(args.steps), "--spike-run", str(args.runs // 2)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        runs = [r["id"] for r in seed["runs"]]
        took = time.perf_counter() - t
        print(f"seeded {args.runs} runs x {args.steps} steps x {len(KEYS)} keys in {took:.1f} s")
        token = httpx.post(
            f"{server.url}/api/auth/login", json={"username": seed["username"], "password": seed["password"]}
        ).json()["token"]
        project = f"{seed['entity']}:{seed['project']}"
        t = time.perf_counter()
        wait_compacted(server.url, token, project, runs)
        print(f"the finished runs were compacted {time.perf_counter() - t:.1f} s after seeding")
        node = subprocess.run(
            ["node", str(WEB / "scripts" / "bench-many-runs.mjs"), server.url, token, seed["username"],
             seed["password"], seed["entity"], seed["project"], ",".join(runs), str(args.lines),
             ",".join(KEYS)],
            capture_output=True, text=True, cwd=WEB,
        )  # fmt: skip
        if node.returncode != 0:
            sys.exit(f"bench-many-runs.mjs failed ({node.returncode}):\n{node.stdout}\n{node.stderr}")
        res = json.loads(node.stdout.strip().splitlines()[-1])
        band = res["runs"] - res["lines"]
        print(
            f"workspace, {res['runs']} runs selected ({res['lines']} lines + a band of {band}) x "
            f"{len(KEYS)} panels: drawn in {res['draw_ms']:.0f} ms (median of {res['draws_ms']}) "
            f"from {res['requests']} requests; bare fetch of the same data {res['fetch_ms']:.0f} ms "
            f"({res['fetch_bytes'] / 1e3:.0f} kB Arrow); ratio {res['draw_ms'] / res['fetch_ms']:.2f}x"
        )
        old = res["per_run_keys"]
        if old:
            print(f"  before: the keys alone took {old['requests']} per-run requests, {old['ms']:.0f} ms")
        if res["errors"]:
            print("page errors:", res["errors"])
    finally:
        server.stop()


if __name__ == "__main__":
    main()
