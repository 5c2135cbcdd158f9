"""Item keys of notifications: a user's inbox, subscriptions by project, webhooks, deliveries, alerts."""

from __future__ import annotations

__all__ = [
    "alert_gate",
    "automation",
    "automation_fired",
    "automations_of",
    "deliveries_of",
    "delivery",
    "inbox",
    "inbox_entry",
    "subscribers_of",
    "subscription",
    "unread",
    "webhook",
    "webhooks_of",
]


def inbox(user_id: str) -> str:
    return f"INBOX#{user_id}"


def inbox_entry(user_id: str, at: str, notification_id: str) -> tuple[str, str]:
    # Newest last in sort order: a descending query lists newest first.
    return inbox(user_id), f"N#{at}#{notification_id}"


def unread(user_id: str) -> tuple[str, str]:
    return inbox(user_id), "UNREAD"


def subscribers_of(project_id: str) -> str:
    return f"SUBS#{project_id}"


def subscription(project_id: str, user_id: str) -> tuple[str, str]:
    return subscribers_of(project_id), f"USER#{user_id}"


def webhooks_of(user_id: str) -> str:
    return f"HOOKS#{user_id}"


def webhook(user_id: str, hook_id: str) -> tuple[str, str]:
    return webhooks_of(user_id), f"HOOK#{hook_id}"


def deliveries_of(hook_id: str) -> str:
    return f"DELIV#{hook_id}"


def delivery(hook_id: str, at: str, delivery_id: str) -> tuple[str, str]:
    return deliveries_of(hook_id), f"D#{at}#{delivery_id}"


def alert_gate(run_id: str, title: str) -> tuple[str, str]:
    """The last time an alert of this title was sent for this run (wandb's wait_duration)."""
    return f"ALERTS#{run_id}", f"T#{title}"


def automations_of(project_id: str) -> str:
    return f"AUTOS#{project_id}"


def automation(project_id: str, automation_id: str) -> tuple[str, str]:
    return automations_of(project_id), f"A#{automation_id}"


def automation_fired(automation_id: str, run_id: str) -> tuple[str, str]:
    """Written with must-not-exist before an automation tells anyone: at most once per run."""
    return f"AUTOFIRED#{automation_id}", f"RUN#{run_id}"
