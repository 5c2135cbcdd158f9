"""Roles: the built-in admin, member and viewer, plus custom roles stored as named permission sets."""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import ConditionFailed, Conflict, InvalidInput
from ..core.policy import BUILTIN_ROLES, ENTITY_PERMISSIONS, Permission
from ..core.values import now_iso
from ..ports import Condition, Item, ItemStore
from . import keys
from .models import Role, RoleCreate

__all__ = ["RoleService"]


def _role(item: Item) -> Role:
    return Role(
        name=item["name"], permissions=sorted(item["permissions"]), description=item.get("description")
    )


class RoleService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items

    def list_roles(self) -> list[Role]:
        builtin = [Role(name=n, permissions=sorted(p), builtin=True) for n, p in BUILTIN_ROLES.items()]
        page = self._items.query(keys.ROLES_PK, sk_prefix="ROLE#")
        return builtin + [_role(i) for i in page.items]

    def create(self, body: RoleCreate) -> Role:
        if body.name in BUILTIN_ROLES:
            raise Conflict(f"{body.name!r} is a built-in role", field="name")
        pk, sk = keys.role(body.name)
        item = {
            "pk": pk,
            "sk": sk,
            "name": body.name,
            "permissions": sorted(set(body.permissions)),
            "description": body.description,
            "created_at": now_iso(),
        }
        existing = self._items.get(pk, sk)
        if existing is not None:
            # Idempotent: the same definition again is a success; a different one is a conflict.
            if existing["permissions"] == item["permissions"]:
                return _role(existing)
            raise Conflict(f"role {body.name!r} exists with other permissions", field="name")
        try:
            self._items.put(item, condition=Condition.not_exists())
        except ConditionFailed:
            return self.create(body)
        return _role(item)

    def delete(self, name: str) -> None:
        if name in BUILTIN_ROLES:
            raise InvalidInput(f"{name!r} is a built-in role and cannot be deleted", field="name")
        self._items.delete(*keys.role(name))

    def require(self, name: str) -> None:
        """Raise InvalidInput unless `name` is a role that can be assigned."""
        if name not in BUILTIN_ROLES and self._items.get(*keys.role(name)) is None:
            raise InvalidInput(
                f"unknown role {name!r}: use admin, member, viewer or a custom role from /api/roles",
                field="role",
            )

    def permissions(self, names: Iterable[str]) -> dict[str, frozenset[Permission]]:
        """Permission sets of the given roles; a deleted custom role grants nothing."""
        wanted = set(names)
        found: dict[str, frozenset[Permission]] = {}
        custom = wanted - BUILTIN_ROLES.keys()
        if custom:
            for item in self._items.query(keys.ROLES_PK, sk_prefix="ROLE#").items:
                if item["name"] in custom:
                    perms = {Permission(p) for p in item["permissions"] if p in ENTITY_PERMISSIONS}
                    found[item["name"]] = frozenset(perms)
        for name in wanted & BUILTIN_ROLES.keys():
            found[name] = BUILTIN_ROLES[name]
        return found
