"""The one error tree of wanLLMDB's functions.

    WanError (500 internal)
    ├── InvalidInput (400 invalid)          carries .field
    ├── Unauthenticated (401 unauthenticated)
    ├── Forbidden (403 forbidden)
    ├── NotFound (404 not_found)
    ├── Conflict (409 conflict)
    │   └── ConditionFailed (409 conflict)  a conditional write lost the race
    ├── Gone (410 gone)                    it existed, and was purged for good
    ├── TooLarge (413 too_large)
    ├── RateLimited (429 rate_limited)     carries .retry_after_s (sent as Retry-After)
    └── UpstreamFailed (502 upstream_failed)  a service we call (an OIDC issuer) failed us

Services and adapters raise these; they never build responses. `core.http_errors` maps
them to HTTP in one place.
"""

from __future__ import annotations

__all__ = [
    "ConditionFailed",
    "Conflict",
    "Forbidden",
    "Gone",
    "InvalidInput",
    "NotFound",
    "RateLimited",
    "TooLarge",
    "Unauthenticated",
    "UpstreamFailed",
    "WanError",
]


class WanError(Exception):
    status = 500
    code = "internal"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def body(self) -> dict[str, dict[str, str | None]]:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}

    def headers(self) -> dict[str, str]:
        """HTTP headers the response must carry besides the body (none by default)."""
        return {}


class InvalidInput(WanError):
    status = 400
    code = "invalid"


class Unauthenticated(WanError):
    status = 401
    code = "unauthenticated"


class Forbidden(WanError):
    status = 403
    code = "forbidden"


class NotFound(WanError):
    status = 404
    code = "not_found"


class Conflict(WanError):
    status = 409
    code = "conflict"


class ConditionFailed(Conflict):
    """A conditional write found the item in another state (lost a race, or already exists)."""


class Gone(WanError):
    """What was asked for existed once and is gone for good (a deletion purged after its grace period)."""

    status = 410
    code = "gone"


class TooLarge(WanError):
    status = 413
    code = "too_large"


class RateLimited(WanError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, field: str | None = None, retry_after_s: int | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {} if self.retry_after_s is None else {"Retry-After": str(max(self.retry_after_s, 1))}


class UpstreamFailed(WanError):
    """A service this one depends on (an identity provider) was unreachable or answered nonsense:
    not the caller's fault, and not ours to retry blindly."""

    status = 502
    code = "upstream_failed"
