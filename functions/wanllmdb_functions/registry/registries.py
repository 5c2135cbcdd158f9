"""Registries: created once per (entity, name), found by id or `entity:name`, and the policy's view of
them. A registry is authorized like a project owned by its entity (`ProjectRef` with the registry's
id), so the entity's roles give its permissions; grants on the registry (`kind: registry`,
`resource_id: *`) and on one registered model (`kind: registered_model`) add or take away."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from typing import Any

from ..artifacts.names import check_alias, check_type
from ..core.caller import Caller
from ..core.errors import ConditionFailed, InvalidInput, NotFound
from ..core.policy import EntityRef, Grant, Permission, ProjectRef, ResourceRef, authorize, permissions_of
from ..core.values import now_iso
from ..identity.entities import resolve_entity
from ..ports import Condition, Item, ItemStore, TransactOp
from ..projects import keys as grant_keys
from ..projects.grants import grant_item
from . import keys
from .models import (
    STAGES,
    Registry,
    RegistryCreate,
    RegistryGrantIn,
    RegistryGrantOut,
    RegistrySettings,
    RegistryUpdate,
)

__all__ = ["RegistryService", "registry_model", "registry_ref"]

ALL_MODELS = "*"  # the resource id of grants on the whole registry
_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
WANDB_PREFIX = "wandb-registry-"


def registry_ref(item: Item) -> ProjectRef:
    owner = EntityRef(name=item["entity"], kind=item["entity_kind"], org=item.get("org"))
    return ProjectRef(project_id=item["id"], owner=owner, visibility="private")


def registry_model(item: Item, caller: Caller, ref: ResourceRef) -> Registry:
    """The registry as the caller sees it; `ref` carries its grants (RegistryService.grants_ref)."""
    return Registry.model_validate(
        {
            **{k: item.get(k) for k in ("id", "entity", "name", "created_at", "created_by")},
            "description": item.get("description", ""),
            "settings": item["settings"],
            "model_count": int(item.get("model_count", 0)),
            "permissions": sorted(p.value for p in permissions_of(caller, ref)),
        }
    )


def check_registry_name(name: str) -> str:
    """wandb's `wandb-registry-<name>` project form names the same registry as `<name>`."""
    name = name.removeprefix(WANDB_PREFIX)
    if not _NAME.fullmatch(name):
        raise InvalidInput(
            f"name: {name!r} is not a registry name; use 1-64 lowercase letters, digits, '_', '.' or '-', "
            "starting with a letter or digit (e.g. 'model')",
            field="name",
        )
    return name


def check_settings(settings: RegistrySettings) -> RegistrySettings:
    unknown = sorted(set(settings.protected_stages) - set(STAGES))
    if unknown:
        raise InvalidInput(
            f"settings.protected_stages: {unknown} are not stages; use some of {list(STAGES)}",
            field="settings.protected_stages",
        )
    for alias in settings.protected_aliases:
        check_alias(alias, field="settings.protected_aliases")
    for kind in settings.artifact_types:
        check_type(kind, field="settings.artifact_types")
    return settings


def _missing(ref: str) -> NotFound:
    return NotFound(f"registry {ref} not found", field="registry")


class RegistryService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items

    # -- lookups --------------------------------------------------------------------
    def item(self, caller: Caller, ref: str, permission: Permission = Permission.REGISTRY_READ) -> Item:
        """The registry `ref` names (its id, or `entity:name`), once `caller` holds `permission` on it
        (a caller who may not read it is told it does not exist)."""
        item = self._find(ref)
        if item is None:
            raise _missing(ref)
        authorize(caller, permission, self.grants_ref(item, None), hidden=_missing(ref))
        return item

    def _find(self, ref: str) -> Item | None:
        entity, sep, name = ref.replace("/", ":").partition(":")
        if not sep:
            return self._items.get(*keys.meta(ref))
        claim = self._items.get(*keys.name_claim(entity, name.removeprefix(WANDB_PREFIX)))
        return None if claim is None else self._items.get(*keys.meta(claim["id"]))

    def grants_of(self, registry: Item) -> list[Item]:
        """Every grant made in the registry: one query, shared by the checks of one listing."""
        return list(self._items.query_all(grant_keys.grants_of(registry["id"]), page_size=500))

    def grants_ref(
        self, registry: Item, model: str | None, *, grants: Sequence[Item] | None = None
    ) -> ResourceRef:
        """The registry (or one model in it) with the grants that apply: the registry's, then the
        model's, from `grants` (grants_of) or one query of the registry's grant partition."""
        found = self.grants_of(registry) if grants is None else grants
        wanted = {grant_keys.grants_prefix("registry", ALL_MODELS)}
        if model is not None:
            wanted.add(grant_keys.grants_prefix("registered_model", model))
        applying = tuple(
            Grant(g["principal"], frozenset(Permission(p) for p in g["permissions"]), g["effect"])
            for g in found
            if any(g["sk"].startswith(prefix) for prefix in wanted)
        )
        return ResourceRef(
            registry_ref(registry),
            "registry" if model is None else "registered_model",
            model or ALL_MODELS,
            applying,
        )

    def authorize(self, caller: Caller, permission: Permission, registry: Item, model: str | None) -> None:
        authorize(caller, permission, self.grants_ref(registry, model), hidden=_missing(registry["id"]))

    def holds(
        self,
        caller: Caller,
        permission: Permission,
        registry: Item,
        model: str | None,
        *,
        grants: Sequence[Item] | None = None,
    ) -> bool:
        return permission in permissions_of(caller, self.grants_ref(registry, model, grants=grants))

    # -- routes --------------------------------------------------------------------
    def create(self, caller: Caller, body: RegistryCreate) -> tuple[Registry, bool]:
        """The registry and whether it was created now (False: it existed and the call changed nothing)."""
        name = check_registry_name(body.name)
        owner = resolve_entity(self._items, body.entity)
        existing = self._find(f"{owner.name}:{name}")
        if existing is not None:
            authorize(caller, Permission.REGISTRY_READ, registry_ref(existing), hidden=_missing(name))
            return registry_model(existing, caller, self.grants_ref(existing, None)), False
        authorize(caller, Permission.REGISTRY_ADMIN, owner)
        registry_id = "reg" + secrets.token_hex(6)
        pk, sk = keys.meta(registry_id)
        claim_pk, claim_sk = keys.name_claim(owner.name, name)
        item: dict[str, Any] = {
            "pk": pk,
            "sk": sk,
            "id": registry_id,
            "entity": owner.name,
            "entity_kind": owner.kind,
            "org": owner.org,
            "name": name,
            "description": body.description,
            "settings": check_settings(body.settings).model_dump(),
            "model_count": 0,
            "created_at": now_iso(),
            "created_by": caller.username,
            "gsi1pk": keys.by_entity(owner.name),
            "gsi1sk": name,
        }
        try:
            self._items.transact_write(
                [
                    TransactOp("put", item, Condition.not_exists()),
                    TransactOp(
                        "put", {"pk": claim_pk, "sk": claim_sk, "id": registry_id}, Condition.not_exists()
                    ),
                ]
            )
        except ConditionFailed:
            return self.create(caller, body)  # created by a concurrent call: answer with that one
        return registry_model(item, caller, self.grants_ref(item, None)), True

    def get(self, caller: Caller, ref: str) -> Registry:
        item = self.item(caller, ref)
        return registry_model(item, caller, self.grants_ref(item, None))

    def listing(self, caller: Caller, entity: str | None) -> list[Registry]:
        """The registries of `entity`, or of every entity the caller belongs to, that it may read."""
        return [registry_model(item, caller, ref) for item, ref in self.readable(caller, entity)]

    def readable(self, caller: Caller, entity: str | None) -> list[tuple[Item, ResourceRef]]:
        """(registry item, its grants ref) of each registry `listing` shows: one grant query each."""
        if entity is not None:
            entities = [resolve_entity(self._items, entity).name]
        else:
            entities = sorted({caller.username, *caller.entity_permissions})
        out: list[tuple[Item, ResourceRef]] = []
        for name in entities:
            for item in self._items.query_all(keys.by_entity(name), index="gsi1", page_size=200):
                ref = self.grants_ref(item, None)
                if Permission.REGISTRY_READ in permissions_of(caller, ref):
                    out.append((item, ref))
        return out

    def update(self, caller: Caller, ref: str, body: RegistryUpdate) -> Registry:
        item = self.item(caller, ref, Permission.REGISTRY_ADMIN)
        changes: dict[str, Any] = {}
        if body.description is not None:
            changes["description"] = body.description
        if body.settings is not None:
            changes["settings"] = check_settings(body.settings).model_dump()
        if changes:
            item = self._items.update(item["pk"], item["sk"], set_attrs=changes, condition=Condition.exists())
        return registry_model(item, caller, self.grants_ref(item, None))

    # -- grants --------------------------------------------------------------------
    def grants(self, caller: Caller, ref: str) -> list[RegistryGrantOut]:
        registry = self.item(caller, ref, Permission.REGISTRY_ADMIN)
        return [
            RegistryGrantOut.model_validate({k: g[k] for k in RegistryGrantOut.model_fields})
            for g in self._items.query_all(grant_keys.grants_of(registry["id"]), page_size=500)
        ]

    def put_grant(self, caller: Caller, ref: str, body: RegistryGrantIn) -> RegistryGrantOut:
        registry = self.item(caller, ref, Permission.REGISTRY_ADMIN)
        if body.kind == "registry" and body.resource_id != ALL_MODELS:
            raise InvalidInput(
                "resource_id: a grant on the whole registry has resource_id '*'", field="resource_id"
            )
        item = grant_item(registry["id"], body, caller)
        self._items.put(item)
        return RegistryGrantOut.model_validate({k: item[k] for k in RegistryGrantOut.model_fields})

    def delete_grant(self, caller: Caller, ref: str, kind: str, resource_id: str, principal: str) -> None:
        registry = self.item(caller, ref, Permission.REGISTRY_ADMIN)
        self._items.delete(*grant_keys.grant(registry["id"], kind, resource_id, principal))
