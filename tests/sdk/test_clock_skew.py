"""A training machine whose clock is 10 minutes off (issue 22, part 5).

Nothing on the client depends on its clock agreeing with the server's: grant expiry is decided and checked
by the server (its own clock signs and verifies local URLs; the Lambda's clock signs S3's), the SDK never
reads a grant's `expires_at`, and lake keys are (attempt, seq), never a time. The client's clock only
stamps the rows' `ts`, as data. So a skewed run logs and finishes like any other, and its `ts` shows the
skew, which is how the test knows the skew was in force.

The child process's `time.time` and `time.time_ns` are shifted before `wanllmdb` is imported, so every
clock read of the SDK (rows, system samples, console lines, the run record) sees the skewed time.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key, lake_table, sdk_env

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).with_name("train_script.py")
STEPS = 400

SKEWED = """
import runpy, sys, time
skew = float(sys.argv[1])
real_time, real_ns = time.time, time.time_ns
time.time = lambda: real_time() + skew
time.time_ns = lambda: real_ns() + int(skew * 1e9)
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize("skew_s", [-600.0, 600.0])
def test_a_client_clock_10_minutes_off_logs_and_finishes_exactly(
    module_server: LocalServer, tmp_path: Path, skew_s: float
) -> None:
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), tmp_path / "spool")
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", SKEWED, str(skew_s), str(SCRIPT), str(STEPS), "0.002", str(tmp_path / "p")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "FINISHED synced=True" in done.stdout, done.stdout + done.stderr
    assert "expired" not in done.stderr.lower()
    run_id = done.stdout.split("RUN_ID ", 1)[1].split()[0]

    table = lake_table(module_server.data_dir, run_id)
    assert table is not None and table.num_rows == STEPS * 5
    assert len(set(zip(table["step"].to_pylist(), table["key"].to_pylist(), strict=True))) == STEPS * 5
    stamps = [t.timestamp() for t in table["ts"].to_pylist()]
    # The rows carry the client's (skewed) time: the skew was in force for the whole run.
    assert all(abs(ts - (started + skew_s)) < 120 for ts in stamps)
