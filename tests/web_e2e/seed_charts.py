"""Seeds the runs the chart browser test draws: what a chart must not hide.

- `spike`: a +-1 sine over 100k steps with one spike of 9.2 at step 61_234 (a bucket averages it away).
- `once`: `score` logged once, and `few` logged three times (a value panel and markers, not empty axes).
  The same run defines `val/*` with step_metric="epoch": its panel plots against epoch by default.
Last stdout line: JSON as seed.py prints, plus where the spike is.

    python tests/web_e2e/seed_charts.py --url http://127.0.0.1:PORT --admin-key-file DATA_DIR/admin-api-key
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from seed import api_key, session_token

SPIKE_STEP = 61_234
SPIKE_VALUE = 9.2
STEPS = 100_000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--admin-key-file", default=None)
    ap.add_argument("--username", default="charts")
    ap.add_argument("--password", default="correct-horse-battery")
    ap.add_argument("--project", default="charts-e2e")
    args = ap.parse_args()

    admin_key = Path(args.admin_key_file).read_text().strip() if args.admin_key_file else None
    token = session_token(args.url, args.username, args.password, admin_key)
    os.environ["WANLLMDB_BASE_URL"] = args.url
    os.environ["WANLLMDB_API_KEY"] = api_key(args.url, token)
    os.environ["WANLLMDB_DIR"] = tempfile.mkdtemp(prefix="wanllmdb-seed-charts-")

    import wanllmdb

    runs = []
    run = wanllmdb.init(project=args.project, name="spike")
    for step in range(STEPS):
        y = SPIKE_VALUE if step == SPIKE_STEP else math.sin(step / 500)
        wanllmdb.log({"signal": y}, step=step)
    runs.append({"id": run.id, "name": "spike", "config": {}})
    wanllmdb.finish()

    run = wanllmdb.init(project=args.project, name="once")
    wanllmdb.define_metric("epoch")
    wanllmdb.define_metric("val/*", step_metric="epoch")
    wanllmdb.log({"score": 0.87}, step=0)
    for step in range(3):
        wanllmdb.log({"few": [0.2, 0.5, 0.4][step]}, step=step * 10)
    for epoch in range(4):
        wanllmdb.log({"epoch": epoch, "val/loss": 1.0 / (epoch + 1)}, step=100 + epoch * 50)
    runs.append({"id": run.id, "name": "once", "config": {}})
    wanllmdb.finish()

    print(
        json.dumps(
            {
                "entity": args.username,
                "project": args.project,
                "username": args.username,
                "password": args.password,
                "runs": runs,
                "spike": {"step": SPIKE_STEP, "value": SPIKE_VALUE, "steps": STEPS},
            }
        )
    )


if __name__ == "__main__":
    main()
