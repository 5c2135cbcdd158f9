"""The SDK's errors, raised into user code only for bad input or misuse, never for network trouble.

WanllmdbError
 ├── UsageError            a call in the wrong state (log() after finish(), no active run)
 ├── InvalidValue          log()/config data that cannot be stored; names the key and the fix
 │    └── NotYetSupported  a media object (Image, Table, ...) that this version cannot store yet
 ├── ConfigChangeError     changing an existing config value without allow_val_change=True
 └── ServerRefused         the server answered a synchronous call (init) with a 4xx
"""

from __future__ import annotations

__all__ = [
    "ConfigChangeError",
    "InvalidValue",
    "NotYetSupported",
    "ServerRefused",
    "UsageError",
    "WanllmdbError",
]


class WanllmdbError(Exception):
    """Base of every error the SDK raises on purpose."""


class UsageError(WanllmdbError):
    """The SDK was called in a state where the call makes no sense."""


class InvalidValue(WanllmdbError, TypeError, ValueError):
    """A logged or configured value cannot be stored. ``key`` names the offending entry."""

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class NotYetSupported(InvalidValue):
    """A rich media object was logged; this version stores scalars only."""


class ConfigChangeError(WanllmdbError, ValueError):
    """A config value was changed without ``allow_val_change=True``."""

    def __init__(self, key: str, old: object, new: object) -> None:
        super().__init__(
            f"config[{key!r}] is already {old!r}; refusing to change it to {new!r}. "
            f"Pass allow_val_change=True to config.update() if the change is intended."
        )
        self.key = key


class ServerRefused(WanllmdbError):
    """The server refused a request that the caller must know about (e.g. resume='must' of a missing run)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"server answered {status} {code}: {message}")
        self.status = status
        self.code = code
        self.field = field
