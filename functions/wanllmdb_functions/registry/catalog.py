"""Registered models and their versions: linking artifact versions in (exactly once per artifact
version), reading them by vN, alias or stage, editing, moving aliases and stages directly, the four
kinds of links, files, and the timeline. Approval requests are requests.py; both commit moves here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..artifacts import keys as artifact_keys
from ..artifacts.models import FilePage
from ..artifacts.names import RESERVED_ALIAS, VERSION_ALIAS, check_alias, check_name, parse_reference
from ..artifacts.service import ArtifactService
from ..audit.service import AuditLog
from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, Forbidden, InvalidInput, NotFound
from ..core.policy import Permission, permissions_of
from ..core.values import now_iso
from ..notifications.wiring import notification_service
from ..ports import Condition, Item, ItemStore, TransactOp
from ..projects.service import ProjectService
from ..runs.lookup import authorized_run_item
from . import keys
from .events import Change, RegistryEvents
from .models import (
    STAGES,
    AliasChange,
    DatasetLink,
    Deployment,
    DeploymentIn,
    Evaluation,
    EvaluationIn,
    LinkIn,
    RegisteredModel,
    RegisteredModelIn,
    RegisteredVersion,
    RegistrySettings,
    SourceVersion,
    StageChange,
    Timeline,
    TimelineEntry,
    VersionLinks,
    VersionUpdate,
)
from .moves import (
    HELD_STAGES,
    Plan,
    next_rev,
    parse_stage,
    plan_alias,
    plan_alias_removal,
    plan_stage,
    rev_of,
)
from .registries import RegistryService

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["RegistryCatalog"]

_MAX_RACES = 16
MAX_LINKS = 200  # evaluations and deployments kept per version


def settings_of(registry: Item) -> RegistrySettings:
    return RegistrySettings.model_validate(registry["settings"])


def _missing_model(registry: Item, name: str) -> NotFound:
    return NotFound(
        f"no registered model {name!r} in registry {registry['entity']}/{registry['name']}", field="model"
    )


class RegistryCatalog:
    def __init__(
        self,
        items: ItemStore,
        artifacts: ArtifactService,
        registries: RegistryService,
        events: RegistryEvents,
    ) -> None:
        self._items = items
        self._artifacts = artifacts
        self.registries = registries
        self._events = events
        self._projects = ProjectService(items)

    @classmethod
    def of(cls, state: AppState) -> RegistryCatalog:
        items = state.storage.items
        audit = AuditLog(items, retention_days=state.settings.audit_retention_days)
        events = RegistryEvents(audit, notification_service(state))
        return cls(items, ArtifactService.of(state), RegistryService(items), events)

    @property
    def events(self) -> RegistryEvents:
        return self._events

    # -- reading the store --------------------------------------------------------------------
    def access(self, caller: Caller, ref: str, model: str, permission: Permission) -> tuple[Item, str]:
        """The registry and the checked model name, once `caller` holds `permission` on that model."""
        registry = self.registries.item(caller, ref)
        name = check_name(model, field="model")
        self.registries.authorize(caller, permission, registry, name)
        return registry, name

    def model_item(self, registry: Item, name: str) -> Item:
        item = self._items.get(*keys.model(registry["id"], name))
        if item is None:
            raise _missing_model(registry, name)
        return item

    def version_at(self, registry: Item, name: str, index: int) -> Item:
        item = self._items.get(*keys.version(registry["id"], name, index))
        if item is None:
            raise NotFound(f"registered model {name} has no version v{index}", field="version")
        return item

    def resolve(self, registry: Item, model: Item, label: str) -> Item:
        """The version `label` names: vN, latest, an alias, or a stage (its newest version)."""
        name = str(model["name"])
        index: int | None = None
        if VERSION_ALIAS.fullmatch(label):
            index = int(label[1:])
        elif label == RESERVED_ALIAS:
            index = model.get("latest")
        elif label in model.get("aliases", {}):
            index = int(model["aliases"][label])
        elif label.casefold() in {s.casefold() for s in STAGES}:
            stage = parse_stage(label)
            held = model.get("holders", {}).get(stage) if stage in HELD_STAGES else None
            if held is not None:
                index = max(held, default=None)
            else:
                found = [v for v in self._versions(registry, name) if v["stage"] == stage]
                index = max((int(v["index"]) for v in found), default=None)
        else:
            known = ", ".join(sorted(model.get("aliases", {}))) or "none"
            raise NotFound(
                f"{name}:{label}: no such version; use vN, latest, an alias (here: {known}) or a stage "
                f"({', '.join(STAGES)})",
                field="version",
            )
        if index is None:
            raise NotFound(f"{name}:{label}: no version is there", field="version")
        return self.version_at(registry, name, int(index))

    def _versions(self, registry: Item, name: str) -> list[Item]:
        return list(
            self._items.query_all(
                keys.registry_of(registry["id"]), sk_prefix=keys.versions_prefix(name), page_size=500
            )
        )

    # -- shaping responses --------------------------------------------------------------------
    def version_out(
        self, registry: Item, model: Item, version: Item, *, created: bool = True
    ) -> RegisteredVersion:
        index = int(version["index"])
        aliases = [RESERVED_ALIAS] if model.get("latest") == index else []
        aliases += sorted(a for a, at in model.get("aliases", {}).items() if int(at) == index)
        source = self._items.get(
            *artifact_keys.version(
                version["source"]["project_id"], version["source"]["name"], int(version["source"]["index"])
            )
        )
        state = "gone" if source is None else str(source.get("state", "committed"))
        carried = {} if source is None else {k: source.get(k) for k in ("description", "metadata")}
        return RegisteredVersion(
            registry_id=registry["id"],
            model=str(model["name"]),
            version=f"v{index}",
            index=index,
            stage=version["stage"],
            aliases=aliases,
            description=version.get("description"),
            tags=version.get("tags", []),
            metadata=version.get("metadata", {}),
            model_card=version.get("model_card", ""),
            source=SourceVersion.model_validate(
                {**version["source"], **{k: v for k, v in carried.items() if v is not None}, "state": state}
            ),
            training_run=version.get("training_run"),
            created_at=version["created_at"],
            created_by=version.get("created_by"),
            created=created,
        )

    def model_out(
        self, caller: Caller, registry: Item, model: Item, *, grants: Sequence[Item] | None = None
    ) -> RegisteredModel:
        latest = model.get("latest")
        return RegisteredModel(
            registry_id=registry["id"],
            registry=registry["name"],
            entity=registry["entity"],
            name=model["name"],
            description=model.get("description", ""),
            tags=model.get("tags", []),
            metadata=model.get("metadata", {}),
            version_count=int(model.get("version_count", 0)),
            latest=None if latest is None else f"v{latest}",
            stages={s: [f"v{i}" for i in v] for s, v in model.get("holders", {}).items() if v},
            aliases={a: f"v{i}" for a, i in sorted(model.get("aliases", {}).items())},
            created_at=model["created_at"],
            updated_at=model["updated_at"],
            permissions=sorted(
                p.value
                for p in permissions_of(
                    caller, self.registries.grants_ref(registry, model["name"], grants=grants)
                )
            ),
        )

    # -- committing --------------------------------------------------------------------
    def commit(self, caller: Caller, registry: Item, plan: Plan, extra: Iterable[TransactOp] = ()) -> None:
        """One transaction: the model at the rev it was read, each changed version at its rev, the audit
        and timeline lines of every change, and `extra` (a request's close). A lost race is a 409."""
        old_rev = rev_of(plan.model) - 1
        model_condition = Condition.not_exists() if old_rev < 0 else Condition.equals("rev", old_rev)
        ops = [TransactOp("put", {**plan.model, "updated_at": now_iso()}, model_condition)]
        ops += [TransactOp("put", item, Condition.equals("rev", rev)) for item, rev in plan.versions]
        for change in plan.changes:
            ops += self._events.ops(caller, registry, change)
        ops += list(extra)
        try:
            self._items.transact_write(ops)
        except ConditionFailed:
            raise Conflict(
                f"registered model {plan.model['name']} changed while this was being applied (another move "
                "won): read it again and retry",
                field="model",
            ) from None

    def is_protected(self, registry: Item, kind: str, target: str) -> bool:
        settings = settings_of(registry)
        return target in (settings.protected_stages if kind == "stage" else settings.protected_aliases)

    def _check_direct(
        self, caller: Caller, registry: Item, name: str, kind: str, targets: Iterable[str]
    ) -> None:
        """Protected aliases and stages move directly only for registry admins; others ask (requests)."""
        protected = [t for t in targets if self.is_protected(registry, kind, t)]
        if protected and not self.registries.holds(caller, Permission.REGISTRY_ADMIN, registry, name):
            raise Forbidden(
                f"{kind} {protected[0]!r} is protected in registry {registry['entity']}/{registry['name']}: "
                f"request it (POST /api/registries/{registry['id']}/requests) for a reviewer to approve, "
                "or ask a registry admin",
                field=kind,
            )

    def announce(self, registry: Item, plan: Plan, caller: Caller) -> None:
        for change in plan.changes:
            if change.timeline == "stage":
                title = f"{change.model} v{change.index} moved to {change.after} by {caller.username}"
            else:
                verb = "taken off" if change.status == "removed" else "set on"
                title = f"alias {change.after} {verb} {change.model} v{change.index} by {caller.username}"
            self._events.announce(registry, change, title, change.comment)

    # -- registered models --------------------------------------------------------------------
    def models(self, caller: Caller, ref: str, q: str | None = None) -> list[RegisteredModel]:
        registry = self.registries.item(caller, ref)
        found = self._items.query_all(
            keys.registry_of(registry["id"]), sk_prefix=keys.MODEL_PREFIX, page_size=500
        )
        needle = (q or "").casefold()
        grants = self.registries.grants_of(registry)  # read once for every model's checks
        out = []
        for model in found:
            text = " ".join([model["name"], model.get("description", ""), *model.get("tags", [])]).casefold()
            if needle in text and self.registries.holds(
                caller, Permission.REGISTRY_READ, registry, model["name"], grants=grants
            ):
                out.append(self.model_out(caller, registry, model, grants=grants))
        return sorted(out, key=lambda m: m.name.casefold())

    def model(self, caller: Caller, ref: str, model: str) -> RegisteredModel:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_READ)
        return self.model_out(caller, registry, self.model_item(registry, name))

    def put_model(self, caller: Caller, ref: str, model: str, body: RegisteredModelIn) -> RegisteredModel:
        """Create the model, or change what `body` gives (idempotent)."""
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        tags = None if body.tags is None else sorted({check_alias(t, field="tags") for t in body.tags})
        for _ in range(_MAX_RACES):
            current = self._items.get(*keys.model(registry["id"], name))
            new = self._new_model(registry, name, caller) if current is None else next_rev(current)
            for attr, value in (
                ("description", body.description),
                ("tags", tags),
                ("metadata", body.metadata),
            ):
                if value is not None:
                    new[attr] = value
            new["updated_at"] = now_iso()
            condition = (
                Condition.not_exists() if current is None else Condition.equals("rev", rev_of(current))
            )
            try:
                self._items.put(new, condition=condition)
            except ConditionFailed:
                continue
            if current is None:
                self._items.update(*keys.meta(registry["id"]), add={"model_count": 1})
            return self.model_out(caller, registry, new)
        raise Conflict(f"registered model {name}: too many concurrent edits; retry", field="model")

    def _new_model(self, registry: Item, name: str, caller: Caller) -> Item:
        pk, sk = keys.model(registry["id"], name)
        at = now_iso()
        return {
            "pk": pk,
            "sk": sk,
            "registry_id": registry["id"],
            "name": name,
            "description": "",
            "tags": [],
            "metadata": {},
            "next_index": 0,
            "latest": None,
            "version_count": 0,
            "aliases": {},
            "holders": {s: [] for s in HELD_STAGES},
            "rev": 0,
            "created_at": at,
            "updated_at": at,
            "created_by": caller.username,
        }

    def delete_model(self, caller: Caller, ref: str, model: str) -> None:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_DELETE)
        current = self.model_item(registry, name)
        if current.get("holders", {}).get("Production"):
            raise Conflict(
                f"registered model {name} has versions in Production "
                f"({', '.join(f'v{i}' for i in current['holders']['Production'])}): move them out first",
                field="model",
            )
        for version in self._versions(registry, name):
            self._unlink(caller, registry, current, version)
            current = self.model_item(registry, name)
        self._items.delete(
            *keys.model(registry["id"], name), condition=Condition.equals("rev", rev_of(current))
        )
        self._items.update(*keys.meta(registry["id"]), add={"model_count": -1})

    # -- linking --------------------------------------------------------------------
    def link(self, caller: Caller, ref: str, model: str, body: LinkIn) -> RegisteredVersion:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        project_id = self._projects.resolve_id(caller, body.project_id)
        art_name, label = parse_reference(body.artifact)
        source = self._artifacts.version(caller, project_id, art_name, label)  # artifact:read on the source
        settings = settings_of(registry)
        if source.type not in settings.artifact_types and not body.force:
            raise InvalidInput(
                f"artifact: {art_name}:{source.version} is a {source.type!r} artifact and registry "
                f"{registry['name']} takes {settings.artifact_types}; log it with one of those types, or "
                "link it anyway with force=true",
                field="artifact",
            )
        aliases = sorted({check_alias(a) for a in body.aliases})
        self._check_direct(caller, registry, name, "alias", aliases)
        for _ in range(_MAX_RACES):
            existing = self._items.get(*keys.source_link(registry["id"], name, source.id))
            if existing is not None:
                version = self.version_at(registry, name, int(existing["index"]))
                for alias in aliases:
                    self._move_alias(caller, registry, name, int(existing["index"]), alias)
                return self.version_out(registry, self.model_item(registry, name), version, created=False)
            current = self._items.get(*keys.model(registry["id"], name))
            try:
                model_item, version = self._commit_link(
                    caller, registry, name, current, source, body, aliases
                )
            except ConditionFailed:
                continue  # another link took this number, or linked the same version: look again
            if current is None:
                self._items.update(*keys.meta(registry["id"]), add={"model_count": 1})
            self._events.announce(
                registry,
                Change("registry.version.created", name, int(version["index"]), "linked"),
                f"{source.name}:{source.version} linked as {name} v{version['index']} by {caller.username}",
            )
            return self.version_out(registry, model_item, version)
        raise Conflict(f"registered model {name}: too many concurrent links; retry", field="model")

    def _commit_link(
        self,
        caller: Caller,
        registry: Item,
        name: str,
        current: Item | None,
        source: Any,
        body: LinkIn,
        aliases: list[str],
    ) -> tuple[Item, Item]:
        base = current if current is not None else self._new_model(registry, name, caller)
        index = int(base["next_index"])
        model_item = next_rev(
            base,
            next_index=index + 1,
            latest=index,
            updated_at=now_iso(),
            version_count=int(base.get("version_count", 0)) + 1,
        )
        model_item["aliases"] = {**base.get("aliases", {}), **dict.fromkeys(aliases, index)}
        pk, sk = keys.version(registry["id"], name, index)
        version: Item = {
            "pk": pk,
            "sk": sk,
            "registry_id": registry["id"],
            "model": name,
            "index": index,
            "stage": "Development",
            "description": body.description,
            "tags": [],
            "metadata": {},
            "model_card": "",
            "rev": 0,
            "created_at": now_iso(),
            "created_by": caller.username,
            "source": {
                "id": source.id,
                "project_id": source.project_id,
                "name": source.name,
                "version": source.version,
                "index": source.index,
                "type": source.type,
                "digest": source.digest,
                "file_count": source.file_count,
                "size": source.size,
            },
            "training_run": source.logged_by_run,
        }
        spk, ssk = keys.source_link(registry["id"], name, source.id)
        mpk, msk = artifact_keys.link_marker(
            source.project_id, source.name, source.index, registry["id"], name
        )
        condition = Condition.not_exists() if current is None else Condition.equals("rev", rev_of(current))
        ops = [
            TransactOp("put", model_item, condition),
            TransactOp("put", version, Condition.not_exists()),
            TransactOp("put", {"pk": spk, "sk": ssk, "index": index}, Condition.not_exists()),
            TransactOp(
                "put", {"pk": mpk, "sk": msk, "registry_id": registry["id"], "model": name, "index": index}
            ),
            *self._events.ops(
                caller, registry, Change("registry.version.created", name, index, "linked", after=source.id)
            ),
        ]
        for alias in aliases:
            ops += self._events.ops(
                caller, registry, Change("registry.alias.set", name, index, "alias", None, alias)
            )
        self._items.transact_write(ops)
        return model_item, version

    # -- versions --------------------------------------------------------------------
    def versions(self, caller: Caller, ref: str, model: str) -> list[RegisteredVersion]:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_READ)
        model_item = self.model_item(registry, name)
        return [self.version_out(registry, model_item, v) for v in self._versions(registry, name)]

    def version(self, caller: Caller, ref: str, model: str, label: str) -> RegisteredVersion:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_READ)
        model_item = self.model_item(registry, name)
        return self.version_out(registry, model_item, self.resolve(registry, model_item, label))

    def update_version(
        self, caller: Caller, ref: str, model: str, label: str, body: VersionUpdate
    ) -> RegisteredVersion:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        tags = None if body.tags is None else sorted({check_alias(t, field="tags") for t in body.tags})
        for _ in range(_MAX_RACES):
            model_item = self.model_item(registry, name)
            current = self.resolve(registry, model_item, label)
            new = next_rev(current)
            for attr, value in (
                ("description", body.description),
                ("tags", tags),
                ("metadata", body.metadata),
                ("model_card", body.model_card),
            ):
                if value is not None:
                    new[attr] = value
            try:
                self._items.put(new, condition=Condition.equals("rev", rev_of(current)))
            except ConditionFailed:
                continue
            return self.version_out(registry, model_item, new)
        raise Conflict(f"{name}:{label}: too many concurrent edits; retry", field="version")

    def delete_version(self, caller: Caller, ref: str, model: str, label: str) -> None:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_DELETE)
        model_item = self.model_item(registry, name)
        version = self.resolve(registry, model_item, label)
        self._unlink(caller, registry, model_item, version)

    def _unlink(self, caller: Caller, registry: Item, model_item: Item, version: Item) -> None:
        name, index = str(model_item["name"]), int(version["index"])
        if version["stage"] == "Production":
            raise Conflict(
                f"{name} v{index} is in Production: it cannot be deleted; move it to Archived first",
                field="version",
            )
        protected = [
            a
            for a, at in model_item.get("aliases", {}).items()
            if int(at) == index and self.is_protected(registry, "alias", a)
        ]
        if protected:
            raise Conflict(
                f"{name} v{index} holds the protected alias {protected[0]!r}: move the alias first",
                field="version",
            )
        live = [int(v["index"]) for v in self._versions(registry, name) if int(v["index"]) != index]
        new = next_rev(model_item, latest=max(live, default=None), version_count=len(live))
        new["aliases"] = {a: at for a, at in model_item.get("aliases", {}).items() if int(at) != index}
        new["holders"] = {s: [i for i in v if i != index] for s, v in model_item.get("holders", {}).items()}
        source = version["source"]
        # One registered version per (model, source) (the source link), so its link marker is its own.
        mpk, msk = artifact_keys.link_marker(
            source["project_id"], source["name"], int(source["index"]), registry["id"], name
        )
        extra = [
            TransactOp(
                "delete", {"pk": version["pk"], "sk": version["sk"]}, Condition.equals("rev", rev_of(version))
            ),
            TransactOp(
                "delete",
                dict(zip(("pk", "sk"), keys.source_link(registry["id"], name, source["id"]), strict=True)),
            ),
            TransactOp("delete", {"pk": mpk, "sk": msk}),
        ]
        plan = Plan(
            model=new,
            changes=[Change("registry.version.deleted", name, index, "unlinked", source["id"], None)],
        )
        self.commit(caller, registry, plan, extra)

    # -- direct moves --------------------------------------------------------------------
    def change_aliases(
        self, caller: Caller, ref: str, model: str, label: str, body: AliasChange
    ) -> RegisteredVersion:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        add = sorted({check_alias(a, field="add") for a in body.add})
        remove = sorted({check_alias(a, field="remove") for a in body.remove})
        self._check_direct(caller, registry, name, "alias", [*add, *remove])
        index = int(self.resolve(registry, self.model_item(registry, name), label)["index"])
        for alias in add:
            self._move_alias(caller, registry, name, index, alias)
        for alias in remove:
            plan = plan_alias_removal(self.model_item(registry, name), index, alias)
            if plan is not None:
                self.commit(caller, registry, plan)
                self.announce(registry, plan, caller)
        model_item = self.model_item(registry, name)
        return self.version_out(registry, model_item, self.version_at(registry, name, index))

    def _move_alias(self, caller: Caller, registry: Item, name: str, index: int, alias: str) -> None:
        plan = plan_alias(self.model_item(registry, name), index, alias)
        if plan is not None:
            self.commit(caller, registry, plan)
            self.announce(registry, plan, caller)

    def change_stage(
        self, caller: Caller, ref: str, model: str, label: str, body: StageChange
    ) -> RegisteredVersion:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        stage = parse_stage(body.stage)
        model_item = self.model_item(registry, name)
        version = self.resolve(registry, model_item, label)
        # Leaving a protected stage is as guarded as entering one: Production is not emptied by a member.
        self._check_direct(caller, registry, name, "stage", [stage, str(version["stage"])])
        plan = self.plan_stage(registry, model_item, version, stage, comment=body.comment)
        if plan is not None:
            self.commit(caller, registry, plan)
            self.announce(registry, plan, caller)
        model_item = self.model_item(registry, name)
        return self.version_out(registry, model_item, self.version_at(registry, name, int(version["index"])))

    def plan_stage(
        self,
        registry: Item,
        model_item: Item,
        version: Item,
        stage: str,
        *,
        comment: str = "",
        request_id: str | None = None,
    ) -> Plan | None:
        name = str(model_item["name"])
        return plan_stage(
            model_item,
            version,
            stage,
            single_production=not settings_of(registry).allow_multiple_production,
            load=lambda index: self.version_at(registry, name, index),
            comment=comment,
            request_id=request_id,
        )

    # -- links --------------------------------------------------------------------
    def links(self, caller: Caller, ref: str, model: str, label: str) -> VersionLinks:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_READ)
        version = self.resolve(registry, self.model_item(registry, name), label)
        index, run_id = int(version["index"]), version.get("training_run")
        datasets: list[DatasetLink] = []
        if run_id:
            for edge in self._items.query_all(artifact_keys.runs_edges_of(run_id), page_size=500):
                if not edge["sk"].startswith(artifact_keys.USED_PREFIX):
                    continue
                used = self._items.get(
                    *artifact_keys.version(edge["project_id"], edge["name"], int(edge["index"]))
                )
                datasets.append(
                    DatasetLink(
                        id=artifact_keys.version_id(edge["project_id"], edge["name"], int(edge["index"])),
                        project_id=edge["project_id"],
                        name=edge["name"],
                        version=f"v{edge['index']}",
                        type="" if used is None else str(used["type"]),
                    )
                )
        rid = registry["id"]
        evaluations = self._items.query_all(
            keys.registry_of(rid), sk_prefix=keys.evaluations_prefix(name, index)
        )
        deployments = self._items.query_all(
            keys.registry_of(rid), sk_prefix=keys.deployments_prefix(name, index)
        )
        return VersionLinks(
            training_run=run_id,
            training_run_project=version["source"]["project_id"] if run_id else None,
            datasets=datasets,
            evaluations=[
                Evaluation.model_validate({k: e.get(k) for k in Evaluation.model_fields}) for e in evaluations
            ],
            deployments=[
                Deployment.model_validate({k: d.get(k) for k in Deployment.model_fields}) for d in deployments
            ],
        )

    def _count(self, registry: Item, prefix: str) -> int:
        return sum(1 for _ in self._items.query_all(keys.registry_of(registry["id"]), sk_prefix=prefix))

    def add_evaluation(
        self, caller: Caller, ref: str, model: str, label: str, body: EvaluationIn
    ) -> Evaluation:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        index = int(self.resolve(registry, self.model_item(registry, name), label)["index"])
        run = authorized_run_item(self._items, self._projects, caller, body.run_id, Permission.RUN_READ)
        if self._count(registry, keys.evaluations_prefix(name, index)) >= MAX_LINKS:
            raise Conflict(f"{name} v{index} has {MAX_LINKS} evaluations already", field="run_id")
        out = Evaluation(
            **body.model_dump(),
            project_id=run["project_id"],
            run_name=run.get("display_name"),
            added_by=caller.username,
            added_at=now_iso(),
        )
        pk, sk = keys.evaluation(registry["id"], name, index, run["id"], body.table)
        self._items.put({"pk": pk, "sk": sk, **out.model_dump()})
        return out

    def add_deployment(
        self, caller: Caller, ref: str, model: str, label: str, body: DeploymentIn
    ) -> Deployment:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_WRITE)
        index = int(self.resolve(registry, self.model_item(registry, name), label)["index"])
        if body.url is not None:
            parts = urlsplit(body.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise InvalidInput("url: give an http(s) URL of the deployment, e.g. https://…", field="url")
        if self._count(registry, keys.deployments_prefix(name, index)) >= MAX_LINKS:
            raise Conflict(f"{name} v{index} has {MAX_LINKS} deployment records already", field="target")
        out = Deployment(**body.model_dump(), time=now_iso(), by=caller.username)
        pk, sk = keys.deployment(registry["id"], name, index, out.time, out.target.replace("#", "_"))
        self._items.put({"pk": pk, "sk": sk, **out.model_dump()})
        return out

    # -- files --------------------------------------------------------------------
    def _source_item(self, caller: Caller, ref: str, model: str, label: str, permission: Permission) -> Item:
        registry, name = self.access(caller, ref, model, permission)
        version = self.resolve(registry, self.model_item(registry, name), label)
        source = version["source"]
        return self._artifacts.linked_version(source["project_id"], source["name"], int(source["index"]))

    def files(
        self,
        caller: Caller,
        ref: str,
        model: str,
        label: str,
        *,
        prefix: str = "",
        offset: int = 0,
        limit: int = 100,
        urls: bool = False,
    ) -> FilePage:
        """The linked artifact version's files: listing them needs view, their URLs download."""
        permission = Permission.REGISTRY_DOWNLOAD if urls else Permission.REGISTRY_READ
        item = self._source_item(caller, ref, model, label, permission)
        return self._artifacts.page_of(item, prefix=prefix, offset=offset, limit=limit, urls=urls)

    def record_use(self, caller: Caller, ref: str, model: str, label: str, run_id: str) -> RegisteredVersion:
        """The run used this version: its linked artifact version becomes the run's input (lineage),
        for a caller who may download the model, whether or not it may read the artifact's project."""
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_DOWNLOAD)
        model_item = self.model_item(registry, name)
        version = self.resolve(registry, model_item, label)
        run = authorized_run_item(self._items, self._projects, caller, run_id, Permission.RUN_WRITE)
        source = version["source"]
        item = self._artifacts.linked_version(source["project_id"], source["name"], int(source["index"]))
        for pk, sk in artifact_keys.used_edge(run["id"], item["id"]):
            self._items.put(
                {
                    "pk": pk,
                    "sk": sk,
                    **artifact_keys.edge_fields(item),
                    "run_id": run["id"],
                    "run_project_id": run["project_id"],
                }
            )
        return self.version_out(registry, model_item, version)

    def manifest_url(self, caller: Caller, ref: str, model: str, label: str) -> str:
        return self._artifacts.manifest_url_of(
            self._source_item(caller, ref, model, label, Permission.REGISTRY_DOWNLOAD)
        )

    # -- history --------------------------------------------------------------------
    def timeline(self, caller: Caller, ref: str, model: str) -> Timeline:
        registry, name = self.access(caller, ref, model, Permission.REGISTRY_READ)
        self.model_item(registry, name)
        found = self._items.query_all(
            keys.registry_of(registry["id"]), sk_prefix=keys.timeline_prefix(name), page_size=500
        )
        return Timeline(
            entries=[
                TimelineEntry.model_validate({k: e.get(k) for k in TimelineEntry.model_fields}) for e in found
            ]
        )
