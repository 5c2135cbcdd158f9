"""Seeds a running server for the browser test of report panels (web/tests/e2e/report-panels.e2e.ts).

Through the real SDK (wanllmdb.init / log / finish), in project `report-panels`, three runs that
differ in lr and batch size (their optimizer is the same) and in how far they ran:
- `run-a` (lr 0.1): `train/loss` at steps 0-99; `samples/img` images at steps 0 and 50 (solid green,
  then solid red); `eval/preds` (a Table: id, label, score) and `curve` (a wandb.plot.line chart) at
  step 99.
- `run-b` (lr 0.01): `train/loss` at steps 0-299; `samples/img` at steps 0 and 100 (green, then blue).
- `run-c` (lr 0.001): `train/loss` at steps 50-149 only.
So a side-by-side panel's shared x range is 0-299 (run-b's), though no other run reaches it.

    python tests/web_e2e/seed_report_panels.py --url http://127.0.0.1:PORT \
        --admin-key-file DATA_DIR/admin-api-key

The last line on stdout is JSON like seed.py's: {"entity", "project", "username", "password", "runs"}.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import api_key, session_token

GREEN, RED, BLUE = (30, 180, 30), (220, 30, 30), (30, 30, 220)
# name, lr, batch size, steps, images by step
RUNS: list[tuple[str, float, int, range, dict[int, tuple[int, int, int]]]] = [
    ("run-a", 0.1, 32, range(0, 100), {0: GREEN, 50: RED}),
    ("run-b", 0.01, 64, range(0, 300), {0: GREEN, 100: BLUE}),
    ("run-c", 0.001, 128, range(50, 150), {}),
]


def log_run(wanllmdb: Any, np: Any, project: str, spec: tuple[Any, ...]) -> dict[str, Any]:
    name, lr, batch, steps, images = spec
    config = {"lr": lr, "batch_size": batch, "optimizer": {"name": "adam"}}
    run = wanllmdb.init(project=project, name=name, config=config)
    for step in steps:
        row: dict[str, Any] = {"train/loss": 2.0 * math.exp(-step * lr * 0.1) + 0.05}
        if step in images:
            pixels = np.broadcast_to(np.array(images[step], dtype="uint8"), (24, 32, 3))
            row["samples/img"] = wanllmdb.Image(pixels, caption=f"{name} step {step}")
        if name == "run-a" and step == steps[-1]:
            labels = ["cat", "dog", "bird"]
            preds = [[i, labels[i % 3], round(0.5 + i / 40, 3)] for i in range(12)]
            row["eval/preds"] = wanllmdb.Table(columns=["id", "label", "score"], data=preds)
            curve = wanllmdb.Table(columns=["x", "loss"], data=[[x, math.exp(-x / 10)] for x in range(40)])
            row["curve"] = wanllmdb.plot.line(curve, "x", "loss", title="Loss curve")
        wanllmdb.log(row, step=step)
    run_id = run.id
    wanllmdb.finish()
    return {"id": run_id, "name": name, "config": config}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None)
    ap.add_argument("--username", default="e2e")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="report-panels")
    args = ap.parse_args()

    admin_key = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin_key)
    os.environ["WANLLMDB_BASE_URL"] = args.url
    os.environ["WANLLMDB_API_KEY"] = api_key(args.url, token)
    os.environ["WANLLMDB_DIR"] = tempfile.mkdtemp(prefix="wanllmdb-seed-report-")

    import numpy as np

    import wanllmdb  # after the environment is set: init() reads it

    runs = [log_run(wanllmdb, np, args.project, spec) for spec in RUNS]
    seeded = {"entity": args.username, "project": args.project, "username": args.username,
              "password": args.password, "runs": runs}  # fmt: skip
    print(json.dumps(seeded))


if __name__ == "__main__":
    main()
