"""Saved views: list, read, save (conditional on the revision the caller read) and delete.

A save whose spec equals what is stored changes nothing and returns the stored view, so a retried
request never adds a revision; a save naming a revision that has moved on is a 409 naming the
field, so two people editing one view never silently overwrite each other. Overwrites are one
conditional update that adds 1 to the revision, so concurrent saves never lose a revision.
"""

from __future__ import annotations

import json
from typing import Any

from ..core.caller import Caller
from ..core.errors import ConditionFailed, Conflict, NotFound
from ..core.policy import Permission, authorize
from ..core.values import checked_json, now_iso
from ..ports import Condition, Item, ItemStore
from ..projects.service import ProjectService
from . import keys
from .models import MAX_SPEC_BYTES, SavedView, ViewList, ViewSave

__all__ = ["ViewService"]


def _model(item: Item) -> SavedView:
    return SavedView.model_validate({k: v for k, v in item.items() if k in SavedView.model_fields})


class ViewService:
    def __init__(self, items: ItemStore) -> None:
        self._items = items
        self._projects = ProjectService(items)

    def _authorize(self, caller: Caller, permission: Permission, project_id: str) -> None:
        authorize(caller, permission, self._projects.get_ref(project_id))

    def _item(self, project_id: str, name: str) -> Item | None:
        return self._items.get(*keys.view(project_id, name))

    def list_views(self, caller: Caller, project_id: str) -> ViewList:
        self._authorize(caller, Permission.PROJECT_READ, project_id)
        found = self._items.query_all(keys.views_of(project_id), sk_prefix=keys.VIEW_PREFIX, page_size=500)
        views = [_model(item) for item in found]
        return ViewList(views=sorted(views, key=lambda v: v.name.casefold()))

    def get(self, caller: Caller, project_id: str, name: str) -> SavedView:
        self._authorize(caller, Permission.PROJECT_READ, project_id)
        item = self._item(project_id, name)
        if item is None:
            raise NotFound(f"no saved view named {name!r} in project {project_id}", field="name")
        return _model(item)

    def save(self, caller: Caller, project_id: str, name: str, body: ViewSave) -> tuple[SavedView, bool]:
        """Returns the stored view and whether this call created it."""
        self._authorize(caller, Permission.PROJECT_WRITE, project_id)
        spec: dict[str, Any] = json.loads(checked_json(body.spec, limit=MAX_SPEC_BYTES, field="spec"))
        current = self._item(project_id, name)
        if current is not None and current["spec"] == spec:
            return _model(current), False  # a retry, or nothing changed: no new revision
        self._check_revision(name, body.revision, current)
        at = now_iso()
        if current is None:
            created = self._create(caller, project_id, name, spec, at)
            if created is not None:
                return _model(created), True
            # Someone created it in between: what follows treats this save as an overwrite.
        # One conditional update: the revision counter moves atomically, so concurrent saves each
        # get their own revision and none is lost, with no read-retry loop to starve.
        if body.revision == 0:  # create only, and someone created it in between
            return self._after_lost_race(name, project_id, spec, body.revision), False
        try:
            item = self._items.update(
                *keys.view(project_id, name),
                set_attrs={"spec": spec, "updated_by": caller.username, "updated_at": at},
                add={"revision": 1},
                condition=(
                    Condition.exists()
                    if body.revision is None
                    else Condition.equals("revision", body.revision)
                ),
            )
        except ConditionFailed:
            return self._after_lost_race(name, project_id, spec, body.revision), False
        return _model(item), False

    def _after_lost_race(
        self, name: str, project_id: str, spec: dict[str, Any], expected: int | None
    ) -> SavedView:
        """A concurrent save or delete moved the view: our own earlier try, or a 409."""
        latest = self._item(project_id, name)
        if latest is not None and latest["spec"] == spec:
            return _model(latest)  # our earlier try landed
        self._check_revision(name, expected, latest)
        raise Conflict(f"view {name!r} was deleted while being saved; save it again", field="name")

    def _create(
        self, caller: Caller, project_id: str, name: str, spec: dict[str, Any], at: str
    ) -> Item | None:
        pk, sk = keys.view(project_id, name)
        item: Item = {
            "pk": pk, "sk": sk, "project_id": project_id, "name": name, "spec": spec, "revision": 1,
            "created_by": caller.username, "created_at": at, "updated_by": caller.username, "updated_at": at,
        }  # fmt: skip
        try:
            self._items.put(item, condition=Condition.not_exists())
        except ConditionFailed:
            return None
        return item

    @staticmethod
    def _check_revision(name: str, expected: int | None, current: Item | None) -> None:
        if expected is None:
            return
        found = 0 if current is None else int(current["revision"])
        if found != expected:
            by = f" by {current['updated_by']}" if current is not None else ""
            raise Conflict(
                f"view {name!r} is at revision {found}{by}, not {expected}; reload it and save again",
                field="revision",
            )

    def delete(self, caller: Caller, project_id: str, name: str) -> None:
        self._authorize(caller, Permission.PROJECT_WRITE, project_id)
        try:
            self._items.delete(*keys.view(project_id, name), condition=Condition.exists())
        except ConditionFailed:
            raise NotFound(f"no saved view named {name!r} in project {project_id}", field="name") from None
