"""Project automations: "when a run crashes" and "when metric X crosses Y", each telling its creator
through one channel (in-app always; a webhook of theirs or email in addition).

Where they are evaluated (wiring.py attaches both):
- run_crashed: on the run-finished hook, where run-finished fan-out happens: a run that entered
  `crashed` (the reaper, or the SDK) or `failed`.
- metric_threshold: on the run-summary hook, i.e. whenever the server stores a new summary for a run
  (PATCH /runs/{id}/summary, which the SDK sends while it runs and once more at finish). The SDK's
  `log()` path never reaches the server, so a threshold is seen at the summary's granularity: the
  summary's `max` (for above) or `min` (for below) when define_metric keeps them, else its last value.

Each automation fires at most once per run: a must-not-exist write of (automation, run) comes before
anyone is told, so a retried request, a replayed hook or two racing summary patches tell once.
"""

from __future__ import annotations

import math
import secrets
from typing import Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, InvalidInput, NotFound
from ..core.policy import Permission, authorize
from ..core.values import now_iso
from ..identity.users import UserService
from ..ports import Condition, Item, ItemStore
from ..projects.service import ProjectService
from ..runs.lookup import run_label
from . import keys
from .models import Automation, AutomationCreate, AutomationTrigger
from .service import Event, NotificationService

__all__ = ["MAX_AUTOMATIONS_PER_PROJECT", "AutomationService", "crossed"]

MAX_AUTOMATIONS_PER_PROJECT = 50
CRASH_STATES = frozenset({"crashed", "failed"})


def _check_trigger(trigger: AutomationTrigger) -> None:
    if trigger.kind == "metric_threshold":
        for name, hint in (
            ("metric", "a summary key, e.g. 'loss'"),
            ("op", "'above' or 'below'"),
            ("value", "the threshold, a finite number"),
        ):
            if getattr(trigger, name) is None:
                raise InvalidInput(
                    f"trigger.{name}: required when trigger.kind is metric_threshold; give {hint}",
                    field=f"trigger.{name}",
                )
        return
    for name in ("metric", "op", "value"):
        if getattr(trigger, name) is not None:
            raise InvalidInput(
                f"trigger.{name}: only a metric_threshold trigger takes one; drop it or set trigger.kind "
                "to metric_threshold",
                field=f"trigger.{name}",
            )


def _reading(value: Any, op: str) -> float | None:
    """The number a summary entry offers for `op`: a plain number, or max/min/last of a
    define_metric entry ({"min": .., "max": .., "last": ..})."""
    if isinstance(value, dict):
        value = value.get("max" if op == "above" else "min", value.get("last"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _summary_value(summary: dict[str, Any], metric: str) -> Any:
    if metric in summary:
        return summary[metric]
    node: Any = summary  # a nested summary: "eval.loss" reads {"eval": {"loss": ...}}
    for part in metric.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def crossed(trigger: AutomationTrigger, summary: dict[str, Any]) -> float | None:
    """The summary value that crosses the trigger's threshold, or None."""
    if trigger.metric is None or trigger.op is None or trigger.value is None:
        return None
    number = _reading(_summary_value(summary, trigger.metric), trigger.op)
    if number is None:
        return None
    hit = number > trigger.value if trigger.op == "above" else number < trigger.value
    return number if hit else None


def _automation(item: Item) -> Automation:
    return Automation.model_validate({k: v for k, v in item.items() if k in Automation.model_fields})


class AutomationService:
    def __init__(self, items: ItemStore, notifications: NotificationService) -> None:
        self._items = items
        self._notifications = notifications
        self._projects = ProjectService(items)

    # -- CRUD ----------------------------------------------------------------------------------------
    def create(self, caller: Caller, project_id: str, body: AutomationCreate) -> Automation:
        authorize(caller, Permission.PROJECT_WRITE, self._projects.get_ref(project_id))
        _check_trigger(body.trigger)
        channel = body.channel
        if channel.type == "webhook":
            if not channel.webhook_id:
                raise InvalidInput(
                    "channel.webhook_id: required when channel.type is webhook; create one with POST "
                    "/api/webhooks and give its id",
                    field="channel.webhook_id",
                )
            if self._items.get(*keys.webhook(caller.user_id, channel.webhook_id)) is None:
                raise InvalidInput(
                    f"channel.webhook_id: {channel.webhook_id!r} is not one of your webhooks (GET "
                    "/api/webhooks lists them)",
                    field="channel.webhook_id",
                )
        elif channel.webhook_id is not None:
            raise InvalidInput(
                "channel.webhook_id: only a webhook channel takes one; drop it or set channel.type to "
                "webhook",
                field="channel.webhook_id",
            )
        if channel.type == "email" and not (UserService(self._items).get(caller.user_id) or {}).get("email"):
            raise InvalidInput(
                "channel.type: your account has no email address to send to; use in_app or webhook",
                field="channel.type",
            )
        existing = list(self._items.query_all(keys.automations_of(project_id), page_size=100))
        if len(existing) >= MAX_AUTOMATIONS_PER_PROJECT:
            raise InvalidInput(
                f"name: a project has at most {MAX_AUTOMATIONS_PER_PROJECT} automations; delete one first",
                field="name",
            )
        automation_id = secrets.token_hex(8)
        pk, sk = keys.automation(project_id, automation_id)
        found = Automation(
            id=automation_id,
            project_id=project_id,
            name=body.name,
            trigger=body.trigger,
            channel=channel,
            created_by=caller.user_id,
            created_at=now_iso(),
        )
        self._items.put({"pk": pk, "sk": sk, **found.model_dump()}, condition=Condition.not_exists())
        return found

    def of_project(self, caller: Caller, project_id: str) -> list[Automation]:
        authorize(caller, Permission.PROJECT_READ, self._projects.get_ref(project_id))
        return [_automation(i) for i in self._items.query_all(keys.automations_of(project_id))]

    def delete(self, caller: Caller, project_id: str, automation_id: str) -> None:
        authorize(caller, Permission.PROJECT_WRITE, self._projects.get_ref(project_id))
        try:
            self._items.delete(*keys.automation(project_id, automation_id), condition=Condition.exists())
        except ConditionFailed:
            raise NotFound(f"no automation {automation_id} in this project", field="automation_id") from None

    # -- evaluation ----------------------------------------------------------------------------------
    def _of_kind(self, project_id: str, kind: str) -> list[Automation]:
        found = (_automation(i) for i in self._items.query_all(keys.automations_of(project_id)))
        return [a for a in found if a.trigger.kind == kind]

    def on_run_ended(self, project_id: str, run_id: str, state: str) -> int:
        """Fire the project's run_crashed automations for a run that crashed or failed; returns how
        many fired."""
        if state not in CRASH_STATES:
            return 0
        fired = 0
        for automation in self._of_kind(project_id, "run_crashed"):
            label = run_label(self._items, project_id, run_id)
            text = f"Automation {automation.name!r}: run {label} {state}."
            fired += self._fire(automation, run_id, f"Run {label} {state}", text, "ERROR")
        return fired

    def on_summary(self, project_id: str, run_id: str, summary: dict[str, Any]) -> int:
        """Fire the project's metric_threshold automations this summary crosses; returns how many fired."""
        fired = 0
        for automation in self._of_kind(project_id, "metric_threshold"):
            number = crossed(automation.trigger, summary)
            if number is None:
                continue
            t = automation.trigger
            title = f"Run {run_label(self._items, project_id, run_id)}: {t.metric} {t.op} {t.value:g}"
            text = f"Automation {automation.name!r}: {t.metric} = {number:g} is {t.op} {t.value:g}."
            fired += self._fire(automation, run_id, title, text, "WARN")
        return fired

    def _fire(self, automation: Automation, run_id: str, title: str, text: str, level: str) -> int:
        pk, sk = keys.automation_fired(automation.id, run_id)
        try:
            self._items.put({"pk": pk, "sk": sk, "at": now_iso()}, condition=Condition.not_exists())
        except ConditionFailed:
            return 0  # this automation already fired for this run
        channel = automation.channel
        event = Event("automation", automation.project_id, title, text, level, f"/runs/{run_id}", run_id)
        self._notifications.tell(
            automation.created_by,
            event,
            email=channel.type == "email",
            hooks=[channel.webhook_id] if channel.type == "webhook" and channel.webhook_id else [],
        )
        return 1
