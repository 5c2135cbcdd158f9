"""Seeds a project of many runs straight into the lake, for the many-runs workspace test and benchmark.

Logging 1,000 runs through `wanllmdb.init / log / finish` takes minutes; what the workspace reads
is the same either way: a run item, and Parquet chunks in the lake uploaded through the server's
grants (POST /runs/{id}/uploads, then PUT to the presigned URL, as the SDK's uploader does). Each run
logs `train/loss` and `train/acc` over `--steps` steps, then is marked finished. Run `--spike-run`
(an index) logs one spike of `--spike` at the middle step, which the band must show. The last line
on stdout is JSON as seed.py prints: {"entity", "project", "username", "password", "runs": [...]}.

    python tests/web_e2e/seed_many.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key \
        [--runs 200 --steps 500]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from seed import session_token

from tests.lake_chunks import metric_table, parquet_bytes


def run_values(i: int, steps: int, spike_run: int, spike: float) -> dict[str, list[float | None]]:
    loss: list[float | None] = [2.0 * math.exp(-s / (50 + i)) + 0.01 * (i % 7) for s in range(steps)]
    if i == spike_run:
        loss[steps // 2] = spike
    acc: list[float | None] = [1 - 0.5 * math.exp(-s / (80 + i)) for s in range(steps)]
    return {"train/loss": loss, "train/acc": acc}


def upload(http: httpx.Client, run_id: str, data: bytes) -> None:
    item = {"kind": "history", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "seq": 0,
            "attempt": 0}  # fmt: skip
    r = http.post(f"/api/runs/{run_id}/uploads", json={"items": [item]})
    r.raise_for_status()
    grant = r.json()["grants"][0]
    put = httpx.put(grant["url"], content=data, headers=grant["headers"], timeout=60)
    if put.status_code >= 300:
        raise RuntimeError(f"upload of {run_id}: {put.status_code} {put.text}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None)
    ap.add_argument("--username", default="many")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="many-runs")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--spike-run", type=int, default=150, help="index of the run with one spike")
    ap.add_argument("--spike", type=float, default=50.0)
    args = ap.parse_args()
    admin = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin)
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=args.url, headers=headers, timeout=60) as http:
        r = http.post("/api/projects", json={"name": args.project})
        r.raise_for_status()
        project = r.json()["id"]

        def make(i: int) -> dict[str, Any]:
            run_id = f"m{i:05d}"
            body = {"id": run_id, "name": f"many-{i}", "config": {"i": i}}
            created = http.post(f"/api/projects/{project}/runs", json=body)
            created.raise_for_status()
            values = run_values(i, args.steps, args.spike_run, args.spike)
            upload(http, run_id, parquet_bytes(metric_table(list(range(args.steps)), values)))
            http.patch(f"/api/runs/{run_id}", json={"state": "finished"}).raise_for_status()
            return {"id": run_id, "name": body["name"], "config": body["config"]}

        with ThreadPoolExecutor(8) as pool:
            runs = list(pool.map(make, range(args.runs)))
    print(
        json.dumps(
            {
                "entity": args.username,
                "project": args.project,
                "username": args.username,
                "password": args.password,
                "runs": runs,
            }
        )
    )


if __name__ == "__main__":
    main()
