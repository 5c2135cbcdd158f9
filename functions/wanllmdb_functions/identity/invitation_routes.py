"""Invitations: create (the token is shown once), list the open ones, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, status

from ..app.routing import ServiceRouter
from .authn import CallerDep
from .deps import InvitationsDep
from .models import EntityName, InvitationCreate, InvitationCreated, InvitationId, InvitationList

router = ServiceRouter(tags=["invitations"])


@router.post("/invitations", status_code=status.HTTP_201_CREATED)
def create_invitation(
    body: InvitationCreate, caller: CallerDep, invitations: InvitationsDep
) -> InvitationCreated:
    return invitations.create(caller, body)


@router.get("/invitations")
def list_invitations(
    caller: CallerDep,
    invitations: InvitationsDep,
    org: Annotated[
        EntityName | None,
        Query(description="Only invitations into this organization (its admins may list them)."),
    ] = None,
) -> InvitationList:
    return InvitationList(items=invitations.list_open(caller, org))


@router.delete("/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_invitation(invitation_id: InvitationId, caller: CallerDep, invitations: InvitationsDep) -> None:
    invitations.revoke(caller, invitation_id)
