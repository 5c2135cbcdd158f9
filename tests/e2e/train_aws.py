"""A small training script, run as its own process by the aws e2e tests: `python train_aws.py RUN_ID STEPS`.

Only `import wanllmdb` and the environment (WANLLMDB_BASE_URL, WANLLMDB_API_KEY) connect it to the
server; metric chunks and the saved file go to S3 (moto) through presigned URLs.
"""

from __future__ import annotations

import json
import sys
import time

import wanllmdb

run_id, steps = sys.argv[1], int(sys.argv[2])
run = wanllmdb.init(
    project="aws-e2e",
    id=run_id,
    config={"lr": 0.01, "layers": [32, 32]},
    # Short intervals so that a 3 s run cuts several chunks and takes several system samples.
    settings={"flush_interval_s": 0.3, "system_interval_s": 1.0, "console": "off", "git": False},
)
wanllmdb.save("ckpt.bin", policy="now")
for step in range(steps):
    wanllmdb.log({"loss": 1.0 / (step + 1), "train": {"acc": step / (steps - 1)}})
    time.sleep(0.01)
wanllmdb.finish()
print(json.dumps({"run_id": run_id, "synced": run.synced, "state": run.final_state}))
