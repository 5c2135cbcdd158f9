"""Request and response shapes of the notification routes."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "EVENT_KINDS",
    "REGISTRY_EVENT_KINDS",
    "AlertRequest",
    "AlertResult",
    "Automation",
    "AutomationChannel",
    "AutomationCreate",
    "AutomationList",
    "AutomationTrigger",
    "Delivery",
    "DeliveryPage",
    "EventKind",
    "MarkRead",
    "Notification",
    "NotificationPage",
    "RegistryEventKind",
    "RegistrySubscriptionSet",
    "Subscription",
    "SubscriptionSet",
    "Webhook",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookList",
]

EventKind = Literal["run_finished", "run_failed", "run_crashed", "alert", "mention", "review_request"]
EVENT_KINDS: tuple[str, ...] = (
    "run_finished",
    "run_failed",
    "run_crashed",
    "alert",
    "mention",
    "review_request",
)
# What a registry's subscribers can hear (registry/events.py); reviewers hear of new requests anyway.
RegistryEventKind = Literal[
    "registry.version.created",
    "registry.alias.set",
    "registry.stage.changed",
    "registry.request.created",
    "registry.request.approved",
    "registry.request.rejected",
]
REGISTRY_EVENT_KINDS: tuple[str, ...] = get_args(RegistryEventKind)
AlertLevel = Literal["INFO", "WARN", "ERROR"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Notification(BaseModel):
    id: str
    kind: str
    title: str
    text: str = ""
    level: str = "INFO"
    link: str | None = Field(default=None, description="the dashboard path of the object it is about")
    project_id: str | None = None
    run_id: str | None = None
    created_at: str
    read: bool = False


class NotificationPage(BaseModel):
    items: list[Notification]
    unread: int
    next_cursor: str | None = None


class MarkRead(_Strict):
    ids: list[str] = Field(default_factory=list, max_length=500, description="notification ids; empty: all")


class SubscriptionSet(_Strict):
    events: list[EventKind] = Field(description="what to hear about in this project; [] unsubscribes")
    email: bool = False
    webhook_ids: list[str] = Field(default_factory=list, max_length=10)


class RegistrySubscriptionSet(SubscriptionSet):
    events: list[RegistryEventKind] = Field(  # type: ignore[assignment]
        description="what to hear about in this registry; [] unsubscribes"
    )


class Subscription(BaseModel):
    project_id: str
    events: list[str]
    email: bool
    webhook_ids: list[str]


class WebhookCreate(_Strict):
    url: str = Field(min_length=8, max_length=2048)
    name: str = Field(default="", max_length=128)


class Webhook(BaseModel):
    id: str
    url: str
    name: str
    created_at: str


class WebhookCreated(Webhook):
    secret: str = Field(description="shown once: the HMAC key of X-Wanllmdb-Signature")


class WebhookList(BaseModel):
    webhooks: list[Webhook]


class Delivery(BaseModel):
    id: str
    event: str
    status: str = Field(description="delivered, retrying or failed")
    attempts: int
    response_status: int | None = None
    error: str | None = None
    created_at: str
    updated_at: str


class DeliveryPage(BaseModel):
    deliveries: list[Delivery]


class AlertRequest(_Strict):
    title: str = Field(min_length=1, max_length=63, description="wandb: under 64 characters")
    text: str = Field(max_length=10_000)
    level: AlertLevel = "INFO"
    wait_duration_s: float = Field(default=60.0, ge=0, le=30 * 86400, description="per title and run")


class AlertResult(BaseModel):
    sent: bool = Field(description="false when an alert of this title went out within wait_duration")
    recipients: int


class AutomationTrigger(_Strict):
    kind: Literal["run_crashed", "metric_threshold"] = Field(
        description="run_crashed: a run of the project crashed or failed; metric_threshold: a run's "
        "summary value of `metric` went above or below `value`"
    )
    metric: str | None = Field(
        default=None, min_length=1, max_length=256, description="metric_threshold: the summary key"
    )
    op: Literal["above", "below"] | None = Field(default=None, description="metric_threshold only")
    value: float | None = Field(default=None, allow_inf_nan=False, description="metric_threshold only")


class AutomationChannel(_Strict):
    type: Literal["in_app", "webhook", "email"] = Field(
        default="in_app", description="in-app always; webhook or email in addition, to the creator"
    )
    webhook_id: str | None = Field(default=None, max_length=64, description="webhook only: one of yours")


class AutomationCreate(_Strict):
    name: str = Field(min_length=1, max_length=128)
    trigger: AutomationTrigger
    channel: AutomationChannel = Field(default_factory=AutomationChannel)


class Automation(BaseModel):
    id: str
    project_id: str
    name: str
    trigger: AutomationTrigger
    channel: AutomationChannel
    created_by: str = Field(description="the user who created it, and who hears when it fires")
    created_at: str


class AutomationList(BaseModel):
    automations: list[Automation]
