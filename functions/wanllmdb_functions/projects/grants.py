"""Resource grants: permissions on one run, artifact collection or report for a user, team or
organization, kept beside the project and read into the policy (core/policy.py ResourceRef).

Project admins give and take them. Permission names are checked against what the resource kind
has; an unknown one is refused with the list of valid ones.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..core.caller import Caller
from ..core.errors import InvalidInput
from ..core.policy import GRANT_KINDS, Grant, Permission, ProjectRef, ResourceRef, authorize
from ..core.values import now_iso
from ..ports import Item, ItemStore
from . import keys
from .service import ProjectService

__all__ = ["GrantIn", "GrantOut", "GrantService", "grant_item", "resource_ref"]

GrantKind = Literal["run", "artifact", "report"]


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: GrantKind
    resource_id: str = Field(min_length=1, max_length=256, description="run id, artifact name or report id")
    principal: str = Field(min_length=3, max_length=140, description="user:<name>, team:<name> or org:<name>")
    permissions: list[str] = Field(min_length=1, max_length=8)
    effect: Literal["allow", "deny"] = "allow"


class GrantOut(GrantIn):
    created_by: str
    created_at: str


def resource_ref(items: ItemStore, project: ProjectRef, kind: str, resource_id: str) -> ResourceRef:
    """The resource with its grants: one query of the project's grant partition."""
    found = items.query_all(
        keys.grants_of(project.project_id), sk_prefix=keys.grants_prefix(kind, resource_id)
    )
    grants = tuple(
        Grant(g["principal"], frozenset(Permission(p) for p in g["permissions"]), g["effect"]) for g in found
    )
    return ResourceRef(project, kind, resource_id, grants)


def grant_item(scope_id: str, body: GrantIn, caller: Caller) -> Item:
    """The stored grant of `body` on a resource of `scope_id` (a project, or a registry), checked:
    permissions the resource kind has, a well-formed principal, no '#' in key parts."""
    valid = sorted(p.value for p in GRANT_KINDS[body.kind])
    unknown = sorted(set(body.permissions) - set(valid))
    if unknown:
        raise InvalidInput(
            f"permissions: {unknown} are not permissions of a {body.kind}; use some of {valid}",
            field="permissions",
        )
    if "#" in body.resource_id or "#" in body.principal:
        # '#' separates the parts of a grant's key: `a` would otherwise match the grants of `a#b`.
        raise InvalidInput("resource_id and principal must not hold '#'", field="resource_id")
    kind, _, name = body.principal.partition(":")
    if kind not in ("user", "team", "org") or not name:
        raise InvalidInput("principal: write user:<name>, team:<name> or org:<name>", field="principal")
    pk, sk = keys.grant(scope_id, body.kind, body.resource_id, body.principal)
    fields = body.model_dump() | {"permissions": sorted(set(body.permissions))}
    return {"pk": pk, "sk": sk, **fields, "created_by": caller.username, "created_at": now_iso()}


class GrantService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self._projects = ProjectService(items)

    def _admin(self, caller: Caller, project_id: str) -> ProjectRef:
        ref = self._projects.get_ref(project_id)
        authorize(caller, Permission.PROJECT_ADMIN, ref)
        return ref

    def put(self, caller: Caller, project_id: str, body: GrantIn) -> GrantOut:
        self._admin(caller, project_id)
        item = grant_item(project_id, body, caller)
        self._items.put(item)
        return GrantOut.model_validate({k: item[k] for k in GrantOut.model_fields})

    def list(self, caller: Caller, project_id: str) -> list[GrantOut]:
        self._admin(caller, project_id)
        return [
            GrantOut.model_validate({k: v for k, v in item.items() if k in GrantOut.model_fields})
            for item in self._items.query_all(keys.grants_of(project_id))
        ]

    def delete(self, caller: Caller, project_id: str, kind: str, resource_id: str, principal: str) -> None:
        self._admin(caller, project_id)
        self._items.delete(*keys.grant(project_id, kind, resource_id, principal))
