"""Run notices to the compaction queue (AWS): the runs Lambda's half of compaction on finish, and of
rebuilding a project's run index when a run changes.

Attached to the app's `run_finished` hook by handlers/runs.py and handlers/reaper.py (the reaper's
crashed runs) and by the local server on the aws backend when a queue is configured.
The messages are `{"type": "run_finished", "project_id", "run_id", "state", "attempt"}` and
`{"type": "run_changed", "project_id", "run_id"}`; handlers/compaction.py consumes them.
Without `WANLLMDB_COMPACTION_QUEUE_URL` it does nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from ..core.settings import Settings
from ..ports.events import RunChanged, RunChangedHook, RunFinished, RunFinishedHook

__all__ = ["SqsRunFinishedNotifier", "register_compaction_notices"]


class SqsRunFinishedNotifier:
    def __init__(self, settings: Callable[[], Settings], *, client: Any = None) -> None:
        # Settings are read on the first notice, not at import, so importing a handler stays cheap.
        self._settings = settings
        self._given = client
        self._clients: dict[tuple[str, str | None], Any] = {}
        self._lock = threading.Lock()

    def _sqs(self, settings: Settings) -> Any:
        if self._given is not None:
            return self._given
        endpoint = settings.sqs_endpoint_url or settings.s3_endpoint_url
        # Keyed by where it points: settings can be rebuilt in a warm container (and between tests).
        with self._lock:
            client = self._clients.get((settings.region, endpoint))
            if client is None:
                import boto3

                client = boto3.client("sqs", region_name=settings.region, endpoint_url=endpoint)
                self._clients[(settings.region, endpoint)] = client
            return client

    def _send(self, body: dict[str, Any]) -> None:
        settings = self._settings()
        if not settings.compaction_queue_url:
            return
        self._sqs(settings).send_message(QueueUrl=settings.compaction_queue_url, MessageBody=json.dumps(body))

    def __call__(self, event: RunFinished) -> None:
        self._send(
            {
                "type": "run_finished",
                "project_id": event.project_id,
                "run_id": event.run_id,
                "state": event.state,
                "attempt": event.attempt,
            }
        )

    def on_changed(self, event: RunChanged) -> None:
        self._send({"type": "run_changed", "project_id": event.project_id, "run_id": event.run_id})


def register_compaction_notices(
    hook: RunFinishedHook, settings: Callable[[], Settings], changed: RunChangedHook | None = None
) -> SqsRunFinishedNotifier:
    """Attach a notifier to one app's run-finished (and run-changed) hooks: one per app, so one
    notice per event."""
    notifier = SqsRunFinishedNotifier(settings)
    hook.subscribe(notifier)
    if changed is not None:
        changed.subscribe(notifier.on_changed)
    return notifier
