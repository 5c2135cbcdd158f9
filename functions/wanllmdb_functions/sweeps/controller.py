"""The sweep controller: stateless steps, one per agent heartbeat, on the sweep's stored state.

A step reads the sweep's partition (sweep, trials, agents), records what the agent reports (new
metric values, ended processes), settles trials against their runs and agents (liveness.py), decides
stops (a cancelled sweep, hyperband's `early_terminate`), and, for an idle agent of a running sweep,
hands out one trial. The hand-out is one transaction: the sweep item at the revision the step read
(`rev`, with `trial_count` + 1) and the new trial item (must not exist). Two controllers that read the
same revision cannot both commit, so no trial is handed out twice and `run_cap` is never exceeded;
the loser reads again and computes its own.

A handed-out trial becomes a run at once: pre-created in the sweep's project with the params as its
config and `sweep_id` set, waiting for its process's init() to take it over (runs/service.py).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, NotFound, WanError
from ..core.policy import Permission
from ..core.values import now_iso
from ..ports import Condition, Item, ItemStore, TransactOp
from ..runs.models import RunCreate
from ..runs.service import RunService
from . import keys, search
from .liveness import change_meta, put_meta, settle
from .models import Agent, AgentBeat, AgentCommand, AgentCommands, AgentCreate, RunReport
from .records import (
    AGENT_HEARTBEAT_S,
    HISTORY_CAP,
    TERMINAL_SWEEP_STATES,
    Partition,
    agent_from_item,
    read_partition,
)
from .service import SweepService, new_id

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["Controller"]

log = logging.getLogger(__name__)
_MAX_RACES = 16
# An agent that lost every race for a trial asks again this soon rather than a heartbeat later.
RETRY_SOON_S = 0.5


class Controller:
    def __init__(self, items: ItemStore, runs: RunService) -> None:
        self._items = items
        self._runs = runs
        self._sweeps = SweepService(items, runs)

    @classmethod
    def of(cls, state: AppState) -> Controller:
        return cls(state.storage.items, RunService.of(state))

    # -- agents ----------------------------------------------------------------------------------
    def register(self, caller: Caller, sweep_id: str, body: AgentCreate) -> Agent:
        self._sweeps.authorized_meta(caller, sweep_id, Permission.RUN_WRITE)
        agent_id, at = new_id(12), now_iso()
        pk, sk = keys.agent(sweep_id, agent_id)
        item: Item = {
            "pk": pk, "sk": sk, "id": agent_id, "sweep_id": sweep_id, "host": body.host, "pid": body.pid,
            "name": body.name, "state": "running", "run_id": None, "trials": 0,
            "created_by": caller.username, "created_at": at, "heartbeat_at": at,
        }  # fmt: skip
        self._items.put(item, condition=Condition.not_exists())
        # A live agent puts its sweep in the index the periodic tick settles (should the agent die).
        change_meta(self._items, sweep_id, lambda meta: None if "gsi2pk" in meta else meta)
        return agent_from_item(item)

    def heartbeat(self, caller: Caller, sweep_id: str, agent_id: str, beat: AgentBeat) -> AgentCommands:
        """One controller step, answered with what this agent must do."""
        self._sweeps.authorized_meta(caller, sweep_id, Permission.RUN_WRITE)
        part = read_partition(self._items, sweep_id)
        agent = part.agents.get(agent_id)
        if agent is None:
            raise NotFound(f"agent {agent_id} is not registered with sweep {sweep_id}", field="agent_id")
        self._record(part, agent_id, beat.runs)
        agent["heartbeat_at"] = now_iso()  # this agent is alive, whatever the settle below reads
        settle(self._runs, part)
        commands = self._stops(part, agent_id, beat.runs)
        heartbeat_s = AGENT_HEARTBEAT_S
        idle = not part.active_trials(agent_id)
        if beat.want_work and idle and not beat.stopping and part.meta["state"] == "running":
            part, trial, lost = self._hand_out(caller, part, agent)
            if trial is not None:
                commands.append(AgentCommand(type="run", run_id=trial["run_id"], params=trial["params"]))
                idle = False
            elif lost:
                heartbeat_s = RETRY_SOON_S
        meta = part.meta
        if idle and meta["state"] in TERMINAL_SWEEP_STATES:
            commands.append(AgentCommand(type="exit", reason=_exit_reason(meta)))
        self._beat(agent, part, beat)
        return AgentCommands(sweep_state=meta["state"], commands=commands, heartbeat_s=heartbeat_s)

    def _record(self, part: Partition, agent_id: str, reports: Sequence[RunReport]) -> None:
        """The agent's news of its own trials: new metric values (a resent batch counts once) and the
        exit code of a process that ended."""
        for report in reports:
            trial = part.trials.get(report.run_id)
            if trial is None or trial.get("agent_id") != agent_id:
                continue  # not this agent's to report on
            seen = int(trial.get("iterations", 0))
            fresh = report.metric[max(0, seen - report.metric_offset) :]
            changes: dict[str, Any] = {}
            if fresh:
                history = list(trial.get("history") or [])
                room = max(0, HISTORY_CAP - len(history))
                changes["history"] = history + [_finite_or_none(v) for v in fresh[:room]]
                changes["iterations"] = seen + len(fresh)
            if report.exit_code is not None and trial.get("exit_code") is None:
                changes["exit_code"] = report.exit_code
            if not changes:
                continue
            try:
                same = Condition.equals("iterations", seen)
                updated = self._items.update(trial["pk"], trial["sk"], set_attrs=changes, condition=same)
            except ConditionFailed:
                continue  # a retry of this beat got there first
            part.trials[report.run_id] = updated

    def _beat(self, agent: Item, part: Partition, beat: AgentBeat) -> None:
        """The agent's item after this step: its heartbeat, its state, the trial it works on."""
        active = part.active_trials(agent["id"])
        state = "finished" if beat.stopping and not active and not beat.runs else "running"
        attrs = {"heartbeat_at": now_iso(), "state": state, "run_id": active[0]["run_id"] if active else None}
        # ConditionFailed: the sweep was deleted meanwhile; the agent's next heartbeat hears so.
        with contextlib.suppress(ConditionFailed):
            self._items.update(agent["pk"], agent["sk"], set_attrs=attrs, condition=Condition.exists())

    # -- stops -----------------------------------------------------------------------------------
    def _stops(self, part: Partition, agent_id: str, reports: Sequence[RunReport]) -> list[AgentCommand]:
        """Stop commands for this agent: trials of a cancelled sweep, trials hyperband stops now, and
        processes the agent still runs for trials the controller already ended (its agent was taken
        for dead)."""
        meta = part.meta
        doomed: set[str] = set()
        if meta["state"] == "cancelled":
            doomed = {t["run_id"] for t in part.active_trials()}
        elif meta["config"].get("early_terminate"):
            doomed = set(self._early_stops(part))
        for run_id in sorted(doomed):
            trial = part.trials[run_id]
            if not trial.get("stop_requested"):
                try:
                    part.trials[run_id] = self._items.update(
                        trial["pk"], trial["sk"], set_attrs={"stop_requested": True},
                        condition=Condition.exists(),
                    )  # fmt: skip
                except ConditionFailed:
                    continue
        commands = [
            AgentCommand(type="stop", run_id=t["run_id"])
            for t in part.active_trials(agent_id)
            if t.get("stop_requested")
        ]
        for report in reports:
            ended = part.trials.get(report.run_id, {}).get("state") not in ("pending", "running")
            if report.exit_code is None and ended:
                commands.append(AgentCommand(type="stop", run_id=report.run_id))
        return commands

    def _early_stops(self, part: Partition) -> list[str]:
        config = search.read_config(part.meta["config"])
        runs = search.sweep_runs(list(part.trials.values()))
        try:
            return search.to_stop(config, runs)
        except Exception as exc:  # an engine bug must not take every heartbeat down with it
            log.exception("sweep %s: early termination failed", part.meta["id"])
            self._crash(part, exc)
            return []

    # -- hand-out --------------------------------------------------------------------------------
    def _hand_out(self, caller: Caller, part: Partition, agent: Item) -> tuple[Partition, Item | None, bool]:
        """(the partition as last read, the trial handed to `agent` or None, whether only lost races
        kept it from getting one)."""
        for attempt in range(_MAX_RACES):
            if attempt:
                part = read_partition(self._items, part.meta["id"])
            meta = part.meta
            if meta["state"] != "running":
                return part, None, False
            config = search.read_config(meta["config"])
            runs = search.sweep_runs(list(part.trials.values()))
            try:
                found = search.suggest(config, runs)
            except Exception as exc:
                log.exception("sweep %s: the search failed", meta["id"])
                self._crash(part, exc)
                return part, None, False
            if found is None:
                self._finish(part, _why_over(config, runs))
                return part, None, False
            if not found:
                return part, None, False  # nothing to hand out until a pending trial reports
            trial = self._trial(meta, agent, found[0])
            new_meta = dict(meta, trial_count=int(meta.get("trial_count", 0)) + 1)
            try:
                op = TransactOp("put", trial, Condition.not_exists())
                part.meta = put_meta(self._items, meta, new_meta, [op])
            except ConditionFailed:
                continue  # another controller step handed out a trial first: read again
            part.trials[trial["run_id"]] = trial
            self._start_run(caller, part.meta, trial)
            with contextlib.suppress(ConditionFailed):
                self._items.update(agent["pk"], agent["sk"], add={"trials": 1}, condition=Condition.exists())
            return part, trial, False
        return part, None, True

    def _trial(self, meta: Item, agent: Item, params: dict[str, Any]) -> Item:
        run_id = new_id()
        pk, sk = keys.trial(meta["id"], run_id)
        return {
            "pk": pk, "sk": sk, "run_id": run_id, "sweep_id": meta["id"], "prior": False,
            "seq": int(meta.get("trial_count", 0)), "state": "pending", "agent_id": agent["id"],
            "params": params, "history": [], "iterations": 0, "summary_value": None,
            "stop_requested": False, "exit_code": None, "created_at": now_iso(), "finished_at": None,
        }  # fmt: skip

    def _start_run(self, caller: Caller, meta: Item, trial: Item) -> None:
        """Pre-create the trial's run; should that fail, its process's init() creates it instead."""
        body = RunCreate(id=trial["run_id"], config=trial["params"] or None, sweep_id=meta["id"])
        try:
            self._runs.create(caller, meta["project_id"], body, awaiting_init=True)
        except WanError as exc:
            log.warning("sweep %s: run %s not pre-created (%s)", meta["id"], trial["run_id"], exc)

    def _finish(self, part: Partition, reason: str) -> None:
        def change(meta: Item) -> Item | None:
            if meta["state"] != "running":
                return None
            return dict(meta, state="finished", finished_reason=reason)

        part.meta = change_meta(self._items, part.meta["id"], change)

    def _crash(self, part: Partition, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:1000]

        def change(meta: Item) -> Item | None:
            if meta["state"] in TERMINAL_SWEEP_STATES:
                return None
            return dict(meta, state="crashed", error=error)

        part.meta = change_meta(self._items, part.meta["id"], change)


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _why_over(config: search.SweepConfig, runs: Sequence[search.SweepRun]) -> str:
    if config.run_cap is not None and len(runs) >= config.run_cap:
        return "run_cap"
    metric = config.metric
    if metric is not None and metric.target is not None:
        for run in runs:
            for value in (*run.history, run.summary):
                if value is None or not math.isfinite(value):
                    continue
                if value <= metric.target if metric.goal == "minimize" else value >= metric.target:
                    return "target"
    return "exhausted"


def _exit_reason(meta: Item) -> str:
    sweep = f"sweep {meta['id']}"
    if meta["state"] == "crashed":
        return f"{sweep} crashed: {meta.get('error') or 'the controller failed'}"
    if meta["state"] == "cancelled":
        return f"{sweep} was cancelled"
    reasons = {
        "run_cap": "run_cap reached",
        "target": "metric.target reached",
        "exhausted": "the search space is exhausted",
        "stopped": "stopped",
    }
    return f"{sweep} is finished ({reasons.get(meta.get('finished_reason') or '', 'finished')})"
