"""Projects: idempotent creation per (entity, name), lookups, listing what a caller may see."""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Mapping
from typing import Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, InvalidInput, NotFound
from ..core.policy import EntityRef, Permission, ProjectRef, authorize, feed_owner, permissions_of
from ..core.request_scope import note_object, note_project
from ..core.values import now_iso
from ..identity import keys as identity_keys
from ..identity.entities import resolve_entity
from ..ports import Condition, Item, ItemStore, TransactOp
from . import keys
from .models import Project, ProjectCreate, ProjectList, ProjectUpdate, RunCounts

__all__ = ["RUN_COUNT_STATES", "ProjectService", "project_from_item", "ref_from_item"]

RUN_COUNT_STATES = ("running", "finished", "failed", "crashed")
MAX_CURSOR = 300


def ref_from_item(item: Item) -> ProjectRef:
    owner = EntityRef(name=item["entity"], kind=item["entity_kind"], org=item.get("org"))
    return ProjectRef(project_id=item["id"], owner=owner, visibility=item["visibility"])


def project_from_item(item: Item, caller: Caller) -> Project:
    counts = {s: max(0, int(item.get(f"runs_{s}", 0))) for s in RUN_COUNT_STATES}
    return Project.model_validate(
        {
            **{k: item[k] for k in ("id", "entity", "entity_kind", "name", "visibility", "created_at")},
            "description": item.get("description", ""),
            "tags": item.get("tags", []),
            "artifact_ttl_days": item.get("artifact_ttl_days"),
            "updated_at": item.get("updated_at", item["created_at"]),
            "run_counts": RunCounts(**counts),
            "permissions": sorted(p.value for p in permissions_of(caller, ref_from_item(item))),
        }
    )


def _missing(entity: str, name: str) -> NotFound:
    # Asked for by name, a hidden project gets this answer too: its id is not the caller's to learn.
    return NotFound(f"project {entity}/{name} not found", field="name")


class ProjectService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items

    # -- lookups used by every other service ---------------------------------------------------
    def get_item(self, project_id: str) -> Item:
        item = self._items.get(*keys.project(project_id))
        if item is None:
            raise NotFound(f"project {project_id} not found", field="project_id")
        return item

    def get_ref(self, project_id: str) -> ProjectRef:
        """What `authorize` needs; NotFound when no such project exists."""
        return ref_from_item(self.get_item(project_id))

    def add_run_counts(self, project_id: str, deltas: Mapping[str, int]) -> None:
        """Atomically move the project's run counters, e.g. {"running": -1, "finished": 1}."""
        self._items.transact_write([_run_counts_op(project_id, deltas)])

    @staticmethod
    def run_count_op(project_id: str, old: str | None, new: str | None) -> TransactOp | None:
        """The op that moves the project's run counters for a run going from state `old` to `new`
        (None: the run is not there, created or deleted), to join the transaction that moves the run,
        so that the counters move exactly when it does; None when no counter moves."""
        if old == new:
            return None
        deltas = {s: d for s, d in ((old, -1), (new, 1)) if s in RUN_COUNT_STATES}
        return _run_counts_op(project_id, deltas) if deltas else None

    def next_run_number(self, project_id: str) -> int:
        """The project's next run number (1, 2, …): an atomic counter, so no two calls share one."""
        pk, sk = keys.project(project_id)
        item = self._items.update(pk, sk, add={"run_seq": 1, "rev": 1}, condition=Condition.exists())
        return int(item["run_seq"])

    def resolve_id(self, caller: Caller, project: str) -> str:
        """The id of the project a route was given: an id as it is, or `entity:name` (`entity/name`)
        looked up by name. Every route that takes a project id resolves it here (`ProjectIdDep`)."""
        entity, sep, name = project.replace("/", ":").partition(":")
        if not sep:
            return project
        item = self._find(entity, name)
        if item is None:
            raise _missing(entity, name)
        authorize(caller, Permission.PROJECT_READ, ref_from_item(item), hidden=_missing(entity, name))
        return str(item["id"])

    # -- routes ---------------------------------------------------------------------------------
    def create(self, caller: Caller, body: ProjectCreate) -> tuple[Project, bool]:
        """The project and whether it was created now (False: it existed, the call is a no-op)."""
        owner = resolve_entity(self._items, body.entity or caller.username)
        existing = self._find(owner.name, body.name)
        if existing is not None:
            ref = ref_from_item(existing)
            if Permission.PROJECT_READ not in permissions_of(caller, ref):
                authorize(caller, Permission.PROJECT_CREATE, owner)  # the answer a free name gets
            authorize(caller, Permission.PROJECT_READ, ref, hidden=_missing(owner.name, body.name))
            return project_from_item(existing, caller), False
        authorize(caller, Permission.PROJECT_CREATE, owner)
        project_id = secrets.token_hex(6)
        now = now_iso()
        pk, sk = keys.project(project_id)
        claim_pk, claim_sk = keys.name_claim(owner.name, body.name)
        item: dict[str, Any] = {
            "pk": pk,
            "sk": sk,
            "id": project_id,
            "entity": owner.name,
            "entity_kind": owner.kind,
            "org": owner.org,
            "name": body.name,
            "visibility": body.visibility,
            "description": body.description,
            "tags": body.tags,
            "created_at": now,
            "updated_at": now,
            "created_by": caller.user_id,
            "rev": 0,
            "gsi1pk": keys.by_entity(owner.name),
            "gsi1sk": body.name,
            "gsi2pk": keys.by_visibility(body.visibility),
            "gsi2sk": f"{owner.name}/{body.name}",
        }
        claim = {"pk": claim_pk, "sk": claim_sk, "project_id": project_id}
        try:
            self._items.transact_write(
                [
                    TransactOp("put", claim, Condition.not_exists()),
                    TransactOp("put", item, Condition.not_exists()),
                ]
            )
        except ConditionFailed:
            # A concurrent create of the same (entity, name) won: answer with its project.
            winner = self._find(owner.name, body.name)
            if winner is None:
                raise
            return project_from_item(winner, caller), False
        # The create was authorized on the owner; its activity line belongs to the new project's
        # feed too, not only the owner's.
        note_project(project_id, feed_owner(owner))
        note_object(project_id)
        return project_from_item(item, caller), True

    def get(self, caller: Caller, project_id: str) -> Project:
        item = self.get_item(project_id)
        authorize(caller, Permission.PROJECT_READ, ref_from_item(item))
        return project_from_item(item, caller)

    def get_by_name(self, caller: Caller, entity: str, name: str) -> Project:
        item = self._find(entity, name)
        if item is None:
            raise _missing(entity, name)
        authorize(caller, Permission.PROJECT_READ, ref_from_item(item), hidden=_missing(entity, name))
        return project_from_item(item, caller)

    def update(self, caller: Caller, project_id: str, body: ProjectUpdate) -> Project:
        item = self.get_item(project_id)
        ref = ref_from_item(item)
        changes = body.model_dump(exclude_none=True)
        ttl_changed = "artifact_ttl_days" in body.model_fields_set  # null is a value here: forever
        if ttl_changed:
            changes["artifact_ttl_days"] = body.artifact_ttl_days
        # Who can see a project, and how long its artifacts are kept, are admin decisions; editing its
        # text is a member's.
        admin_only = "visibility" in changes or ttl_changed
        authorize(caller, Permission.PROJECT_ADMIN if admin_only else Permission.PROJECT_WRITE, ref)
        if not changes:
            return project_from_item(item, caller)
        if "visibility" in changes:
            changes["gsi2pk"] = keys.by_visibility(changes["visibility"])
        changes["updated_at"] = now_iso()
        # A whole-item put conditioned on the revision read: an edit that lost a race (or a run counter
        # that moved meanwhile) is never silently overwritten.
        rev = int(item.get("rev", 0))
        updated = {**item, **changes, "rev": rev + 1}
        ops = [TransactOp("put", updated, Condition.equals("rev", rev))]
        if ttl_changed and item.get("artifact_ttl_days") != body.artifact_ttl_days:
            pk, sk = keys.artifact_ttl_change(project_id)
            ops.append(TransactOp("put", {"pk": pk, "sk": sk, "project_id": project_id, "rev": rev + 1}))
        try:
            self._items.transact_write(ops)
        except ConditionFailed:
            raise Conflict("the project changed while you edited it: fetch it and retry") from None
        return project_from_item(updated, caller)

    def list_projects(
        self, caller: Caller, *, search: str | None = None, limit: int = 50, cursor: str | None = None
    ) -> ProjectList:
        """Projects the caller may read, ordered by entity/name; `cursor` is the last one seen."""
        if cursor is not None and len(cursor) > MAX_CURSOR:
            raise InvalidInput("cursor is not one this server returned", field="cursor")
        needle = (search or "").lower()
        seen: dict[str, Item] = {}
        for item in self._visible(caller):
            if needle and not _matches(item, needle):
                continue
            seen[item["id"]] = item
        ordered = sorted(seen.values(), key=lambda i: f"{i['entity']}/{i['name']}")
        if cursor is not None:
            ordered = [i for i in ordered if f"{i['entity']}/{i['name']}" > cursor]
        page = ordered[:limit]
        next_cursor = f"{page[-1]['entity']}/{page[-1]['name']}" if len(ordered) > limit else None
        return ProjectList(items=[project_from_item(i, caller) for i in page], next_cursor=next_cursor)

    # -- internals ------------------------------------------------------------------------------
    def _find(self, entity: str, name: str) -> Item | None:
        claim = self._items.get(*keys.name_claim(entity, name))
        return self._items.get(*keys.project(claim["project_id"])) if claim else None

    def _visible(self, caller: Caller) -> Iterator[Item]:
        yield from self._items.query_all(keys.by_visibility("public"), index="gsi2", page_size=500)
        if caller.is_admin:
            yield from self._items.query_all(keys.by_visibility("private"), index="gsi2", page_size=500)
            return
        entities = {caller.username}
        for name, perms in caller.entity_permissions.items():
            if Permission.PROJECT_READ in perms:
                entities.add(name)
            if Permission.ORG_ADMIN in perms:
                # An organization admin administers every team of the organization.
                teams = self._items.query(identity_keys.org(name)[0], sk_prefix="TEAM#").items
                entities.update(t["name"] for t in teams)
        for entity in sorted(entities):
            for item in self._items.query_all(keys.by_entity(entity), index="gsi1", page_size=500):
                if Permission.PROJECT_READ in permissions_of(caller, ref_from_item(item)):
                    yield item


def _matches(item: Item, needle: str) -> bool:
    haystack = [item["name"], item["entity"], item.get("description", ""), *item.get("tags", [])]
    return any(needle in str(text).lower() for text in haystack)


def _run_counts_op(project_id: str, deltas: Mapping[str, int]) -> TransactOp:
    unknown = set(deltas) - set(RUN_COUNT_STATES)
    if unknown:
        raise InvalidInput(f"no run counter for {sorted(unknown)}", field="state")
    pk, sk = keys.project(project_id)
    # `rev` moves with every write, so an edit racing this counter update cannot overwrite it.
    counters = {f"runs_{s}": n for s, n in deltas.items()}
    return TransactOp("add", {"pk": pk, "sk": sk, **counters, "rev": 1}, Condition.exists())
