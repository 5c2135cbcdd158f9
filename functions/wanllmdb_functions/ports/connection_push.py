"""Sending one message to one open websocket held by someone else (API Gateway's WebSocket API on
AWS): the port the collaboration's fan-out uses, so the reports package never imports boto3."""

from __future__ import annotations

from typing import Protocol

__all__ = ["ConnectionGone", "ConnectionPush"]


class ConnectionGone(Exception):
    """The connection is closed (API Gateway answers 410): its record is stale and may go."""


class ConnectionPush(Protocol):
    def post(self, connection_id: str, data: bytes) -> None:
        """Send ``data`` as one text message on the connection; ConnectionGone if it is closed."""
        ...
