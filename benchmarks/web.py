"""Web dashboard benchmark: workspace draw time, 10,000-run table scrolling, bundle sizes.

Against a real `wanllmdb server` (temp data dir, free port) seeded through the real SDK:
- workspace: 50 metric panels x 10 runs x 100k steps in five sections, in headless Chromium: time
  from navigation until the first screen has drawn, until all 50 have (scrolling section by section,
  and in a window tall enough for all), and a reload from the browser's cache; baseline: the same
  batch requests with bare fetch() in the same page (the ratio is what rendering adds);
- runs table: 10,000 runs, time to first rows and to scroll to the last row, frame times while
  scrolling; baseline: paging through the same 10,000 runs with bare fetch();
- bundle: every built asset, raw and gzip.

    PYTHONPATH=sdk:functions .venv/bin/python benchmarks/web.py \
        [--steps 100000 --runs 10 --metrics 50 --table-runs 10000 --only workspace|table --dist DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import LocalServer, start_local_server  # noqa: E402 - the one server starter

WEB = REPO / "web"


def bundle_sizes(dist: Path) -> dict[str, int]:
    """Raw and gzip bytes of every built asset, and of the ones index.html loads up front."""
    index_html = (dist / "index.html").read_text()
    out = {"total_raw": 0, "total_gzip": 0, "initial_raw": 0, "initial_gzip": 0}
    for f in sorted((dist / "assets").iterdir()):
        raw = f.read_bytes()
        packed = len(gzip.compress(raw, 9))
        out["total_raw"] += len(raw)
        out["total_gzip"] += packed
        if f.name in index_html:
            out["initial_raw"] += len(raw)
            out["initial_gzip"] += packed
    return out


def start_server(data_dir: Path, dist: Path) -> LocalServer:
    return start_local_server(data_dir / "data", env={"WANLLMDB_WEB_DIST": str(dist)})


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


def wait_compacted(url: str, token: str, seed: dict[str, Any], timeout_s: float = 600) -> None:
    """Until every seeded run is finished and compacted, which the batch route's caching verdict says.

    Finishing a run compacts it in the background; timing the workspace meanwhile would time the
    compaction of 10 runs x 5M rows sharing the cores, not the workspace.
    """
    path = f"/api/projects/{seed['entity']}:{seed['project']}/metrics/batch"
    deadline = time.monotonic() + timeout_s
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120) as http:
        keys = http.get(f"/api/runs/{seed['runs'][0]['id']}/metric-keys").json()["keys"]
        params = {"runs": ",".join(r["id"] for r in seed["runs"]), "keys": keys[0], "buckets": "1"}
        while "immutable" not in http.get(path, params=params).headers.get("Cache-Control", ""):
            if time.monotonic() > deadline:
                sys.exit(f"the seeded runs were not compacted within {timeout_s:.0f} s")
            time.sleep(1)


def print_workspace(res: dict[str, Any], shape: str) -> None:
    first, every, as_json = res["workspace_first_fetch"], res["workspace_fetch"], res["workspace_fetch_json"]
    screen, tall = res["workspace_first_screen_ms"], res["workspace_tall_ms"]
    print(f"workspace ({shape}), batched, one request per section on screen:")
    print(
        f"  first screen drawn in {screen:.0f} ms; "
        f"bare fetch of its request {first['ms']:.0f} ms; ratio {screen / first['ms']:.2f}x"
    )
    print(
        f"  all 50 drawn, scrolling to each section once the one above had drawn: "
        f"{res['workspace_scrolled_ms']:.0f} ms "
        f"(page main thread busy {res['workspace_main_thread_ms']:.0f} ms)"
    )
    print(
        f"  all 50 drawn in a window tall enough for every section: {tall:.0f} ms; "
        f"bare fetch of its {every['requests']} requests {every['ms']:.0f} ms "
        f"({every['bytes'] / 1e6:.1f} MB Arrow); ratio {tall / every['ms']:.2f}x"
    )
    print(f"  reload, answers from the browser's cache: {res['workspace_reload_ms']:.0f} ms")
    from_list = res["workspace_from_list_ms"]
    print(
        f"  first screen reached from the projects page (in-app navigation): {from_list:.0f} ms; "
        f"ratio {from_list / first['ms']:.2f}x its request"
    )
    print(f"    its API requests, in order: {', '.join(res['workspace_from_list_requests'])}")
    print("  first screen's waterfall (ms since navigation):")
    for entry in res.get("workspace_first_screen_waterfall", []):
        print(f"    {entry['start']:>6} - {entry['end']:>6}  {entry['what']}")
    print(
        f"  the same requests as JSON: {as_json['ms']:.0f} ms ({as_json['bytes'] / 1e6:.1f} MB); "
        f"the per-run path before batching (one GET /runs/{{id}}/metrics per run per 40 keys): "
        f"{res['workspace_old_fetch_ms']:.0f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--metrics", type=int, default=50)
    ap.add_argument("--table-runs", type=int, default=10_000)
    ap.add_argument("--only", choices=["workspace", "table"], default=None)
    ap.add_argument("--dist", default=str(WEB / "dist"), help="the built site to serve (default web/dist)")
    args = ap.parse_args()
    if args.only == "table":
        args.runs = 0
    if args.only == "workspace":
        args.table_runs = 0

    dist = Path(args.dist)
    if dist == WEB / "dist" and not (dist / "index.html").exists():
        subprocess.run(["npm", "run", "build"], cwd=WEB, check=True)
    print("bundle bytes:", json.dumps(bundle_sizes(dist)))

    tmp = Path(tempfile.mkdtemp(prefix="wanllmdb-web-bench-"))
    server = start_server(tmp, dist)
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
        if args.runs:
            t = time.perf_counter()
            wait_compacted(url, token, seed)
            print(f"the finished runs were compacted {time.perf_counter() - t:.1f} s after seeding")
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
            print_workspace(res, f"{res['panels']} panels x {args.runs} runs x {args.steps} steps")
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
        shutil.rmtree(tmp, ignore_errors=True)  # the seeded lake is over half a gigabyte


if __name__ == "__main__":
    main()
