"""A training loop for the reliability tests, run as its own process.

    python train_script.py STEPS SLEEP_S PROGRESS_FILE [MODE] [FINISH_TIMEOUT_S]

Logs 5 scalars per step, sleeping SLEEP_S between steps, and appends "<step> <monotonic> <dt>" to
PROGRESS_FILE after each log() returns, so the test knows what was logged when (and how long a step took).
"""

from __future__ import annotations

import sys
import time

import wanllmdb


def main() -> None:
    steps, sleep_s, progress = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
    mode = sys.argv[4] if len(sys.argv) > 4 else "online"
    finish_timeout_s = float(sys.argv[5]) if len(sys.argv) > 5 else 3.0
    run = wanllmdb.init(
        project="reliability",
        mode=mode,
        config={"steps": steps},
        settings={
            "flush_interval_s": 0.5,
            "system_metrics": False,
            "finish_timeout_s": finish_timeout_s,
            "init_timeout_s": 5.0,
            "retry_max_backoff_s": 1.0,
        },
    )
    print(f"RUN_ID {run.id}", flush=True)
    with open(progress, "a", buffering=1) as out:
        for step in range(steps):
            t0 = time.perf_counter()
            run.log({f"m{i}": step * 0.5 + i for i in range(5)})
            dt = time.perf_counter() - t0
            out.write(f"{step} {time.monotonic()} {dt}\n")
            if sleep_s:
                time.sleep(sleep_s)
    run.finish()
    print(f"FINISHED synced={run.synced}", flush=True)


if __name__ == "__main__":
    main()
