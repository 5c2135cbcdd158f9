"""API Gateway's Management API through boto3: post one message to one WebSocket connection.

The endpoint is the WebSocket stage's callback URL (https://{api}.execute-api.{region}.amazonaws.com/
{stage}); the client is made on first use, or passed in (tests pass a stubbed or moto-backed one).
"""

from __future__ import annotations

import threading
from typing import Any

from ..ports.connection_push import ConnectionGone

__all__ = ["ApiGatewayConnections"]


class ApiGatewayConnections:
    def __init__(self, endpoint_url: str, *, region: str, client: Any = None) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self._region = region
        self._client = client
        self._lock = threading.Lock()

    def _api(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3

                    self._client = boto3.client(
                        "apigatewaymanagementapi", region_name=self._region, endpoint_url=self.endpoint_url
                    )
        return self._client

    def post(self, connection_id: str, data: bytes) -> None:
        api = self._api()
        try:
            api.post_to_connection(ConnectionId=connection_id, Data=data)
        except api.exceptions.GoneException as exc:
            raise ConnectionGone(connection_id) from exc
