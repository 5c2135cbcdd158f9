"""Lambda entry point for notification delivery: the consumer of the notification queue.

Each SQS message is one webhook job or one email (notifications/queued.py). A webhook is delivered
with the same signing, SSRF re-check and delivery log as the local worker; a failed attempt goes
back on the queue with the next backoff delay, and the last one is logged as failed. An email is
sent through SES from WANLLMDB_EMAIL_FROM. A message that cannot be handled at all is reported in
`batchItemFailures`, so SQS retries it alone and then moves it to the dead-letter queue.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from ..app.state import AppState
from ..core.errors import InvalidInput
from ..notifications.queued import deliver_message
from ..notifications.wiring import delivery_queue, ses_mailer

__all__ = ["deliver_records", "handler"]

log = logging.getLogger(__name__)

# Built once per container: settings and storage clients are reused across invocations.
_state = AppState()


def deliver_records(state: AppState, records: list[dict[str, Any]]) -> dict[str, Any]:
    failures: list[dict[str, str]] = []
    outcomes: dict[str, int] = {}
    for record in records:
        try:
            body = json.loads(record["body"])
            if not isinstance(body, dict):
                raise InvalidInput("message body is not a JSON object", field="body")
            outcome = deliver_message(
                body,
                state.storage.items,
                mailer=ses_mailer(state),
                requeue=delivery_queue(state),
                allow_private=state.settings.webhook_allow_private,
            )
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        except Exception:  # report this message for retry; the rest of the batch still counts
            log.exception("notification message %s failed", record.get("messageId"))
            failures.append({"itemIdentifier": str(record.get("messageId", ""))})
    return {"batchItemFailures": failures, "outcomes": outcomes}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise InvalidInput("the notify function only accepts SQS events", field="Records")
    return deliver_records(_state, records)
