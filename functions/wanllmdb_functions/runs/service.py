"""Runs: idempotent create and resume, the state machine, config versions, summary, heartbeat.

Deleting a run (hidden, restorable, then purged) is deletes/service.py's.

Every change to a run is a read, a pure change, and one transaction that puts the run item on
the condition that its revision is unchanged, together with the run's index row (and a new
config version when there is one). A lost race re-reads and re-applies the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, InvalidInput, NotFound
from ..core.policy import Permission, authorize
from ..core.request_scope import note_activity, note_object
from ..core.settings import Settings
from ..core.values import checked_json, now_iso, now_utc
from ..ports import BlobStore, Condition, Item, ItemStore, TransactOp
from ..ports.events import (
    RunChanged,
    RunChangedHook,
    RunFinished,
    RunFinishedHook,
    RunSummaryChanged,
    RunSummaryChangedHook,
)
from ..projects.service import ProjectService, ref_from_item
from .index_rows import build_index_row, config_leaves
from .keys import LIVE_PK, deleted_run_key, index_row_key, live_sort_key, run_key
from .lookup import authorized_run_item, missing_run, run_in_project
from .models import ConfigPatch, Grant, Run, RunCreate, RunPatch, SummaryPatch, UploadItem
from .names import generated_name
from .records import clean_metadata, config_version_op, load_config, run_from_item
from .tree import deep_merge, flatten
from .uploads import grant_uploads

if TYPE_CHECKING:
    from ..app.state import AppState

__all__ = ["INDEXED_FIELDS", "TERMINAL_STATES", "TRANSITIONS", "RunService"]

# What the project's run index (lake/keys.py run_index_key) shows besides the summary: a change to
# one of these rewrites it; summary patches and heartbeats wait for the next rewrite or compaction.
INDEXED_FIELDS = ("name", "state", "tags", "notes", "group", "job_type", "config_version", "finished_at")

# PATCH may move a run along these edges; finished/failed/crashed → running only by a resume create.
TRANSITIONS: dict[str, frozenset[str]] = {
    "running": frozenset({"finished", "failed", "crashed", "paused"}),
    "paused": frozenset({"running"}),
}
TERMINAL_STATES = frozenset({"finished", "failed", "crashed"})
RETRY_WINDOW = timedelta(seconds=60)
_MAX_RACES = 8
RESERVED_IDS = frozenset({"config-diff"})  # a path segment of its own under /api/runs/


@dataclass
class Mutation:
    """The new run item, plus what else the same transaction writes."""

    item: Item
    config: dict[str, Any] | None = None  # set when the config changed (for the index row)
    ops: list[TransactOp] = field(default_factory=list)


def _live(item: Item, at: str) -> None:
    item.update(state="running", heartbeat_at=at, gsi1pk=LIVE_PK, gsi1sk=live_sort_key(at, item["id"]))


def _not_live(item: Item) -> None:
    item.pop("gsi1pk", None)
    item.pop("gsi1sk", None)


def _is_retry(current: Item, body: RunCreate) -> bool:
    """Whether `body` repeats the create (or resume) that produced `current`.

    A client token settles it. Without one (older clients), a create with resume='never' of a run
    still running and created within RETRY_WINDOW is taken as a retry.
    """
    if body.resume_token is not None:
        return bool(current.get("resume_token") == body.resume_token)
    if body.resume != "never" or current["state"] != "running":
        return False
    created = datetime.fromisoformat(current["created_at"].replace("Z", "+00:00"))
    return now_utc() - created < RETRY_WINDOW


class RunService:
    def __init__(
        self,
        items: ItemStore,
        blobs: BlobStore,
        settings: Settings,
        run_finished: RunFinishedHook | None = None,
        run_changed: RunChangedHook | None = None,
        summary_changed: RunSummaryChangedHook | None = None,
    ) -> None:
        self._items = items
        self._summary_changed = summary_changed or RunSummaryChangedHook("run summary changed")
        self._run_finished = run_finished or RunFinishedHook("run finished")
        self._run_changed = run_changed or RunChangedHook("run changed")
        self._blobs = blobs
        self._settings = settings
        self._projects = ProjectService(items)

    @classmethod
    def of(cls, state: AppState) -> RunService:
        """The service as routes and the reaper use it: this app's storage, publishing on its hooks."""
        return cls(
            state.storage.items,
            state.storage.blobs,
            state.settings,
            state.run_finished,
            state.run_changed,
            state.run_summary,
        )

    @property
    def items(self) -> ItemStore:
        return self._items

    @property
    def blobs(self) -> BlobStore:
        return self._blobs

    # -- reads ---------------------------------------------------------------------------------
    def _reread(self, run: Item) -> Item:
        """The run item as stored now, through the keys it was read with."""
        item = self._items.get(run["pk"], run["sk"])
        if item is None:
            raise missing_run(run["id"])
        return item

    def authorized_item(
        self, caller: Caller, run_id: str, permission: Permission, *, project_id: str | None = None
    ) -> Item:
        """The run item, after the policy allowed `permission` on its project (NotFound hides it).
        `project_id` picks among runs of this id in several projects the caller can read."""
        return authorized_run_item(
            self._items, self._projects, caller, run_id, permission, project_id=project_id
        )

    def to_model(self, item: Item) -> Run:
        return run_from_item(item, load_config(self._blobs, item))

    def grant_uploads(
        self, caller: Caller, run_id: str, uploads: Sequence[UploadItem], *, project_id: str | None = None
    ) -> list[Grant]:
        """Presigned PUTs for chunks, files or media of a run the caller may write."""
        run = self.authorized_item(caller, run_id, Permission.RUN_WRITE, project_id=project_id)
        return grant_uploads(self._blobs, self._settings, run, uploads)

    def get(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> Run:
        return self.to_model(self.authorized_item(caller, run_id, Permission.RUN_READ, project_id=project_id))

    # -- writes --------------------------------------------------------------------------------
    def _index_row(self, new: Item, config: dict[str, Any] | None) -> Item:
        if config is None and not new.get("config_ref"):
            config = new.get("config") or {}
        if config is not None:
            leaves, partial = config_leaves(config)
        else:  # a large config did not change: keep the leaves already indexed
            previous = self._items.get(*index_row_key(new["project_id"], new["id"])) or {}
            leaves, partial = previous.get("c", {}), bool(previous.get("cp"))
        return build_index_row(new, leaves, c_partial=partial)

    def _changed(self, run: Item) -> None:
        self._run_changed.publish(RunChanged(run["id"], run["project_id"], self._items, self._blobs))

    def _commit(self, current: Item | None, change: Mutation) -> None:
        new = change.item
        rev = int(current.get("rev", 0)) if current else 0
        new["rev"] = rev + 1
        condition = Condition.equals("rev", rev) if current else Condition.not_exists()
        ops = [TransactOp("put", new, condition), TransactOp("put", self._index_row(new, change.config))]
        counts = self._projects.run_count_op(new["project_id"], (current or {}).get("state"), new["state"])
        if counts is not None:  # the project's counters move in the same transaction
            ops.append(counts)
        self._items.transact_write([*ops, *change.ops])

    def _mutate(self, run: Item, change: Callable[[Item], Mutation | None]) -> tuple[Item, Item]:
        """Apply `change` to the current run item until it commits; returns (before, after)."""
        for _ in range(_MAX_RACES):
            current = self._reread(run)
            mutation = change(current)
            if mutation is None:
                return current, current
            mutation.item["updated_at"] = now_iso()
            try:
                self._commit(current, mutation)
            except ConditionFailed:
                continue
            self._after(current, mutation.item)
            return current, mutation.item
        raise Conflict(f"run {run['id']} is being changed by many writers at once; retry", field="run_id")

    def _after(self, before: Item | None, after: Item) -> None:
        """The finished and changed hooks, once the change is committed."""
        if before is None or any(before.get(f) != after.get(f) for f in INDEXED_FIELDS):
            self._changed(after)
        if after.get("summary") and (before or {}).get("summary") != after.get("summary"):
            self._summary_changed.publish(
                RunSummaryChanged(after["id"], after["project_id"], dict(after["summary"]))
            )
        new = after["state"]
        if new != (before or {}).get("state") and new in TERMINAL_STATES:
            self._run_finished.publish(
                RunFinished(
                    after["id"], after["project_id"], new, int(after["attempt"]), self._items, self._blobs
                )
            )

    # -- create and resume ---------------------------------------------------------------------
    def create(
        self, caller: Caller, project_id: str, body: RunCreate, *, awaiting_init: bool = False
    ) -> tuple[Run, bool]:
        """Returns the run and whether it was created (201) rather than found or resumed (200).

        `awaiting_init`: a sweep controller pre-creates a trial's run; the first create from its process
        (init() inside the agent) then takes the run over as attempt 0, whatever its `resume` says."""
        project = self._projects.get_item(project_id)
        authorize(caller, Permission.RUN_WRITE, ref_from_item(project))
        if body.id in RESERVED_IDS:
            raise InvalidInput(f"run id {body.id!r} is reserved; choose another", field="id")
        note_object(body.id)
        metadata = clean_metadata(body.metadata)
        # Ids are unique per project: a run of this id in another project is no concern of this one.
        current = run_in_project(self._items, project_id, body.id)
        if current is None:
            self._refuse_deleted_id(project_id, body.id)
            if body.resume == "must":
                raise NotFound(f"run {body.id} does not exist, so it cannot be resumed", field="id")
            created = self._try_create(caller, project, body, metadata, awaiting_init)
            if created is not None:
                return self.to_model(created), True
            current = run_in_project(self._items, project_id, body.id)  # a parallel create won
            if current is None:
                raise Conflict(f"run {body.id} was deleted while it was being created; retry", field="id")
        return self._existing(current, body, metadata)

    def _refuse_deleted_id(self, project_id: str, run_id: str) -> None:
        """A run deleted within its grace period keeps its id: a new run there would mix its lake
        objects with the deleted one's, which the purge then removes."""
        tombstone = self._items.get(*deleted_run_key(project_id, run_id))
        if tombstone is not None and tombstone.get("state") in ("pending", "purging", "restoring"):
            raise Conflict(
                f"run {run_id} was deleted at {tombstone['deleted_at']}: restore it "
                f"(POST /api/runs/{run_id}/restore) or pick another id; the id is free again once "
                f"the deletion is purged (after {tombstone['purge_after']})",
                field="id",
            )

    def _try_create(
        self, caller: Caller, project: Item, body: RunCreate, metadata: dict[str, Any], awaiting_init: bool
    ) -> Item | None:
        at = now_iso()
        pk, sk = run_key(project["id"], body.id)
        name = body.name
        if name is None:  # as wandb: a memorable name, unique within the project
            name = generated_name(body.id, self._projects.next_run_number(project["id"]))
        item: Item = {
            "pk": pk, "sk": sk, "id": body.id, "project_id": project["id"],
            "entity": project["entity"], "project": project["name"],
            "name": name, "attempt": 0, "summary": {}, "tags": body.tags or [],
            "notes": body.notes, "group": body.group, "job_type": body.job_type, "metadata": metadata,
            "created_at": at, "updated_at": at, "finished_at": None, "exit_code": None,
            "config": {}, "config_version": 0, "resume_token": body.resume_token,
            "created_by": caller.username, "sweep_id": body.sweep_id,
        }  # fmt: skip
        if awaiting_init:
            item["awaiting_init"] = True
        _live(item, at)
        change = Mutation(item, config=body.config or {})
        if body.config:
            op, attrs = config_version_op(self._blobs, self._settings, item, body.config, 1, at)
            item.update(attrs)
            change.ops.append(op)
        try:
            self._commit(None, change)
        except ConditionFailed:
            return None  # a parallel create of the same id won; answer with that run
        self._after(None, item)
        return item

    def _existing(self, current: Item, body: RunCreate, metadata: dict[str, Any]) -> tuple[Run, bool]:
        if current.get("awaiting_init") and current["state"] == "running":
            taken = self._mutate(current, lambda item: self._take_over(item, body, metadata))[1]
            return self.to_model(taken), False
        if _is_retry(current, body):
            return self.to_model(current), False  # a retried create or resume: same answer, no change
        if body.resume == "never":
            raise Conflict(
                f"run {body.id} already exists ({current['state']}); "
                "create it with resume='allow' to continue it",
                field="id",
            )
        return self.to_model(self._mutate(current, lambda item: self._resume(item, body, metadata))[1]), False

    def _take_over(self, current: Item, body: RunCreate, metadata: dict[str, Any]) -> Mutation | None:
        """The trial's process claims its pre-created run: a resume that is not a new attempt."""
        if not current.get("awaiting_init"):
            return self._resume(current, body, metadata)  # taken over meanwhile: an ordinary resume
        change = self._resumed(current, body, metadata)
        change.item["attempt"] = int(current.get("attempt", 0))
        del change.item["awaiting_init"]
        return change

    def _resume(self, current: Item, body: RunCreate, metadata: dict[str, Any]) -> Mutation | None:
        if _is_retry(current, body):
            return None  # the earlier try of this request resumed it (read again inside the race loop)
        return self._resumed(current, body, metadata)

    def _resumed(self, current: Item, body: RunCreate, metadata: dict[str, Any]) -> Mutation:
        at = now_iso()
        new = dict(current, attempt=int(current.get("attempt", 0)) + 1, finished_at=None, exit_code=None)
        new["resume_token"] = body.resume_token
        _live(new, at)
        for name in ("name", "tags", "notes", "group", "job_type", "sweep_id"):
            if getattr(body, name) is not None:
                new[name] = getattr(body, name)
        if metadata:
            new["metadata"] = metadata
        change = Mutation(new)
        if body.config:
            self._config_change(current, new, change, body.config, at)
        return change

    # -- patch, config, summary ----------------------------------------------------------------
    def patch(self, caller: Caller, run_id: str, body: RunPatch, *, project_id: str | None = None) -> Run:
        run = self.authorized_item(caller, run_id, Permission.RUN_WRITE, project_id=project_id)
        sent = body.model_fields_set
        if "state" in sent and body.state is None:
            raise InvalidInput("state cannot be null", field="state")

        def change(current: Item) -> Mutation | None:
            new = dict(current)
            for name in ("name", "notes", "group", "job_type", "exit_code"):
                if name in sent:
                    new[name] = getattr(body, name)
            if "tags" in sent:
                new["tags"] = body.tags or []
            if body.state is not None and body.state != current["state"]:
                self._transition(current, new, body.state)
            return None if new == current else Mutation(new)

        updated = self.to_model(self._mutate(run, change)[1])
        if body.state is not None:
            note_activity(f"run.{body.state}", run["id"])  # the feed says finished, not "updated"
        return updated

    @staticmethod
    def _transition(current: Item, new: Item, state: str) -> None:
        old = current["state"]
        if state not in TRANSITIONS.get(old, frozenset()):
            hint = " (resume it with a create that passes resume='allow')" if old in TERMINAL_STATES else ""
            raise Conflict(f"run is {old} and cannot become {state}{hint}", field="state")
        at = now_iso()
        if state == "running":
            _live(new, at)
            return
        new["state"] = state
        _not_live(new)
        if state in TERMINAL_STATES:
            new["finished_at"] = at

    def _config_change(
        self, current: Item, new: Item, change: Mutation, patch: dict[str, Any], at: str
    ) -> None:
        before = load_config(self._blobs, current)
        merged = deep_merge(before, patch)
        if merged == before:
            return
        version = int(current.get("config_version", 0)) + 1
        op, attrs = config_version_op(self._blobs, self._settings, current, merged, version, at)
        new.update(attrs)
        change.config = merged
        change.ops.append(op)

    def patch_config(
        self, caller: Caller, run_id: str, body: ConfigPatch, *, project_id: str | None = None
    ) -> Run:
        run = self.authorized_item(caller, run_id, Permission.RUN_WRITE, project_id=project_id)

        def change(current: Item) -> Mutation | None:
            if not body.allow_val_change:
                old = flatten(load_config(self._blobs, current))
                for path, value in flatten(body.config).items():
                    if path in old and old[path] != value and old[path] == old[path]:  # NaN never equals
                        raise Conflict(
                            f"config.{path} is already {old[path]!r}; "
                            "pass allow_val_change=true to change it",
                            field=f"config.{path}",
                        )
            new = dict(current)
            mutation = Mutation(new)
            self._config_change(current, new, mutation, body.config, now_iso())
            return mutation if mutation.ops else None

        return self.to_model(self._mutate(run, change)[1])

    def patch_summary(
        self, caller: Caller, run_id: str, body: SummaryPatch, *, project_id: str | None = None
    ) -> Run:
        run = self.authorized_item(caller, run_id, Permission.RUN_WRITE, project_id=project_id)

        def change(current: Item) -> Mutation | None:
            summary = {**(current.get("summary") or {}), **body.summary}
            checked_json(summary, limit=self._settings.summary_max_bytes, field="summary")
            return None if summary == current.get("summary") else Mutation(dict(current, summary=summary))

        return self.to_model(self._mutate(run, change)[1])

    # -- heartbeat and the reaper --------------------------------------------------------------
    def heartbeat(self, caller: Caller, run_id: str, *, project_id: str | None = None) -> tuple[str, int]:
        run = self.authorized_item(caller, run_id, Permission.RUN_WRITE, project_id=project_id)
        at = now_iso()
        try:
            # Only the heartbeat attributes: no revision bump, so beats never race other changes.
            item = self._items.update(
                run["pk"], run["sk"], set_attrs={"heartbeat_at": at, "gsi1sk": live_sort_key(at, run_id)},
                condition=Condition.equals("state", "running"),
            )  # fmt: skip
        except ConditionFailed:
            item = self._reread(run)  # paused, finished or crashed: tell the client, change nothing
        return item["state"], int(item.get("attempt", 0))

    def reap_stale(self, *, now: datetime | None = None) -> list[str]:
        """Mark running runs whose last heartbeat is older than the timeout as crashed."""
        cutoff = now_iso((now or now_utc()) - timedelta(seconds=self._settings.heartbeat_timeout_s))
        stale = list(self._items.query_all(LIVE_PK, index="gsi1", sk_between=("0", cutoff), page_size=200))
        crashed: list[str] = []

        def crash(current: Item) -> Mutation | None:
            if current["state"] != "running" or (current.get("heartbeat_at") or "") >= cutoff:
                return None  # it beat or finished since the index was read
            new = dict(current, state="crashed", finished_at=now_iso())
            _not_live(new)
            return Mutation(new)

        for run in stale:
            try:
                before, after = self._mutate(run, crash)
            except NotFound:
                continue
            except ConditionFailed:  # its project was deleted meanwhile: no counters left to move
                continue
            if after is not before:
                crashed.append(run["id"])
        return crashed

    def end_abandoned(self, run: Item, state: str, *, exit_code: int | None = None) -> bool:
        """End a running run whose process is known to be gone, without waiting for the heartbeat
        timeout: a sweep agent that died (`crashed`), or one whose trial exited without ending its run.
        False when the run had already ended (its own process, or the reaper, got there first)."""

        def end(current: Item) -> Mutation | None:
            if current["state"] != "running":
                return None
            new = dict(current, state=state, finished_at=now_iso())
            if exit_code is not None:
                new["exit_code"] = exit_code
            new.pop("awaiting_init", None)
            _not_live(new)
            return Mutation(new)

        try:
            before, after = self._mutate(run, end)
        except (NotFound, ConditionFailed):  # deleted meanwhile, or its project was
            return False
        return after is not before
