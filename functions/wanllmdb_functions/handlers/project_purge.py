"""What a deleted project's purge removes besides its runs, views, artifacts, grants and subscriptions:
the items its sibling packages own, which deletes/ may not import. The AWS reaper and the local
server's periodic task both pass this to `purge_due`; it imports only those packages' key modules,
so the reaper's bundle stays small."""

from __future__ import annotations

from ..deletes.purge import ProjectParts
from ..reports.purge import project_report_partitions
from ..sweeps.purge import project_sweep_partitions

__all__ = ["PROJECT_PURGE_PARTS"]

PROJECT_PURGE_PARTS: tuple[ProjectParts, ...] = (project_sweep_partitions, project_report_partitions)
