"""Crashes a run through the real SDK, for the admin journey of the web end-to-end test (admin.e2e.ts).

A child process runs `wanllmdb.init / log` as a training script would and is then interrupted
(KeyboardInterrupt), which the SDK's hooks report as a crashed run; --runs N does so N times. The
last line on stdout is JSON: {"entity", "project", "runs": [{"id", "state"}]} with the states the
server then holds.

    python tests/web_e2e/seed_crash.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key \
        --entity acme --project vision [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

TRAINING = """
import wanllmdb
run = wanllmdb.init(entity={entity!r}, project={project!r}, name="doomed", config={{"lr": 0.1}})
print("RUN_ID", run.id, flush=True)
for step in range(20):
    wanllmdb.log({{"loss": 1.0 / (step + 1)}}, step=step)
raise KeyboardInterrupt  # the operator pressed Ctrl-C: the SDK marks the run crashed
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", required=True)
    ap.add_argument("--entity", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    key = Path(args.admin_key_file).read_text().strip()
    env = {
        **os.environ,
        "WANLLMDB_BASE_URL": args.url,
        "WANLLMDB_API_KEY": key,
        "WANLLMDB_DIR": tempfile.mkdtemp(prefix="wanllmdb-crash-"),
    }
    code = TRAINING.format(entity=args.entity, project=args.project)
    ids = [crash_one(code, env) for _ in range(args.runs)]
    with httpx.Client(base_url=args.url, headers={"Authorization": f"Bearer {key}"}, timeout=30) as http:
        project = http.get(f"/api/projects/by-name/{args.entity}/{args.project}").raise_for_status().json()
        runs = [
            http.get(f"/api/runs/{run_id}", params={"project_id": project["id"]}).raise_for_status().json()
            for run_id in ids
        ]
    made = {
        "entity": args.entity,
        "project": args.project,
        "runs": [{"id": r["id"], "state": r["state"]} for r in runs],
    }
    print(json.dumps(made))


def crash_one(code: str, env: dict[str, str]) -> str:
    """Runs the training child to its crash; the id of the run it made."""
    child = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    ids = [line.split()[1] for line in child.stdout.splitlines() if line.startswith("RUN_ID ")]
    if child.returncode == 0 or not ids:
        sys.exit(f"seed_crash: the training child did not crash as planned ({child.returncode}):\n"
                 f"{child.stdout}\n{child.stderr}")  # fmt: skip
    return ids[0]


if __name__ == "__main__":
    main()
