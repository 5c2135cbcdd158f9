"""Item keys of deletions (design: docs/deletes.md; the run tombstone's key is runs/keys.py's).

DELETED#run#<run_id>        / <project_id>  the latest deletion of a run (runs/keys.deleted_run_key)
DELETED#project#<project_id> / DELETION     the latest deletion of a project
DELETED#team#<team>         / DELETION      the latest deletion of a team
    each tombstone is also the purge job: while pending or purging it sits in gsi1 PURGEDUE, sorted
    by when its grace period ends, so the purge worker reads only the due ones.
TRASH#<deletion_id>         / ITEM#<n>      an item the deletion moved out of sight, whole, under
                                            `item` (nested, so no index sees it); restore puts it back.
"""

from __future__ import annotations

__all__ = ["PURGE_DUE_PK", "project_tombstone", "purge_sort_key", "team_tombstone", "trash_item", "trash_pk"]

PURGE_DUE_PK = "PURGEDUE"
TRASH_ITEM_PREFIX = "ITEM#"


def project_tombstone(project_id: str) -> tuple[str, str]:
    return f"DELETED#project#{project_id}", "DELETION"


def team_tombstone(team: str) -> tuple[str, str]:
    return f"DELETED#team#{team}", "DELETION"


def purge_sort_key(purge_after: str, deletion_id: str) -> str:
    return f"{purge_after}#{deletion_id}"


def trash_pk(deletion_id: str) -> str:
    return f"TRASH#{deletion_id}"


def trash_item(deletion_id: str, n: int) -> tuple[str, str]:
    # Zero-padded: items come back in the order they were moved.
    return trash_pk(deletion_id), f"{TRASH_ITEM_PREFIX}{n:06d}"
