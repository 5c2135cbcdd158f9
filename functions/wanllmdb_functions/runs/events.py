"""Run lifecycle events for in-process listeners.

Each AppState owns a `run_finished` hook: the local server's compaction worker listens on it, and
in AWS the runs and reaper Lambdas attach the notifier that queues the run for the compaction
Lambda (adapters/sqs_notices.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.hooks import Hook
from ..ports import BlobStore, ItemStore

__all__ = ["RunFinished", "RunFinishedHook"]


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
