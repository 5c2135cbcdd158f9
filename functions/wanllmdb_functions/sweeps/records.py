"""Sweep, trial and agent items: reading one sweep's partition, and turning items into API models.

A sweep's partition holds its META item, its trials and its agents, so `read_partition` is the one
query a controller step makes. Trial items keep at most `HISTORY_CAP` metric values (hyperband looks at
a run's values up to its highest band only) and count every value in `iterations`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..core.errors import NotFound
from ..core.values import now_utc
from ..ports import Item, ItemStore
from . import keys
from .models import Agent, AgentState, BestTrial, Sweep, Trial

__all__ = [
    "ACTIVE_TRIAL_STATES",
    "AGENT_DEAD_AFTER_S",
    "AGENT_HEARTBEAT_S",
    "HISTORY_CAP",
    "TERMINAL_SWEEP_STATES",
    "Partition",
    "agent_from_item",
    "agent_is_silent",
    "finished_metric",
    "metric_in_summary",
    "missing_sweep",
    "read_partition",
    "sweep_from_item",
    "trial_from_item",
    "trial_stats",
]

# The agents' heartbeat: how often they report and ask for work (the SDK agent uses what we answer).
AGENT_HEARTBEAT_S = 5.0
# An agent silent for three heartbeats is dead; its trials' runs are marked crashed.
AGENT_DEAD_AFTER_S = 3 * AGENT_HEARTBEAT_S
HISTORY_CAP = 1000
# When this process started listening (monotonic: a frozen test clock does not move it).
_STARTED = time.monotonic()
ACTIVE_TRIAL_STATES = frozenset({"pending", "running"})
TERMINAL_SWEEP_STATES = frozenset({"finished", "cancelled", "crashed"})


def missing_sweep(sweep_id: str) -> NotFound:
    return NotFound(f"sweep {sweep_id} not found", field="sweep_id")


@dataclass
class Partition:
    """Everything stored about one sweep, as one query read it."""

    meta: Item
    trials: dict[str, Item] = field(default_factory=dict)  # by run id
    agents: dict[str, Item] = field(default_factory=dict)  # by agent id

    def active_trials(self, agent_id: str | None = None) -> list[Item]:
        return [
            t
            for t in self.trials.values()
            if t["state"] in ACTIVE_TRIAL_STATES and (agent_id is None or t.get("agent_id") == agent_id)
        ]


def read_partition(items: ItemStore, sweep_id: str) -> Partition:
    meta: Item | None = None
    trials: dict[str, Item] = {}
    agents: dict[str, Item] = {}
    for item in items.query_all(keys.sweep_pk(sweep_id), page_size=500):
        sk = item["sk"]
        if sk == "META":
            meta = item
        elif sk.startswith(keys.TRIAL_PREFIX):
            trials[item["run_id"]] = item
        elif sk.startswith(keys.AGENT_PREFIX):
            agents[item["id"]] = item
    if meta is None:
        raise missing_sweep(sweep_id)
    return Partition(meta, trials, agents)


def _seconds_since(at: str | None, now: datetime) -> float:
    if not at:
        return float("inf")
    return (now - datetime.fromisoformat(at.replace("Z", "+00:00"))).total_seconds()


def agent_is_silent(agent: Mapping[str, Any], now: datetime | None = None) -> bool:
    """Running by its item, but no heartbeat for AGENT_DEAD_AFTER_S while this process could hear it.

    Silence is counted from this process's start at the earliest: after the server was down (a
    restart, a deploy) every agent is overdue, and none of them is dead for it."""
    quiet = min(_seconds_since(agent.get("heartbeat_at"), now or now_utc()), time.monotonic() - _STARTED)
    return agent.get("state") == "running" and quiet > AGENT_DEAD_AFTER_S


def agent_from_item(item: Item, now: datetime | None = None) -> Agent:
    state: AgentState = "dead" if agent_is_silent(item, now) else item["state"]
    return Agent(
        id=item["id"],
        sweep_id=item["sweep_id"],
        host=item["host"],
        pid=item.get("pid"),
        name=item.get("name"),
        state=state,
        run_id=item.get("run_id"),
        trials=int(item.get("trials", 0)),
        created_at=item["created_at"],
        heartbeat_at=item["heartbeat_at"],
    )


def trial_from_item(item: Item, metric: float | None) -> Trial:
    return Trial(
        run_id=item["run_id"],
        state=item["state"],
        params=item.get("params") or {},
        metric=metric,
        iterations=int(item.get("iterations", 0)),
        agent_id=item.get("agent_id"),
        stop_requested=bool(item.get("stop_requested")),
        prior=bool(item.get("prior")),
        created_at=item["created_at"],
        finished_at=item.get("finished_at"),
    )


def sweep_from_item(item: Item, stats: Mapping[str, Any] | None = None) -> Sweep:
    """`stats` (counts and best) computed from the trials; else the snapshot the last step stored."""
    stats = stats if stats is not None else (item.get("stats") or {})
    config = item["config"]
    best = stats.get("best")
    return Sweep(
        id=item["id"],
        project_id=item["project_id"],
        entity=item["entity"],
        project=item["project"],
        name=item.get("name"),
        description=item.get("description"),
        method=config["method"],
        state=item["state"],
        config=config,
        config_yaml=item["config_yaml"],
        metric=config.get("metric"),
        run_cap=config.get("run_cap"),
        trial_count=int(item.get("trial_count", 0)),
        counts=dict(stats.get("counts") or {}),
        best=BestTrial(**best) if best else None,
        finished_reason=item.get("finished_reason"),
        error=item.get("error"),
        created_by=item.get("created_by"),
        created_at=item["created_at"],
        updated_at=item["updated_at"],
    )


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def metric_in_summary(config: Mapping[str, Any], summary: Mapping[str, Any]) -> float | None:
    """The run summary's value of the sweep metric: a number, or a define_metric summary ({"min": …})."""
    metric = config.get("metric") or {}
    value = summary.get(metric.get("name", ""))
    if isinstance(value, Mapping):
        value = value.get("max" if metric.get("goal") == "maximize" else "min", value.get("last"))
    return _number(value)


def finished_metric(config: Mapping[str, Any], trial: Mapping[str, Any]) -> float | None:
    """A finished trial's value, by wandb's rule: the best of its logged values and its summary."""
    logged = (*(trial.get("history") or ()), trial.get("summary_value"))
    values = [v for v in logged if _number(v) is not None]
    if not values:
        return None
    maximize = (config.get("metric") or {}).get("goal") == "maximize"
    return float(max(values) if maximize else min(values))


def trial_stats(config: Mapping[str, Any], trials: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Trials by state, and the best finished one: what the sweep list shows without reading trials."""
    counts: dict[str, int] = {}
    best: dict[str, Any] | None = None
    maximize = (config.get("metric") or {}).get("goal") == "maximize"
    for trial in trials:
        counts[trial["state"]] = counts.get(trial["state"], 0) + 1
        value = finished_metric(config, trial) if trial["state"] == "finished" else None
        if value is None or not config.get("metric"):
            continue
        if best is None or (value > best["value"] if maximize else value < best["value"]):
            best = {"run_id": trial["run_id"], "value": value, "params": trial.get("params") or {}}
    return {"counts": counts, "best": best}
