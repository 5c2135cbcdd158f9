"""Notification routes: the caller's inbox, subscriptions, webhooks and the local email outbox."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Response, status

from ..app.deps import AppStateDep
from ..app.routing import ServiceRouter
from ..core.errors import Forbidden, InvalidInput
from ..identity.authn import CallerDep
from ..projects.deps import ProjectIdDep
from .models import (
    DeliveryPage,
    MarkRead,
    NotificationPage,
    Subscription,
    SubscriptionSet,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
)
from .service import NotificationService
from .wiring import notification_service, require_delivery

__all__ = ["router"]

router = ServiceRouter(tags=["notifications"])


async def service(state: AppStateDep) -> NotificationService:
    return notification_service(state)


NotificationsDep = Annotated[NotificationService, Depends(service)]
HookId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")]


@router.get("/notifications")
def inbox(
    caller: CallerDep,
    svc: NotificationsDep,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    unread_only: bool = False,
) -> NotificationPage:
    return svc.inbox(caller, cursor=cursor, unread_only=unread_only)


@router.post("/notifications/read")
def mark_read(body: MarkRead, caller: CallerDep, svc: NotificationsDep) -> NotificationPage:
    return svc.mark_read(caller, body.ids)


@router.get("/projects/{project_id}/subscription")
def get_subscription(project_id: ProjectIdDep, caller: CallerDep, svc: NotificationsDep) -> Subscription:
    return svc.subscription(caller, project_id)


@router.put("/projects/{project_id}/subscription")
def set_subscription(
    project_id: ProjectIdDep,
    body: SubscriptionSet,
    caller: CallerDep,
    svc: NotificationsDep,
    state: AppStateDep,
) -> Subscription:
    if body.email:
        require_delivery(state, "email", email=True)
    if body.webhook_ids:
        require_delivery(state, "webhook_ids")
    return svc.subscribe(caller, project_id, body)


@router.post("/webhooks", status_code=status.HTTP_201_CREATED)
def create_webhook(
    body: WebhookCreate, caller: CallerDep, svc: NotificationsDep, state: AppStateDep
) -> WebhookCreated:
    """A webhook for the caller's subscriptions; its secret is shown in this answer only."""
    require_delivery(state, "url")
    return svc.create_webhook(caller, body)


@router.get("/webhooks")
def list_webhooks(caller: CallerDep, svc: NotificationsDep) -> WebhookList:
    return WebhookList(webhooks=svc.webhooks(caller))


@router.delete("/webhooks/{hook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(hook_id: HookId, caller: CallerDep, svc: NotificationsDep) -> Response:
    svc.delete_webhook(caller, hook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/webhooks/{hook_id}/deliveries")
def deliveries(hook_id: HookId, caller: CallerDep, svc: NotificationsDep) -> DeliveryPage:
    return svc.deliveries(caller, hook_id)


@router.get("/outbox")
def outbox(caller: CallerDep, state: AppStateDep) -> dict[str, list[dict[str, Any]]]:
    """The local server's email outbox, newest first (tenant admins): what would have been sent."""
    if not caller.is_admin:
        raise Forbidden("the email outbox is for tenant admins", field="outbox")
    if state.settings.backend != "local":
        raise InvalidInput(
            "outbox: only the local server keeps an email outbox; AWS sends through SES", field="outbox"
        )
    folder = state.settings.data_dir / "outbox"
    messages = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:50] if folder.is_dir() else []:
        message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
        body = message.get_body(("plain",))
        messages.append(
            {
                "file": path.name,
                "to": message["To"],
                "subject": message["Subject"],
                "text": body.get_content() if body else "",
            }
        )
    return {"messages": messages}
