"""Refuses a declared-too-large request body with 413 and the common error body, before reading it.

The routers' own `max_body_size` (set in `create_app`) still bounds bodies sent without a
Content-Length; this middleware exists because that limiter answers a declared oversize body with
plain text, not with our error body.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

from .http_errors import error_response

__all__ = ["DeclaredBodyLimit"]


class DeclaredBodyLimit:
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        exempt_prefixes: tuple[str, ...] = (),
        route_limits: Sequence[tuple[re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.exempt_prefixes = exempt_prefixes
        # Routes that declared a larger max_body_size of their own (e.g. a run's 10 MB config).
        self.route_limits = tuple(route_limits)

    def _limit(self, path: str) -> int:
        for pattern, limit in self.route_limits:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] == "http" and not path.startswith(self.exempt_prefixes):
            declared = _content_length(scope)
            limit = self._limit(path)
            if declared is not None and declared > limit:
                message = f"request body of {declared} bytes is over the limit of {limit}"
                await error_response(413, "too_large", message, "Content-Length")(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
