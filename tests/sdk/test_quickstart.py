from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import LocalServer
from tests.sdk.conftest import REPO, admin_key, lake_table, sdk_env

pytestmark = pytest.mark.slow


def test_quickstart_trains_and_logs_config_metrics_and_system_stats(
    module_server: LocalServer, tmp_path: Path
) -> None:
    env = sdk_env(module_server.url, admin_key(module_server.data_dir), tmp_path)
    proc = subprocess.run(
        [sys.executable, str(REPO / "examples" / "quickstart.py"), "--epochs", "40"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    run_id = proc.stdout.strip().splitlines()[-1].split("run ")[-1].rstrip(")")
    rec = httpx.get(
        f"{module_server.url}/api/runs/{run_id}",
        headers={"Authorization": f"Bearer {admin_key(module_server.data_dir)}"},
    ).json()
    assert rec["state"] == "finished"
    assert rec["config"]["epochs"] == 40 and rec["config"]["lr"] == 0.5
    assert rec["summary"]["val/acc"]["max"] > 0.8  # it really learns the spiral
    history = lake_table(module_server.data_dir, run_id)
    assert history is not None and {"train/loss", "val/acc", "epoch"} <= set(history["key"].to_pylist())
    system = lake_table(module_server.data_dir, run_id, "system")
    assert system is not None and "system.cpu" in system["key"].to_pylist()
