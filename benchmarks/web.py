"""Web dashboard benchmark: workspace draw time, 10,000-run table scrolling, bundle sizes.

Against a real `wanllmdb server` (temp data dir, free port) seeded through the real SDK:
- workspace: 50 metric panels x 10 runs x 100k steps, time from navigation until every panel
  has drawn every run, in headless Chromium; baseline: the same metric requests with bare fetch()
  in the same page (the ratio is what rendering adds);
- runs table: 10,000 runs, time to first rows and to scroll to the last row, frame times while
  scrolling; baseline: paging through the same 10,000 runs with bare fetch();
- bundle: every built asset, raw and gzip.

    PYTHONPATH=sdk:functions .venv/bin/python benchmarks/web.py \
        [--steps 100000 --runs 10 --metrics 50 --table-runs 10000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import LocalServer, start_local_server  # noqa: E402 - the one server starter

WEB = REPO / "web"


def bundle_sizes() -> dict[str, int]:
    """Raw and gzip bytes of every built asset, and of the ones index.html loads up front."""
    index_html = (WEB / "dist" / "index.html").read_text()
    out = {"total_raw": 0, "total_gzip": 0, "initial_raw": 0, "initial_gzip": 0}
    for f in sorted((WEB / "dist" / "assets").iterdir()):
        raw = f.read_bytes()
        packed = len(gzip.compress(raw, 9))
        out["total_raw"] += len(raw)
        out["total_gzip"] += packed
        if f.name in index_html:
            out["initial_raw"] += len(raw)
            out["initial_gzip"] += packed
    return out


def start_server(data_dir: Path) -> LocalServer:
    return start_local_server(data_dir / "data", env={"WANLLMDB_WEB_DIST": str(WEB / "dist")})


def make_table_runs(url: str, token: str, n: int) -> tuple[str, str]:
    """n runs in their own project, created over the REST API (the SDK path per run is init+finish)."""
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=h, timeout=30) as http:
        r = http.post("/api/projects", json={"name": "bench-table"})
        r.raise_for_status()
        project = r.json()

        def create(i: int) -> None:
            body = {
                "id": f"t{i:06d}",
                "name": f"trial-{i}",
                "config": {"lr": 10 ** -(1 + i % 4), "layers": i % 24, "seed": i},
            }
            resp = http.post(f"/api/projects/{project['id']}/runs", json=body)
            if resp.status_code >= 300:
                raise RuntimeError(f"create run {i}: {resp.status_code} {resp.text}")

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(create, range(n)))
    return str(project["id"]), str(project["name"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--metrics", type=int, default=50)
    ap.add_argument("--table-runs", type=int, default=10_000)
    ap.add_argument("--only", choices=["workspace", "table"], default=None)
    args = ap.parse_args()
    if args.only == "table":
        args.runs = 0
    if args.only == "workspace":
        args.table_runs = 0

    if not (WEB / "dist" / "index.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=WEB, check=True)
    print("bundle bytes:", json.dumps(bundle_sizes()))

    tmp = Path(tempfile.mkdtemp(prefix="wanllmdb-web-bench-"))
    server = start_server(tmp)
    url = server.url
    try:
        t = time.perf_counter()
        seeded = subprocess.run(
            [
                sys.executable,
                str(REPO / "tests" / "web_e2e" / "seed.py"),
                "--url",
                url,
                "--project",
                "bench-workspace",
                "--runs",
                str(args.runs),
                "--steps",
                str(args.steps),
                "--metrics",
                str(args.metrics),
                "--username",
                "bench",
                "--admin-key-file",
                str(server.data_dir / "admin-api-key"),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        seed = json.loads(seeded.stdout.strip().splitlines()[-1])
        took = time.perf_counter() - t
        shape = f"{args.runs} runs x {args.steps} steps x {args.metrics} metrics"
        print(f"seeded {shape} through the SDK in {took:.1f} s")
        token = httpx.post(
            f"{url}/api/auth/login", json={"username": seed["username"], "password": seed["password"]}
        ).json()["token"]
        t = time.perf_counter()
        table_pid, table_name = make_table_runs(url, token, args.table_runs) if args.table_runs else ("", "")
        print(f"created {args.table_runs} runs in {time.perf_counter() - t:.1f} s")
        node = subprocess.run(
            [
                "node",
                str(WEB / "scripts" / "bench-browser.mjs"),
                url,
                token,
                seed["username"],
                seed["password"],
                seed["entity"],
                seed["project"],
                ",".join(r["id"] for r in seed["runs"]),
                seed["entity"],
                table_name,
                table_pid,
            ],
            capture_output=True,
            text=True,
            cwd=WEB,
        )
        if node.returncode != 0:
            sys.exit(f"bench-browser.mjs failed ({node.returncode}):\n{node.stdout}\n{node.stderr}")
        res = json.loads(node.stdout.strip().splitlines()[-1])
        if args.runs:
            ws, base = res["workspace_ms"], res["workspace_fetch_ms"]
            print(
                f"workspace: {res['panels']} panels x {args.runs} runs x {args.steps} steps "
                f"drawn in {ws:.0f} ms (page main thread busy {res['workspace_main_thread_ms']:.0f} ms); "
                f"bare fetch of the same data {base:.0f} ms; ratio {ws / base:.2f}x"
            )
        tb = res.get("table")
        if tb:
            print(
                f"runs table: first rows {res['table_first_rows_ms']:.0f} ms; "
                f"scrolled {tb['rows']} rows to the end in {tb['scroll_to_end_ms']:.0f} ms "
                f"(frame p50 {tb['frame_p50_ms']:.1f} ms, p95 {tb['frame_p95_ms']:.1f} ms, "
                f"{tb['dom_rows']} rows in the DOM, page main thread busy {tb['main_thread_ms']:.0f} ms); "
                f"bare fetch of all pages {res['table_fetch_all_ms']:.0f} ms; "
                f"ratio {tb['scroll_to_end_ms'] / res['table_fetch_all_ms']:.2f}x"
            )
        if res["errors"]:
            print("page errors:", res["errors"])
    finally:
        server.stop()


if __name__ == "__main__":
    main()
