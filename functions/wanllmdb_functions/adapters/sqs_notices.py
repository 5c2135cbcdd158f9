"""Run-finished notices to the compaction queue (AWS): the runs Lambda's half of compaction on finish.

Registered on the runs service's `on_run_finished` hook by handlers/runs.py. The message is
`{"type": "run_finished", "project_id", "run_id", "state", "attempt"}`; handlers/compaction.py
consumes it. Without `WANLLMDB_COMPACTION_QUEUE_URL` (local mode) it does nothing.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from ..core.settings import Settings
from ..runs.events import RunFinished

__all__ = ["SqsRunFinishedNotifier"]


class SqsRunFinishedNotifier:
    def __init__(self, settings: Callable[[], Settings], *, client: Any = None) -> None:
        # Settings are read on the first notice, not at import, so importing a handler stays cheap.
        self._settings = settings
        self._client = client
        self._lock = threading.Lock()

    def _sqs(self, settings: Settings) -> Any:
        with self._lock:
            if self._client is None:
                import boto3

                endpoint = settings.sqs_endpoint_url or settings.s3_endpoint_url
                self._client = boto3.client("sqs", region_name=settings.region, endpoint_url=endpoint)
            return self._client

    def __call__(self, event: RunFinished) -> None:
        settings = self._settings()
        if not settings.compaction_queue_url:
            return
        body = {
            "type": "run_finished",
            "project_id": event.project_id,
            "run_id": event.run_id,
            "state": event.state,
            "attempt": event.attempt,
        }
        self._sqs(settings).send_message(QueueUrl=settings.compaction_queue_url, MessageBody=json.dumps(body))
