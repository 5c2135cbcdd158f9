"""Sweeps: create (the config validated by the engine), read, list, change state, delete.

A sweep belongs to a project: creating or changing one needs run:write there, reading it run:read,
deleting it run:delete; a caller who may not read the project is told the sweep does not exist.
Handing out trials is the controller's (controller.py).
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING, Any

from ..core.caller import Caller
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.policy import Permission, authorize
from ..core.request_scope import note_activity, note_object
from ..core.values import now_iso
from ..ports import Condition, Item, ItemStore
from ..projects.service import ProjectService, ref_from_item
from ..runs.lookup import run_in_project
from ..runs.service import RunService
from . import keys, search
from .liveness import change_meta
from .models import AgentList, Sweep, SweepCreate, SweepList, SweepPatch, Trial, TrialList
from .records import (
    ACTIVE_TRIAL_STATES,
    agent_from_item,
    metric_in_summary,
    missing_sweep,
    read_partition,
    sweep_from_item,
    trial_from_item,
    trial_stats,
)

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["TRANSITIONS", "SweepService", "new_id"]

# PATCH state may move a sweep along these edges. Resuming a finished sweep hands out trials again
# until the search is exhausted or run_cap reached (at once, if it already is).
TRANSITIONS: dict[str, frozenset[str]] = {
    "running": frozenset({"paused", "finished", "cancelled"}),
    "paused": frozenset({"running", "finished", "cancelled"}),
    "finished": frozenset({"running", "cancelled"}),
    "crashed": frozenset({"running", "finished", "cancelled"}),
    "cancelled": frozenset(),
}
_ACTIONS = {"running": "resumed", "paused": "paused", "finished": "stopped", "cancelled": "cancelled"}
_ID_ALPHABET = string.ascii_lowercase + string.digits


def new_id(length: int = 8) -> str:
    """wandb's shape: 8 lowercase letters and digits (36^8: a collision is never expected, and a
    create of a taken id fails its condition rather than overwrite)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


class SweepService:
    def __init__(self, items: ItemStore, runs: RunService) -> None:
        self._items = items
        self._runs = runs
        self._projects = ProjectService(items)

    @classmethod
    def of(cls, state: AppState) -> SweepService:
        return cls(state.storage.items, RunService.of(state))

    # -- access --------------------------------------------------------------------------------
    def authorized_meta(self, caller: Caller, sweep_id: str, permission: Permission) -> Item:
        """The sweep item, once the policy allowed `permission` on its project (NotFound hides it)."""
        missing = missing_sweep(sweep_id)
        meta = self._items.get(*keys.meta(sweep_id))
        if meta is None:
            raise missing
        try:
            ref = self._projects.get_ref(meta["project_id"])
        except NotFound:
            raise missing from None
        authorize(caller, permission, ref, hidden=missing)
        note_object(sweep_id)
        return meta

    # -- create --------------------------------------------------------------------------------
    def create(self, caller: Caller, project_id: str, body: SweepCreate) -> Sweep:
        project = self._projects.get_item(project_id)
        authorize(caller, Permission.RUN_WRITE, ref_from_item(project))
        config, shown = search.parse_config(body.config, body.config_yaml)
        sweep_id = new_id()
        at = now_iso()
        priors = self._prior_trials(project_id, sweep_id, config, body.prior_runs)
        meta: Item = {
            "pk": keys.meta(sweep_id)[0], "sk": "META", "id": sweep_id, "project_id": project_id,
            "entity": project["entity"], "project": project["name"],
            "name": config.get("name"), "description": config.get("description"),
            "config": config, "config_yaml": shown, "state": "running", "rev": 1,
            "trial_count": 0, "prior_count": len(priors), "stats": trial_stats(config, priors),
            "created_by": caller.username, "created_at": at, "updated_at": at,
            "gsi1pk": keys.by_project(project_id), "gsi1sk": keys.listing_sort_key(at, sweep_id),
            "gsi2pk": keys.LIVE_SWEEPS, "gsi2sk": sweep_id,
        }  # fmt: skip
        # Trials first: without its sweep item a partition is invisible, so a create that fails halfway
        # leaves nothing anyone can see.
        for trial in priors:
            self._items.put(trial, condition=Condition.not_exists())
        self._items.put(meta, condition=Condition.not_exists())
        note_object(sweep_id)
        return sweep_from_item(meta)

    def _prior_trials(
        self, project_id: str, sweep_id: str, config: dict[str, Any], run_ids: list[str]
    ) -> list[Item]:
        """wandb's prior_runs: runs of the project whose config and metric seed the search."""
        names = list(config.get("parameters") or {})
        trials: list[Item] = []
        for index, run_id in enumerate(dict.fromkeys(run_ids)):
            run = run_in_project(self._items, project_id, run_id)
            if run is None:
                raise InvalidInput(
                    f"prior_runs[{index}]: run {run_id} is not in this project", field=f"prior_runs[{index}]"
                )
            run_config = self._runs.to_model(run).config
            pk, sk = keys.trial(sweep_id, run_id)
            state = run["state"] if run["state"] != "paused" else "running"
            trial: Item = {
                "pk": pk, "sk": sk, "run_id": run_id, "sweep_id": sweep_id, "prior": True,
                "seq": index - len(run_ids), "state": state, "agent_id": None,
                "params": {k: run_config[k] for k in names if k in run_config},
                "summary_value": metric_in_summary(config, run.get("summary") or {}),
                "history": [], "iterations": 0, "stop_requested": False,
                "created_at": run["created_at"], "finished_at": run.get("finished_at"),
            }  # fmt: skip
            trials.append(trial)
        return trials

    # -- reads ---------------------------------------------------------------------------------
    def get(self, caller: Caller, sweep_id: str) -> Sweep:
        self.authorized_meta(caller, sweep_id, Permission.RUN_READ)
        part = read_partition(self._items, sweep_id)
        return sweep_from_item(part.meta, trial_stats(part.meta["config"], part.trials.values()))

    def listing(
        self, caller: Caller, project_id: str, *, limit: int = 50, cursor: str | None = None
    ) -> SweepList:
        """A project's sweeps, newest first; counts and best trial as of the sweep's last step."""
        authorize(caller, Permission.RUN_READ, self._projects.get_ref(project_id))
        page = self._items.query(
            keys.by_project(project_id), index="gsi1", limit=limit, cursor=cursor, descending=True
        )
        return SweepList(items=[sweep_from_item(item) for item in page.items], next_cursor=page.cursor)

    def trials(self, caller: Caller, sweep_id: str) -> TrialList:
        """The sweep's runs in hand-out order, each with the metric value the search uses for it."""
        self.authorized_meta(caller, sweep_id, Permission.RUN_READ)
        part = read_partition(self._items, sweep_id)
        config = search.read_config(part.meta["config"])
        runs = search.sweep_runs(list(part.trials.values()))
        out: list[Trial] = []
        for run in runs:
            value = search.metric_of(config, run, runs)
            out.append(trial_from_item(part.trials[run.id], value))
        return TrialList(items=out)

    def agents(self, caller: Caller, sweep_id: str) -> AgentList:
        self.authorized_meta(caller, sweep_id, Permission.RUN_READ)
        part = read_partition(self._items, sweep_id)
        found = sorted(part.agents.values(), key=lambda a: (a["created_at"], a["id"]))
        return AgentList(items=[agent_from_item(a) for a in found])

    # -- changes -------------------------------------------------------------------------------
    def patch(self, caller: Caller, sweep_id: str, body: SweepPatch) -> Sweep:
        self.authorized_meta(caller, sweep_id, Permission.RUN_WRITE)
        sent = body.model_fields_set

        def change(meta: Item) -> Item | None:
            new = dict(meta)
            for name in ("name", "description"):
                if name in sent:
                    new[name] = getattr(body, name)
            if body.state is not None and body.state != meta["state"]:
                if body.state not in TRANSITIONS[meta["state"]]:
                    raise Conflict(f"sweep is {meta['state']} and cannot become {body.state}", field="state")
                new["state"] = body.state
                new["finished_reason"] = {"finished": "stopped", "cancelled": "cancelled"}.get(body.state)
                new["error"] = None if body.state == "running" else meta.get("error")
            return None if new == meta else new

        meta = change_meta(self._items, sweep_id, change)
        if body.state is not None:
            note_activity(f"sweep.{_ACTIONS[body.state]}", sweep_id)
        if meta["state"] == "cancelled":
            self._request_stops(sweep_id)
        return self.get(caller, sweep_id)

    def _request_stops(self, sweep_id: str) -> None:
        """Every active trial of a cancelled sweep is stopped by its agent at its next heartbeat."""
        part = read_partition(self._items, sweep_id)
        for trial in part.trials.values():
            if trial["state"] in ACTIVE_TRIAL_STATES and not trial.get("stop_requested"):
                self._items.update(
                    trial["pk"], trial["sk"], set_attrs={"stop_requested": True}, condition=Condition.exists()
                )

    def delete(self, caller: Caller, sweep_id: str) -> None:
        """The sweep, its trials and agents go; its runs stay (they keep `sweep_id`). Agents exit at
        their next heartbeat."""
        self.authorized_meta(caller, sweep_id, Permission.RUN_DELETE)
        part = read_partition(self._items, sweep_id)
        self._items.delete(*keys.meta(sweep_id))  # first: the sweep is gone for every reader at once
        for item in [*part.trials.values(), *part.agents.values()]:
            self._items.delete(item["pk"], item["sk"])
