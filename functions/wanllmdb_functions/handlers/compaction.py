"""Lambda entry point for compaction: SQS messages carrying S3 ObjectCreated events or run-finished notices.

Failed messages are reported one by one (`batchItemFailures`, with ReportBatchItemFailures on the
event source), so SQS retries only those; compaction is idempotent, so a retry is always safe.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..app.state import AppState
from ..compaction.jobs import compact_for_message
from ..core.errors import InvalidInput

__all__ = ["handler"]

log = logging.getLogger(__name__)

# Built once per container: settings and storage clients are reused across invocations.
_state = AppState()


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise InvalidInput("the compaction function only accepts SQS events", field="Records")
    failures: list[dict[str, str]] = []
    compacted = 0
    for record in records:
        try:
            body = json.loads(record["body"])
            if not isinstance(body, dict):
                raise ValueError("message body is not a JSON object")
            results = compact_for_message(
                _state.storage.blobs,
                body,
                every_chunks=_state.settings.compaction_every_chunks,
                items=_state.storage.items,
            )
            compacted += sum(1 for r in results if r.key)
        except Exception:  # report the message for retry; the others in the batch still count
            log.exception("compaction message %s failed", record.get("messageId"))
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    return {"batchItemFailures": failures, "compacted": compacted}
