"""Keeping a sweep's trials true to their runs and agents, with no engine and no caller.

`settle` brings one sweep's partition up to date: each active trial takes its run's state; a trial
whose process ended without ending its run (it never called init(), or was killed after the stop
grace) ends that run; an agent silent for three heartbeats is dead, and its trials' runs are marked
crashed. Every agent heartbeat settles its sweep first, and the periodic tick (the local server's
PERIODIC_TASKS, the reaper function on AWS) settles every live sweep, so a sweep whose only agent was
killed still gets its run marked crashed.

Writes are conditional, so two settles (two agents' heartbeats at once) agree: a trial moves only from
the state it was read in, an agent is declared dead only if its heartbeat did not move, and the
sweep item changes only at the revision it was read at.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.errors import ConditionFailed, NotFound
from ..core.values import now_iso, now_utc
from ..ports import Condition, Item, ItemStore, TransactOp
from ..runs.lookup import run_in_project
from ..runs.service import TERMINAL_STATES, RunService
from . import keys
from .records import (
    ACTIVE_TRIAL_STATES,
    TERMINAL_SWEEP_STATES,
    Partition,
    agent_is_silent,
    metric_in_summary,
    missing_sweep,
    read_partition,
    trial_stats,
)

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["change_meta", "put_meta", "settle", "sweep_tick_task", "tick_sweeps"]

log = logging.getLogger(__name__)
_MAX_RACES = 16


def put_meta(
    items: ItemStore, current: Item, new: Item, ops: list[TransactOp] | None = None, *, live: bool = True
) -> Item:
    """Write the sweep item at the revision it was read at (ConditionFailed when it moved on), with
    `ops` in the same transaction. Every write of the sweep item goes through here, so a hand-out,
    a state change and a stats snapshot never overwrite one another.

    A write means activity, so it puts the sweep in the live index the tick reads (`live=False`: the
    tick's own removal, once nothing is left alive)."""
    rev = int(current.get("rev", 0))
    new = dict(new, rev=rev + 1, updated_at=now_iso())
    if live:
        new.update(gsi2pk=keys.LIVE_SWEEPS, gsi2sk=new["id"])
    else:
        new.pop("gsi2pk", None)
        new.pop("gsi2sk", None)
    items.transact_write([TransactOp("put", new, Condition.equals("rev", rev)), *(ops or [])])
    return new


def change_meta(
    items: ItemStore, sweep_id: str, change: Callable[[Item], Item | None], *, live: bool = True
) -> Item:
    """Apply `change` to the sweep item until it commits; None from `change` leaves it as it is."""
    for _ in range(_MAX_RACES):
        current = items.get(*keys.meta(sweep_id))
        if current is None:
            raise missing_sweep(sweep_id)
        new = change(dict(current))
        if new is None:
            return current
        try:
            return put_meta(items, current, new, live=live)
        except ConditionFailed:
            continue
    raise ConditionFailed(
        f"sweep {sweep_id} is being changed by many writers at once; retry", field="sweep_id"
    )


def _update_trial(items: ItemStore, trial: Item, changes: dict[str, Any]) -> bool:
    """Move a trial on from the state it was read in; False when another writer moved it first."""
    try:
        updated = items.update(
            trial["pk"], trial["sk"], set_attrs=changes, condition=Condition.equals("state", trial["state"])
        )
    except ConditionFailed:
        return False
    trial.clear()
    trial.update(updated)
    return True


def _bury_agent(items: ItemStore, agent: Item) -> bool:
    """Declare a silent agent dead, unless it beat since it was read."""
    try:
        items.update(
            agent["pk"], agent["sk"], set_attrs={"state": "dead"},
            condition=Condition.equals("heartbeat_at", agent["heartbeat_at"]),
        )  # fmt: skip
    except ConditionFailed:
        return False
    agent["state"] = "dead"
    return True


def _ended_state(run: Item, exit_code: int) -> str:
    """How a run ends when its process is gone and it did not end itself: a process that never called
    init() failed or finished by its exit code; one that did, and died without ending it, crashed."""
    if run.get("awaiting_init"):
        return "failed" if exit_code else "finished"
    return "crashed"


def _settle_trial(runs: RunService, part: Partition, trial: Item, dead_agents: set[str]) -> bool:
    meta = part.meta
    run = run_in_project(runs.items, meta["project_id"], trial["run_id"])
    exit_code = trial.get("exit_code")
    orphaned = trial.get("agent_id") in dead_agents
    if run is None:  # not created yet (the pre-create failed; init() creates it), or deleted
        if exit_code is None and not orphaned:
            return False
        state = "crashed" if orphaned else ("failed" if exit_code else "finished")
        summary_value = None
    else:
        if run["state"] == "running" and (exit_code is not None or orphaned):
            end = "crashed" if orphaned or exit_code is None else _ended_state(run, int(exit_code))
            runs.end_abandoned(run, end, exit_code=exit_code)
            run = run_in_project(runs.items, meta["project_id"], trial["run_id"]) or run
        state = run["state"]
        if state == "running":
            state = "pending" if run.get("awaiting_init") else "running"
        elif state == "paused":
            state = "running"
        summary_value = metric_in_summary(meta["config"], run.get("summary") or {})
    if state in TERMINAL_STATES and trial.get("stop_requested") and state != "finished":
        state = "stopped"
    changes: dict[str, Any] = {}
    if state != trial["state"]:
        changes["state"] = state
        if state not in ACTIVE_TRIAL_STATES:
            changes["finished_at"] = now_iso()
    if summary_value != trial.get("summary_value"):
        changes["summary_value"] = summary_value
    return bool(changes) and _update_trial(runs.items, trial, changes)


def settle(runs: RunService, part: Partition, *, now: datetime | None = None) -> bool:
    """Bring the partition's trials and agents up to date (in place); True when a trial changed."""
    now = now or now_utc()
    dead = {a["id"] for a in part.agents.values() if agent_is_silent(a, now) and _bury_agent(runs.items, a)}
    dead |= {a["id"] for a in part.agents.values() if a.get("state") == "dead"}
    changed = False
    for trial in part.active_trials():
        try:
            changed = _settle_trial(runs, part, trial, dead) or changed
        except NotFound:  # the project went away meanwhile: nothing left to settle
            return changed
    if changed or "stats" not in part.meta:
        _snapshot_stats(runs.items, part)
    return changed


def _snapshot_stats(items: ItemStore, part: Partition) -> None:
    """Counts and best trial on the sweep item, for listings that do not read trials; a lost race is
    left to the next settle."""
    stats = trial_stats(part.meta["config"], part.trials.values())
    if part.meta.get("stats") == stats:
        return
    try:
        live = not _quiet(part) or "gsi2pk" in part.meta
        part.meta = put_meta(items, part.meta, dict(part.meta, stats=stats), live=live)
    except ConditionFailed:
        pass


def _quiet(part: Partition) -> bool:
    """Nothing can change any more without a person: the sweep ended, and no agent or trial is alive."""
    return (
        part.meta["state"] in TERMINAL_SWEEP_STATES
        and not part.active_trials()
        and not any(a.get("state") == "running" for a in part.agents.values())
    )


def tick_sweeps(state: AppState, *, now: datetime | None = None) -> list[str]:
    """Settle every live sweep; a sweep with nothing left alive leaves the live index. Returns the ids
    of the sweeps whose trials changed."""
    runs = RunService.of(state)
    items = state.storage.items
    changed: list[str] = []
    for meta in list(items.query_all(keys.LIVE_SWEEPS, index="gsi2", page_size=200)):
        try:
            part = read_partition(items, meta["id"])
            if settle(runs, part, now=now):
                changed.append(meta["id"])
            if _quiet(part):
                change_meta(items, meta["id"], _leave_live_index, live=False)
        except (NotFound, ConditionFailed):
            continue
    return changed


def _leave_live_index(meta: Item) -> Item | None:
    """Unchanged but for the live index (put_meta drops it); None when another writer revived it."""
    if "gsi2pk" not in meta or meta["state"] not in TERMINAL_SWEEP_STATES:
        return None
    return meta


def sweep_tick_task(state: AppState) -> None:
    """The local server's PERIODIC_TASKS entry."""
    changed = tick_sweeps(state)
    if changed:
        log.info("settled trials of sweep(s) %s", ", ".join(changed))
