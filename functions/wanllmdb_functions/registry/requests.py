"""The approval flow: a request to move a version to a stage or a (protected) alias onto it; reviewers
(the users holding `registry:approve` there) are told in-app, and one of them approves or rejects it.
The move happens only on approval, in the transaction that closes the request and writes the audit line
(catalog.commit), so the three succeed or fail together; a request closes exactly once."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import TYPE_CHECKING

from ..artifacts.names import check_alias
from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, Forbidden, InvalidInput, NotFound
from ..core.policy import Permission, permissions_of
from ..core.values import now_iso
from ..identity import keys as identity_keys
from ..identity.authn import entity_permissions_of
from ..identity.users import UserService
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .catalog import RegistryCatalog, settings_of
from .events import Change
from .models import PromotionRequest, PromotionRequestIn, ReviewIn
from .moves import Plan, next_rev, parse_stage, plan_alias

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["RequestService"]

_OPEN = "pending"


def _out(item: Item) -> PromotionRequest:
    return PromotionRequest.model_validate({k: item.get(k) for k in PromotionRequest.model_fields})


class RequestService:
    def __init__(self, items: ItemStore, catalog: RegistryCatalog) -> None:
        self._items = items
        self._catalog = catalog
        self._registries = catalog.registries

    @classmethod
    def of(cls, state: AppState) -> RequestService:
        return cls(state.storage.items, RegistryCatalog.of(state))

    # -- asking --------------------------------------------------------------------
    def create(self, caller: Caller, ref: str, body: PromotionRequestIn) -> tuple[PromotionRequest, bool]:
        """The request and whether it is new (False: the same move was already pending: that one)."""
        registry, name = self._catalog.access(caller, ref, body.model, Permission.REGISTRY_WRITE)
        if (body.stage is None) == (body.alias is None):
            raise InvalidInput(
                "give exactly one of stage (e.g. Production) or alias (e.g. production)", field="stage"
            )
        model = self._catalog.model_item(registry, name)
        version = self._catalog.resolve(registry, model, body.version)
        index = int(version["index"])
        if body.stage is not None:
            kind, target = "stage", parse_stage(body.stage)
            before: str | None = str(version["stage"])
            if before == target:
                raise Conflict(f"{name} v{index} is in {target} already", field="stage")
        else:
            kind, target = "alias", check_alias(str(body.alias), field="alias")
            held = model.get("aliases", {}).get(target)
            before = None if held is None else f"v{held}"
            if held == index:
                raise Conflict(f"alias {target} is on {name} v{index} already", field="alias")
        request_id = now_iso().replace("-", "").replace(":", "").replace(".", "") + secrets.token_hex(4)
        opk, osk = keys.open_request(registry["id"], name, index, kind, target)
        pk, sk = keys.request(registry["id"], request_id)
        item: Item = {
            "pk": pk,
            "sk": sk,
            "id": request_id,
            "registry_id": registry["id"],
            "registry": registry["name"],
            "entity": registry["entity"],
            "model": name,
            "version": f"v{index}",
            "index": index,
            "target_kind": kind,
            "target": target,
            "comment": body.comment,
            "status": _OPEN,
            "requested_by": caller.username,
            "requested_by_id": caller.user_id,
            "created_at": now_iso(),
            "gsi1pk": keys.pending_of(registry["id"]),
            "gsi1sk": request_id,
        }
        change = Change(
            "registry.request.created",
            name,
            index,
            "request",
            before,
            target,
            body.comment,
            request_id,
            _OPEN,
        )
        try:
            self._items.transact_write(
                [
                    TransactOp("put", item, Condition.not_exists()),
                    TransactOp(
                        "put", {"pk": opk, "sk": osk, "request_id": request_id}, Condition.not_exists()
                    ),
                    *self._catalog.events.ops(caller, registry, change),
                ]
            )
        except ConditionFailed:
            pending = self._items.get(opk, osk)
            if pending is None:
                raise Conflict("this request was just closed; ask again", field="model") from None
            return self._load(registry, pending["request_id"]), False
        reviewers = [u for u in self.reviewers(registry, name) if u != caller.user_id]
        self._catalog.events.announce(
            registry,
            change,
            f"{caller.username} asks to move {name} v{index} to {kind} {target}",
            body.comment,
            also=reviewers,
        )
        return _out(item), True

    # -- reading --------------------------------------------------------------------
    def _load(self, registry: Item, request_id: str) -> PromotionRequest:
        return _out(self._item(registry, request_id))

    def _item(self, registry: Item, request_id: str) -> Item:
        item = self._items.get(*keys.request(registry["id"], request_id))
        if item is None:
            raise NotFound(f"no request {request_id} in registry {registry['name']}", field="request_id")
        return item

    def get(self, caller: Caller, ref: str, request_id: str) -> PromotionRequest:
        registry = self._registries.item(caller, ref)
        item = self._item(registry, request_id)
        self._registries.authorize(caller, Permission.REGISTRY_READ, registry, item["model"])
        return _out(item)

    def listing(
        self, caller: Caller, ref: str, *, status: str | None = None, model: str | None = None
    ) -> list[PromotionRequest]:
        registry = self._registries.item(caller, ref)
        if status == _OPEN:
            found = self._items.query_all(keys.pending_of(registry["id"]), index="gsi1", page_size=500)
        else:
            found = self._items.query_all(
                keys.registry_of(registry["id"]), sk_prefix=keys.REQUEST_PREFIX, page_size=500
            )
        grants = self._registries.grants_of(registry)  # read once for every request's check
        out = [
            _out(item)
            for item in found
            if (status is None or item["status"] == status)
            and (model is None or item["model"] == model)
            and self._registries.holds(
                caller, Permission.REGISTRY_READ, registry, item["model"], grants=grants
            )
        ]
        return sorted(out, key=lambda r: r.created_at, reverse=True)

    def inbox(self, caller: Caller) -> list[PromotionRequest]:
        """Pending requests, in every registry of the caller's entities, that the caller may approve."""
        out: list[PromotionRequest] = []
        for registry, _ in self._registries.readable(caller, None):
            grants = self._registries.grants_of(registry)
            pending = self._items.query_all(keys.pending_of(registry["id"]), index="gsi1", page_size=500)
            for request in pending:
                if self._registries.holds(
                    caller, Permission.REGISTRY_APPROVE, registry, request["model"], grants=grants
                ):
                    out.append(_out(request))
        return sorted(out, key=lambda r: r.created_at, reverse=True)

    def reviewers(self, registry: Item, model: str) -> list[str]:
        """The user ids holding `registry:approve` on the model: the entity's members (and a team's
        organization's), and whoever a grant names, each checked by the policy as it would be signed in."""
        ref = self._registries.grants_ref(registry, model)
        owner = ref.project.owner
        users = UserService(self._items)
        candidates: dict[str, str] = {}

        def members(entity: str, kind: str) -> None:
            pk = identity_keys.org(entity)[0] if kind == "org" else identity_keys.team_member(entity, "")[0]
            for m in self._items.query_all(pk, sk_prefix="MEMBER#", page_size=500):
                candidates[m["user_id"]] = m["username"]

        def person(username: str) -> None:
            user = users.get_by_name(username)
            if user is not None:
                candidates[user["id"]] = user["username"]

        if owner.kind == "user":
            person(owner.name)
        else:
            members(owner.name, owner.kind)
            if owner.org:
                members(owner.org, "org")
        for grant in ref.grants:
            kind, _, name = grant.principal.partition(":")
            if grant.effect == "allow" and kind == "user":
                person(name)
            elif grant.effect == "allow" and kind in ("team", "org"):
                members(name, kind)
        return sorted(
            uid
            for uid, username in candidates.items()
            if Permission.REGISTRY_APPROVE
            in permissions_of(
                Caller(uid, username, False, None, "session", entity_permissions_of(self._items, uid)), ref
            )
        )

    # -- closing --------------------------------------------------------------------
    def approve(self, caller: Caller, ref: str, request_id: str, body: ReviewIn) -> PromotionRequest:
        registry, item = self._reviewable(caller, ref, request_id, Permission.REGISTRY_APPROVE)
        if item["requested_by_id"] == caller.user_id and not settings_of(registry).allow_self_approval:
            raise Forbidden(
                f"{caller.username} asked for request {request_id} and may not approve it: another reviewer "
                "must, unless a registry admin turns on allow_self_approval",
                field="request_id",
            )
        name, index = str(item["model"]), int(item["index"])
        model = self._catalog.model_item(registry, name)
        version = self._catalog.version_at(registry, name, index)
        if item["target_kind"] == "stage":
            plan = self._catalog.plan_stage(
                registry, model, version, item["target"], comment=body.comment, request_id=request_id
            )
        else:
            plan = plan_alias(model, index, item["target"], comment=body.comment, request_id=request_id)
        # Even a move that is already done conditions on the model as read: it closes against that state.
        plan = plan or Plan(model=next_rev(model))
        return self._close(caller, registry, item, "approved", body.comment, plan)

    def reject(self, caller: Caller, ref: str, request_id: str, body: ReviewIn) -> PromotionRequest:
        if not body.comment.strip():
            raise InvalidInput("comment: say why the request is rejected", field="comment")
        registry, item = self._reviewable(caller, ref, request_id, Permission.REGISTRY_APPROVE)
        return self._close(caller, registry, item, "rejected", body.comment, None)

    def cancel(self, caller: Caller, ref: str, request_id: str, body: ReviewIn) -> PromotionRequest:
        registry = self._registries.item(caller, ref)
        item = self._item(registry, request_id)
        if item["requested_by_id"] != caller.user_id:
            self._registries.authorize(caller, Permission.REGISTRY_ADMIN, registry, item["model"])
        self._check_open(item)
        return self._close(caller, registry, item, "cancelled", body.comment, None)

    def _reviewable(
        self, caller: Caller, ref: str, request_id: str, permission: Permission
    ) -> tuple[Item, Item]:
        registry = self._registries.item(caller, ref)
        item = self._item(registry, request_id)
        self._registries.authorize(caller, permission, registry, item["model"])
        self._check_open(item)
        return registry, item

    @staticmethod
    def _check_open(item: Item) -> None:
        if item["status"] != _OPEN:
            raise Conflict(
                f"request {item['id']} is already {item['status']} (by {item.get('closed_by')} at "
                f"{item.get('closed_at')}); ask again with a new request",
                field="request_id",
            )

    def _close(
        self, caller: Caller, registry: Item, item: Item, status: str, comment: str, plan: Plan | None
    ) -> PromotionRequest:
        closed = {k: v for k, v in item.items() if k not in ("gsi1pk", "gsi1sk")}
        closed.update(status=status, closed_by=caller.username, closed_at=now_iso(), close_comment=comment)
        name, index = str(item["model"]), int(item["index"])
        opk, osk = keys.open_request(registry["id"], name, index, item["target_kind"], item["target"])
        change = Change(
            f"registry.request.{status}",
            name,
            index,
            "request",
            item["version"],
            item["target"],
            comment,
            item["id"],
            status,
        )
        close_ops = [
            TransactOp("put", closed, Condition.equals("status", _OPEN)),
            TransactOp("delete", {"pk": opk, "sk": osk}),
        ]
        try:
            if plan is not None:
                # The request's line after the move's, in time order, in the move's transaction.
                self._catalog.commit(
                    caller, registry, replace(plan, changes=[*plan.changes, change]), close_ops
                )
            else:
                self._items.transact_write([*close_ops, *self._catalog.events.ops(caller, registry, change)])
        except (Conflict, ConditionFailed):
            self._check_open(self._item(registry, item["id"]))  # closed meanwhile: say so
            if plan is None:
                raise Conflict(f"request {item['id']} changed meanwhile; retry", field="request_id") from None
            raise
        if plan is not None:
            self._catalog.announce(registry, plan, caller)
        if status != "cancelled":
            self._catalog.events.announce(
                registry,
                change,
                f"{caller.username} {status} moving {name} v{index} to {item['target']}",
                comment,
                also=[item["requested_by_id"]] if item["requested_by_id"] != caller.user_id else [],
            )
        return _out(closed)
