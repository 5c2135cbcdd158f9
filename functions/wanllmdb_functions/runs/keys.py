"""Item keys of the runs service in the single table (see docs/data-model.md, "Runs").

RUN#<run_id>            / RUN#<project_id>  the run: everything GET /runs/{id} returns
                                            gsi1: LIVE / <heartbeat_at>#<run_id> while running
RUN#<run_id>            / CONFIG#<project_id>#v<000001>  one item per config version (history)
PROJRUNS#<project_id>   / RUNROW#<run_id>   the compact index row the runs table lists
DELETED#run#<run_id>    / <project_id>      the latest deletion of the run (deletes/): while it is
                                            pending, the id is not free in that project

Run ids are unique within a project, as in wandb: two projects may each have a run `baseline`.
One id's runs share a partition, so resolving `/runs/{id}` is one strongly consistent query, and
creating an id taken in another project is an ordinary create that reveals nothing about it.
Runs written before ids were scoped keep the sort key `RUN` and config versions `CONFIG#v…`; every
item is read and written through its own stored keys, so both shapes keep working.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "LIVE_PK",
    "RUN_SK_PREFIX",
    "config_prefix",
    "config_version_key",
    "deleted_run_key",
    "index_row_key",
    "legacy_run_key",
    "live_sort_key",
    "project_rows_pk",
    "run_key",
    "run_pk",
]

RUN_SK_PREFIX = "RUN"  # matches the scoped `RUN#<project_id>` and the legacy `RUN`
LEGACY_RUN_SK = "RUN"
LEGACY_CONFIG_PREFIX = "CONFIG#v"
ROW_PREFIX = "RUNROW#"
# One gsi1 partition lists every running run by last heartbeat, so the reaper reads only stale ones.
LIVE_PK = "LIVE"


def run_pk(run_id: str) -> str:
    return f"RUN#{run_id}"


def run_key(project_id: str, run_id: str) -> tuple[str, str]:
    return run_pk(run_id), f"{RUN_SK_PREFIX}#{project_id}"


def legacy_run_key(run_id: str) -> tuple[str, str]:
    """Where a run created before ids were scoped per project lives."""
    return run_pk(run_id), LEGACY_RUN_SK


def config_prefix(run: Mapping[str, Any]) -> str:
    """The sort-key prefix of a run item's config versions, in the shape the run was written in."""
    if run["sk"] == LEGACY_RUN_SK:
        return LEGACY_CONFIG_PREFIX
    return f"CONFIG#{run['project_id']}#v"


def config_version_key(run: Mapping[str, Any], version: int) -> tuple[str, str]:
    # Zero-padded so versions sort numerically in the sort key.
    return run["pk"], f"{config_prefix(run)}{version:06d}"


def deleted_run_key(project_id: str, run_id: str) -> tuple[str, str]:
    """The tombstone of the run's latest deletion; one partition per run id, as the run's own."""
    return f"DELETED#run#{run_id}", project_id


def project_rows_pk(project_id: str) -> str:
    return f"PROJRUNS#{project_id}"


def index_row_key(project_id: str, run_id: str) -> tuple[str, str]:
    return project_rows_pk(project_id), f"{ROW_PREFIX}{run_id}"


def live_sort_key(heartbeat_at: str, run_id: str) -> str:
    return f"{heartbeat_at}#{run_id}"
