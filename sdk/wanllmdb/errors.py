"""The SDK's errors, raised into user code only for bad input or misuse, never for network trouble
during a run. ``wanllmdb.Error`` is the root, under wandb's name.

WanllmdbError (wanllmdb.Error)
 ├── UsageError            a call in the wrong state (log() after finish(), no active run)
 │    ├── NotAvailableYet  a wandb feature this version does not have (artifacts, alerts, ...)
 │    └── FrameworkMissing an integration's framework is absent (also an ImportError): names the extra
 │         └── FrameworkVersionUnsupported  it is there, outside the versions we support: names them
 ├── InvalidValue          log()/config data that cannot be stored; names the key and the fix
 │    └── NotYetSupported  a media object (Image, Table, ...) that this version cannot store yet
 ├── ConfigChangeError     changing an existing config value without allow_val_change=True
 └── CommError             the server could not be reached, or refused a request (wandb's name)
      ├── ApiError         (wanllmdb.rest) a non-2xx answer: status, code, message, field
      ├── AuthenticationError  no valid API key (401/403)
      └── ServerRefused    the server answered a synchronous call (init) with a 4xx
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "CommError",
    "ConfigChangeError",
    "Error",
    "FrameworkMissing",
    "FrameworkVersionUnsupported",
    "InvalidValue",
    "NotAvailableYet",
    "NotYetSupported",
    "ServerRefused",
    "UsageError",
    "WanllmdbError",
]


class WanllmdbError(Exception):
    """Base of every error the SDK raises on purpose."""


Error = WanllmdbError  # wandb.Error


class UsageError(WanllmdbError):
    """The SDK was called in a state where the call makes no sense."""


class NotAvailableYet(UsageError, NotImplementedError):
    """A wandb name whose feature is not in this version; the message says which part of the plan has it."""

    def __init__(self, name: str, feature: str) -> None:
        super().__init__(
            f"{name} is not available in this version of wanllmdb: {feature} come in a later release "
            f"(see README, 'wandb compatibility'). Nothing was done."
        )
        self.name = name


class FrameworkMissing(UsageError, ImportError):
    """``wanllmdb.integration.<name>`` was imported without its framework; says which extra installs it."""

    def __init__(self, integration: str, framework: str, extra: str) -> None:
        super().__init__(
            f"wanllmdb.integration.{integration} needs {framework}, which is not installed: "
            f"pip install 'wanllmdb[{extra}]'"
        )
        self.framework = framework
        self.extra = extra


class FrameworkVersionUnsupported(FrameworkMissing):
    """The framework is installed, at a version outside the range the integration supports."""

    def __init__(self, integration: str, framework: str, version: str, supported: str, extra: str) -> None:
        UsageError.__init__(
            self,
            f"wanllmdb.integration.{integration} supports {framework}{supported}, but {framework} {version} "
            f"is installed: pip install '{framework}{supported}' (or pip install 'wanllmdb[{extra}]')",
        )
        self.framework = framework
        self.extra = extra
        self.version = version
        self.supported = supported


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


class CommError(WanllmdbError):
    """Talking to the server failed: it was unreachable, or it refused the request."""


class AuthenticationError(CommError):
    """The server did not accept the API key (or none was found)."""


class ServerRefused(CommError):
    """The server refused a request that the caller must know about (e.g. resume='must' of a missing run)."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{message} (HTTP {status})")  # a sentence; status, code and field stay attributes
        self.status = status
        self.code = code
        self.field = field
