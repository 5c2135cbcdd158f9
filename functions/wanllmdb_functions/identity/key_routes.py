"""API keys of the calling user: create (the secret is shown once), list, revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from ..app.routing import ServiceRouter
from .authn import CallerDep
from .deps import CredentialsDep
from .models import ApiKeyCreate, ApiKeyCreated, ApiKeyList

router = ServiceRouter(tags=["keys"])


@router.post("/keys", status_code=status.HTTP_201_CREATED)
def create_key(body: ApiKeyCreate, caller: CallerDep, credentials: CredentialsDep) -> ApiKeyCreated:
    return credentials.create_key(caller.user_id, body)


@router.get("/keys")
def list_keys(caller: CallerDep, credentials: CredentialsDep) -> ApiKeyList:
    return ApiKeyList(items=credentials.list_keys(caller.user_id))


@router.delete("/keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(
    key_id: Annotated[str, Path(pattern=r"^[a-f0-9]{1,32}$")], caller: CallerDep, credentials: CredentialsDep
) -> None:
    credentials.revoke_key(caller.user_id, key_id)
