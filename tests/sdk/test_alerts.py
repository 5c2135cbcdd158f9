"""wandb.alert through the SDK: checked on the caller's line, sent through the run's spool (so it
never blocks and survives an outage), rate-limited per title by the server, heard by subscribers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import OfflineRun, admin_key, online_settings, run_sync, sdk_env

pytestmark = pytest.mark.slow


def inbox_titles(server: LocalServer) -> list[str]:
    headers = {"Authorization": f"Bearer {admin_key(server.data_dir)}"}
    items = httpx.get(f"{server.url}/api/notifications", headers=headers).json()["items"]
    return [n["title"] for n in items if n["kind"] == "alert"]


def subscribe(server: LocalServer, project: str) -> None:
    headers = {"Authorization": f"Bearer {admin_key(server.data_dir)}"}
    response = httpx.put(
        f"{server.url}/api/projects/admin:{project}/subscription", json={"events": ["alert"]}, headers=headers
    )
    assert response.status_code == 200, response.text


def test_alerts_reach_subscribers_once_per_title_within_wait_duration(
    module_server: LocalServer, tmp_path: Path
) -> None:
    settings = online_settings(module_server)
    run = wanllmdb.init(project="alerts", dir=tmp_path, settings=settings)
    subscribe(module_server, "alerts")
    run.alert("Loss spiked", "loss 9.2 at step 40", level=wanllmdb.AlertLevel.WARN)
    run.alert("Loss spiked", "again", level="WARN")  # within a minute: the server keeps it back
    wanllmdb.alert(title="Diverged", text="nan", level="ERROR", wait_duration=timedelta(seconds=0))
    run.finish()
    assert sorted(inbox_titles(module_server)) == ["Diverged", "Loss spiked"]


def test_bad_alerts_raise_on_the_callers_line_naming_the_argument(offline_run: OfflineRun) -> None:
    run = offline_run()
    with pytest.raises(wanllmdb.UsageError, match=r"title must be 1\.\.63"):
        run.alert("x" * 64, "")
    with pytest.raises(wanllmdb.UsageError, match="level must be one of 'INFO', 'WARN' or 'ERROR'"):
        run.alert("t", "", level="LOUD")
    with pytest.raises(
        wanllmdb.UsageError, match=r"wait_duration must be an int, float or datetime\.timedelta"
    ):
        run.alert("t", "", wait_duration="soon")
    run.finish()
    with pytest.raises(wanllmdb.UsageError, match="after finish"):
        run.alert("t", "")


def test_an_offline_alert_is_sent_by_sync(module_server: LocalServer, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    run = wanllmdb.init(
        project="alerts-offline", mode="offline", dir=spool, settings={"system_metrics": False}
    )
    run.alert("Checkpoint saved", "epoch 3")
    run.finish()
    run_sync(sdk_env(module_server.url, admin_key(module_server.data_dir), spool), spool)
    headers = {"Authorization": f"Bearer {admin_key(module_server.data_dir)}"}
    gate = httpx.post(
        f"{module_server.url}/api/runs/{run.id}/alerts",
        json={"title": "Checkpoint saved", "text": "again"},
        headers=headers,
    ).json()
    assert gate["sent"] is False  # the synced alert went out a moment ago: this one is held back
