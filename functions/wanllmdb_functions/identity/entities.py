"""Entity names (users, organizations, teams) to the `EntityRef` the policy reasons about."""

from __future__ import annotations

from ..core.errors import NotFound
from ..core.policy import EntityRef
from ..ports import ItemStore
from . import keys

__all__ = ["resolve_entity"]


def resolve_entity(items: ItemStore, name: str) -> EntityRef:
    claim = items.get(*keys.entity_claim(name))
    if claim is None:
        raise NotFound(f"no user, organization or team named {name!r}", field="entity")
    return EntityRef(name=name, kind=claim["kind"], org=claim.get("org"))
