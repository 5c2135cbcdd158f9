"""Organizations, their teams, and memberships (a user's role in an organization or a team)."""

from __future__ import annotations

from typing import Any, Literal

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, InvalidInput, NotFound
from ..core.policy import EntityRef, Permission, authorize
from ..core.request_scope import note_object
from ..core.values import now_iso
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .entities import resolve_entity
from .models import Member, Org, OrgCreate, OrgUpdate, Team
from .roles import RoleService
from .users import UserService

__all__ = ["OrgService"]

ORGS_INDEX_PK = "ORGS"


def _org(item: Item, role: str | None = None) -> Org:
    return Org.model_validate(
        {**{k: item.get(k) for k in ("name", "display_name", "created_at")}, "role": role}
    )


def _team(item: Item) -> Team:
    return Team.model_validate({k: item[k] for k in ("name", "org", "created_at")})


def _member(item: Item) -> Member:
    return Member(user_id=item["user_id"], username=item["username"], role=item["role"])


class OrgService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self._users = UserService(items)
        self._roles = RoleService(items)

    # -- organizations -------------------------------------------------------------------------
    def create(self, caller: Caller, body: OrgCreate) -> Org:
        """Create an organization with the caller as its first admin; Conflict when the name is taken."""
        now = now_iso()
        pk, sk = keys.org(body.name)
        org_item = {
            "pk": pk, "sk": sk, "name": body.name, "display_name": body.display_name,
            "created_at": now, "created_by": caller.user_id, "gsi1pk": ORGS_INDEX_PK, "gsi1sk": body.name,
        }  # fmt: skip
        claim_pk, claim_sk = keys.entity_claim(body.name)
        claim = {"pk": claim_pk, "sk": claim_sk, "kind": "org", "name": body.name}
        membership = self.membership_item("org", body.name, None, caller.user_id, caller.username, "admin")
        try:
            self._items.transact_write(
                [
                    TransactOp("put", claim, Condition.not_exists()),
                    TransactOp("put", org_item, Condition.not_exists()),
                    TransactOp("put", membership),
                ]
            )
        except ConditionFailed:
            raise Conflict(f"the name {body.name!r} is already taken", field="name") from None
        return _org(org_item, "admin")

    def list_orgs(self, caller: Caller) -> list[Org]:
        mine = {m["entity"]: m["role"] for m in self._memberships(caller.user_id, "ORG#")}
        if caller.is_admin:
            orgs = self._items.query(ORGS_INDEX_PK, index="gsi1").items
        else:
            orgs = [o for name in sorted(mine) if (o := self._items.get(*keys.org(name))) is not None]
        return [_org(o, mine.get(o["name"])) for o in orgs]

    def get(self, caller: Caller, org: str) -> Org:
        item = self._require_org(org)
        authorize(caller, Permission.ORG_READ, EntityRef(org, "org"))
        member = self._items.get(*keys.org_member(org, caller.user_id))
        return _org(item, member["role"] if member else None)

    def update(self, caller: Caller, org: str, body: OrgUpdate) -> Org:
        """Change the organization's display name (its admins)."""
        self._require_org(org)
        authorize(caller, Permission.ORG_ADMIN, EntityRef(org, "org"))
        try:
            display = {"display_name": body.display_name or None}
            item = self._items.update(*keys.org(org), set_attrs=display, condition=Condition.exists())
        except ConditionFailed:
            raise NotFound(f"no organization named {org!r}", field="org") from None
        member = self._items.get(*keys.org_member(org, caller.user_id))
        return _org(item, member["role"] if member else None)

    # -- teams ----------------------------------------------------------------------------------
    def create_team(self, caller: Caller, org: str, name: str) -> Team:
        self._require_org(org)
        authorize(caller, Permission.ORG_ADMIN, EntityRef(org, "org"))
        now = now_iso()
        pk, sk = keys.team(org, name)
        team_item = {"pk": pk, "sk": sk, "name": name, "org": org, "created_at": now}
        claim_pk, claim_sk = keys.entity_claim(name)
        claim = {"pk": claim_pk, "sk": claim_sk, "kind": "team", "name": name, "org": org}
        try:
            self._items.transact_write(
                [
                    TransactOp("put", claim, Condition.not_exists()),
                    TransactOp("put", team_item, Condition.not_exists()),
                ]
            )
        except ConditionFailed:
            raise Conflict(f"the name {name!r} is already taken", field="name") from None
        return _team(team_item)

    def list_teams(self, caller: Caller, org: str) -> list[Team]:
        self._require_org(org)
        authorize(caller, Permission.ORG_READ, EntityRef(org, "org"))
        items = self._items.query(keys.org(org)[0], sk_prefix="TEAM#").items
        return [_team(t) for t in items]

    # -- memberships ----------------------------------------------------------------------------
    def list_members(self, caller: Caller, entity: str) -> list[Member]:
        ref = self._group(entity)
        authorize(caller, Permission.ORG_READ, ref)
        return [_member(i) for i in self._items.query(self._member_pk(ref), sk_prefix="MEMBER#").items]

    def set_member(self, caller: Caller, entity: str, username: str, role: str) -> Member:
        """Add a member or change their role (idempotent: setting the same role again is a no-op)."""
        ref = self._group(entity)
        authorize(caller, Permission.ORG_ADMIN, ref)
        self._roles.require(role)
        user = self._users.require_by_name(username)
        note_object(username)  # the route says added or role changed; the member is in the body
        if ref.kind == "team":
            assert ref.org is not None
            if self._items.get(*keys.org_member(ref.org, user["id"])) is None:
                raise InvalidInput(
                    f"{username} must be a member of organization {ref.org} before joining team {entity}",
                    field="username",
                )
        elif role != "admin":
            self._keep_an_admin(ref.name, user["id"])
        kind: Literal["org", "team"] = "team" if ref.kind == "team" else "org"
        item = self.membership_item(kind, ref.name, ref.org, user["id"], username, role)
        self._items.put(item)
        return _member(item)

    def remove_member(self, caller: Caller, entity: str, username: str) -> None:
        ref = self._group(entity)
        authorize(caller, Permission.ORG_ADMIN, ref)
        user = self._users.require_by_name(username)
        pk = self._member_pk(ref)
        if self._items.get(pk, f"MEMBER#{user['id']}") is None:
            raise NotFound(f"{username} is not a member of {entity}", field="username")
        if ref.kind == "org":
            self._keep_an_admin(ref.name, user["id"])
            # Leaving an organization also leaves its teams.
            for m in self._memberships(user["id"], "TEAM#"):
                if m.get("org") == ref.name:
                    self._items.delete(m["pk"], m["sk"])
        self._items.delete(pk, f"MEMBER#{user['id']}")

    # -- internals ------------------------------------------------------------------------------
    def _memberships(self, user_id: str, prefix: str) -> list[Item]:
        return self._items.query(keys.memberships_of(user_id), index="gsi1", sk_prefix=prefix).items

    def _require_org(self, org: str) -> Item:
        item = self._items.get(*keys.org(org))
        if item is None:
            raise NotFound(f"no organization named {org!r}", field="org")
        return item

    def _group(self, entity: str) -> EntityRef:
        ref = resolve_entity(self._items, entity)
        if ref.kind == "user":
            raise NotFound(f"no organization or team named {entity!r}", field="entity")
        return ref

    @staticmethod
    def _member_pk(ref: EntityRef) -> str:
        return keys.org(ref.name)[0] if ref.kind == "org" else keys.team_member(ref.name, "")[0]

    def _keep_an_admin(self, org: str, leaving_user_id: str) -> None:
        members = self._items.query(keys.org(org)[0], sk_prefix="MEMBER#").items
        admins = {m["user_id"] for m in members if m["role"] == "admin"}
        if admins == {leaving_user_id}:
            raise Conflict(f"{org} needs at least one admin: promote another member first", field="role")

    @staticmethod
    def membership_item(
        kind: Literal["org", "team"], entity: str, org: str | None, user_id: str, username: str, role: str
    ) -> dict[str, Any]:
        """The item that makes `user_id` a member of `entity` (invitations write it in a sign-up)."""
        pk, sk = keys.org_member(entity, user_id) if kind == "org" else keys.team_member(entity, user_id)
        return {
            "pk": pk, "sk": sk, "kind": kind, "entity": entity, "org": org if kind == "team" else entity,
            "user_id": user_id, "username": username, "role": role,
            "gsi1pk": keys.memberships_of(user_id), "gsi1sk": f"{kind.upper()}#{entity}",
        }  # fmt: skip
