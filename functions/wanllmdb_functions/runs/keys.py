"""Item keys of the runs service in the single table (see docs/data-model.md, "Runs").

RUN#<run_id>            / RUN               the run: everything GET /runs/{id} returns
                                            gsi1: LIVE / <heartbeat_at>#<run_id> while running
RUN#<run_id>            / CONFIG#v<000001>  one item per config version (history)
PROJRUNS#<project_id>   / RUNROW#<run_id>   the compact index row the runs table lists
"""

from __future__ import annotations

__all__ = [
    "LIVE_PK",
    "config_version_key",
    "index_row_key",
    "live_sort_key",
    "project_rows_pk",
    "run_key",
    "run_pk",
]

RUN_SK = "RUN"
CONFIG_PREFIX = "CONFIG#v"
ROW_PREFIX = "RUNROW#"
# One gsi1 partition lists every running run by last heartbeat, so the reaper reads only stale ones.
LIVE_PK = "LIVE"


def run_pk(run_id: str) -> str:
    return f"RUN#{run_id}"


def run_key(run_id: str) -> tuple[str, str]:
    return run_pk(run_id), RUN_SK


def config_version_key(run_id: str, version: int) -> tuple[str, str]:
    # Zero-padded so versions sort numerically in the sort key.
    return run_pk(run_id), f"{CONFIG_PREFIX}{version:06d}"


def project_rows_pk(project_id: str) -> str:
    return f"PROJRUNS#{project_id}"


def index_row_key(project_id: str, run_id: str) -> tuple[str, str]:
    return project_rows_pk(project_id), f"{ROW_PREFIX}{run_id}"


def live_sort_key(heartbeat_at: str, run_id: str) -> str:
    return f"{heartbeat_at}#{run_id}"
