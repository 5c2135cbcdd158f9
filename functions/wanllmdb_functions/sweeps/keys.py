"""Item keys of sweeps (docs/sweeps.md, "Items"). One partition per sweep holds the sweep, its trials
and its agents, so one query reads everything a controller step needs.

SWEEP#<sweep_id> / META             the sweep: config, state, `rev`, trial count
                                    gsi1: SWEEPSOF#<project_id> / <created_at>#<sweep_id> (a project's sweeps)
                                    gsi2: LIVESWEEPS / <sweep_id> while agents or trials may still be alive
SWEEP#<sweep_id> / TRIAL#<run_id>   one trial: its params, its run's state, the metric values reported
SWEEP#<sweep_id> / AGENT#<agent_id> one agent: host, last heartbeat, the run it works on

Sweep ids are server-chosen and unique in the tenant (8 random characters, as wandb's), so a route
names a sweep by id alone; the sweep's project decides who may see it.
"""

from __future__ import annotations

__all__ = [
    "AGENT_PREFIX",
    "LIVE_SWEEPS",
    "TRIAL_PREFIX",
    "agent",
    "by_project",
    "listing_sort_key",
    "meta",
    "sweep_pk",
    "trial",
]

TRIAL_PREFIX = "TRIAL#"
AGENT_PREFIX = "AGENT#"
# gsi2 partition of the sweeps the periodic tick must look at (dead agents, trials left running).
LIVE_SWEEPS = "LIVESWEEPS"


def sweep_pk(sweep_id: str) -> str:
    return f"SWEEP#{sweep_id}"


def meta(sweep_id: str) -> tuple[str, str]:
    return sweep_pk(sweep_id), "META"


def trial(sweep_id: str, run_id: str) -> tuple[str, str]:
    return sweep_pk(sweep_id), f"{TRIAL_PREFIX}{run_id}"


def agent(sweep_id: str, agent_id: str) -> tuple[str, str]:
    return sweep_pk(sweep_id), f"{AGENT_PREFIX}{agent_id}"


def by_project(project_id: str) -> str:
    """gsi1 partition: a project's sweeps, oldest first by creation time."""
    return f"SWEEPSOF#{project_id}"


def listing_sort_key(created_at: str, sweep_id: str) -> str:
    return f"{created_at}#{sweep_id}"
