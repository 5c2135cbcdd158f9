"""Finding a run by id: the one way a run is read for a caller.

Run ids are unique per project (runs/keys.py), so an id is resolved among the projects the caller
may read. A run the caller may not see and a run that does not exist get the same 404, which names
only the run id the caller sent.
"""

from __future__ import annotations

from ..core.caller import Caller
from ..core.errors import InvalidInput, NotFound
from ..core.policy import Permission, ResourceRef, authorize, not_found_for, permissions_of
from ..ports import Item, ItemStore
from ..projects.grants import resource_ref
from ..projects.service import ProjectService
from .keys import RUN_SK_PREFIX, legacy_run_key, run_key, run_pk

__all__ = ["authorized_run_item", "missing_run", "run_in_project", "run_label", "runs_with_id"]


def missing_run(run_id: str) -> NotFound:
    return NotFound(f"run {run_id} not found", field="run_id")


def runs_with_id(items: ItemStore, run_id: str) -> list[Item]:
    """Every project's run with this id: one strongly consistent query of the id's partition."""
    return list(items.query_all(run_pk(run_id), sk_prefix=RUN_SK_PREFIX))


def run_in_project(items: ItemStore, project_id: str, run_id: str) -> Item | None:
    """The run `run_id` of one project, whichever key shape it was written in, or None."""
    item = items.get(*run_key(project_id, run_id))
    if item is None:
        legacy = items.get(*legacy_run_key(run_id))
        if legacy is not None and legacy["project_id"] == project_id:
            return legacy
    return item


def run_label(items: ItemStore, project_id: str, run_id: str) -> str:
    """How a notification names a run: its display name with its id, or the id alone."""
    item = run_in_project(items, project_id, run_id)
    name = (item or {}).get("name")
    return f"{name} ({run_id})" if name and name != run_id else run_id


def authorized_run_item(
    items: ItemStore,
    projects: ProjectService,
    caller: Caller,
    run_id: str,
    permission: Permission,
    *,
    project_id: str | None = None,
) -> Item:
    """The run the caller means by `run_id`, once the policy allowed `permission` on its project.

    Only runs in projects the caller may read are candidates: others answer exactly as a missing id
    does. When the caller may read runs of this id in several projects, `project_id` says which.
    """
    if project_id is not None:
        candidates = [item] if (item := run_in_project(items, project_id, run_id)) else []
    else:
        candidates = runs_with_id(items, run_id)
    readable: list[tuple[Item, ResourceRef]] = []
    for item in candidates:
        try:
            ref = resource_ref(items, projects.get_ref(item["project_id"]), "run", run_id)
        except NotFound:  # a run left behind by its project: as gone as the project
            continue
        if Permission.RUN_READ in permissions_of(caller, ref):  # the project's, or a grant on the run
            readable.append((item, ref))
    if not readable:
        raise not_found_for(caller, missing_run(run_id))
    if len(readable) > 1:
        choices = ", ".join(sorted(ref.project.project_id for _, ref in readable))
        raise InvalidInput(
            f"run id {run_id} names a run in each of {len(readable)} projects you can read "
            f"({choices}): add ?project_id=<one of them>",
            field="project_id",
        )
    item, ref = readable[0]
    authorize(caller, permission, ref, hidden=missing_run(run_id))
    return item
