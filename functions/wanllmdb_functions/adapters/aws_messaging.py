"""SQS and SES through boto3: send one JSON message to a queue, send one plain-text email.

Small on purpose: what goes into a message, and when to retry, is decided by the code above
(notifications/queued.py). Clients are made on first use, or passed in (tests pass moto's).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from .aws_retries import client_config

__all__ = ["SesMailer", "SqsSender"]

# SQS refuses a DelaySeconds above 15 minutes.
MAX_DELAY_S = 900


class _LazyClient:
    def __init__(self, service: str, *, region: str, endpoint_url: str | None, client: Any) -> None:
        self._service, self._region, self._endpoint = service, region, endpoint_url
        self._client = client
        self._lock = threading.Lock()

    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3

                    make: Any = boto3.client  # typed per service name literal; ours is a variable
                    self._client = make(
                        self._service,
                        region_name=self._region,
                        endpoint_url=self._endpoint,
                        config=client_config(),
                    )
        return self._client


class SqsSender(_LazyClient):
    """Sends JSON messages to one queue."""

    def __init__(
        self, queue_url: str, *, region: str, endpoint_url: str | None = None, client: Any = None
    ) -> None:
        super().__init__("sqs", region=region, endpoint_url=endpoint_url, client=client)
        self.queue_url = queue_url

    def send(self, body: dict[str, Any], *, delay_s: int = 0) -> None:
        self.client().send_message(
            QueueUrl=self.queue_url,
            MessageBody=json.dumps(body, separators=(",", ":")),
            DelaySeconds=max(0, min(int(delay_s), MAX_DELAY_S)),
        )


class SesMailer(_LazyClient):
    """Sends plain-text email from one verified SES identity."""

    def __init__(
        self, sender: str, *, region: str, endpoint_url: str | None = None, client: Any = None
    ) -> None:
        super().__init__("ses", region=region, endpoint_url=endpoint_url, client=client)
        self.sender = sender

    def send(self, *, to: str, subject: str, text: str) -> None:
        self.client().send_email(
            Source=self.sender,
            Destination={"ToAddresses": [to]},
            Message={
                "Subject": {"Data": subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": text, "Charset": "UTF-8"}},
            },
        )
