"""Run lifecycle events: what the runs service publishes and compaction listens for.

A port, so that the app state, the runs service and compaction share the event without importing
each other.

Each AppState owns a `run_finished` hook: the local server's compaction worker listens on it, and
in AWS the runs and reaper Lambdas attach the notifier that queues the run for the compaction
Lambda (compaction/notices.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..core.hooks import Hook
from .blob_store import BlobStore
from .item_store import ItemStore

__all__ = [
    "RunChanged",
    "RunChangedHook",
    "RunFinished",
    "RunFinishedHook",
    "RunSummaryChanged",
    "RunSummaryChangedHook",
]


@dataclass(frozen=True)
class RunFinished:
    """A run entered `finished`, `failed` or `crashed`."""

    run_id: str
    project_id: str
    state: str
    attempt: int
    items: ItemStore
    blobs: BlobStore


RunFinishedHook = Hook[RunFinished]


@dataclass(frozen=True)
class RunChanged:
    """A run was created, deleted, or changed in what the project's run index shows (not a summary
    patch or a heartbeat alone: those are picked up by the next rewrite)."""

    run_id: str
    project_id: str
    items: ItemStore
    blobs: BlobStore


RunChangedHook = Hook[RunChanged]


@dataclass(frozen=True)
class RunSummaryChanged:
    """A run's stored summary changed (a summary patch, or a patch that finished the run with one):
    project automations on metric thresholds are evaluated here."""

    run_id: str
    project_id: str
    summary: dict[str, Any]


RunSummaryChangedHook = Hook[RunSummaryChanged]
