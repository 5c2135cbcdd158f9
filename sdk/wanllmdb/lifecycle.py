"""Process-wide calls of the wandb API: ``login``, ``setup``, ``teardown`` and ``require``."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from wanllmdb.credentials import store_api_key
from wanllmdb.errors import AuthenticationError, CommError, UsageError
from wanllmdb.settings import Settings, explicit_fields
from wanllmdb.termlog import termlog

__all__ = ["login", "process_settings", "require", "setup", "teardown"]

_setup: dict[str, Any] = {}
# wandb.require() names of behaviour wanllmdb always has: "service" and "core" ask for wandb's separate
# logging process, whose point (a run per process, safe under multiprocessing) is how wanllmdb works.
_ALWAYS = frozenset({"service", "core"})


def process_settings() -> dict[str, Any]:
    """Settings given to setup(): below init()'s own settings=, above the environment."""
    return dict(_setup)


def setup(settings: Settings | dict[str, Any] | None = None) -> Settings:
    """Set settings for every later ``init()`` in this process (wandb.setup); returns them resolved."""
    _setup.clear()
    _setup.update(explicit_fields(settings))
    return Settings.resolve(_setup)


def teardown(exit_code: int | None = None) -> None:
    """Finish the active run (if any) and forget setup()'s settings, as wandb.teardown does."""
    from wanllmdb.session import active_run

    run = active_run()
    if run is not None:
        run.finish(exit_code=exit_code)
    _setup.clear()


def require(requirement: str | None = None, experiment: str | list[str] | None = None) -> None:
    """Accept wandb's requirements that describe how wanllmdb already works; refuse any other."""
    wanted = [requirement] if requirement else []
    wanted += [experiment] if isinstance(experiment, str) else list(experiment or [])
    unknown = [w for w in wanted if w not in _ALWAYS]
    if unknown:
        raise UsageError(
            f"require({', '.join(map(repr, unknown))}): unknown requirement; wanllmdb knows "
            f"{', '.join(sorted(_ALWAYS))} (both always on: each process logs its own run from threads)"
        )


def login(
    key: str | None = None,
    relogin: bool | None = None,
    host: str | None = None,
    anonymous: str | None = None,
    timeout: int | None = None,
    verify: bool = False,
    force: bool = False,
) -> bool:
    """Find or store an API key for ``host`` (default: the configured base URL), as wandb.login does.

    With ``key`` the key is stored (mode 0600) for later runs; without it an existing key is used, or,
    on a terminal, one is asked for. ``verify=True`` checks the key with the server. Returns True when
    a key is available.
    """
    if anonymous == "must":
        raise UsageError("login(anonymous='must'): wanllmdb has no anonymous runs")
    s = Settings.resolve({"base_url": host} if host else None)
    found = s.api_key if key is None else None
    if key is None and (found is None or relogin):
        if not sys.stdin.isatty():
            if found is not None:
                return True
            if force:
                raise AuthenticationError(
                    f"no API key for {s.base_url}: pass login(key=...), set WANLLMDB_API_KEY or run "
                    f"`wanllmdb login`"
                )
            termlog(f"no API key for {s.base_url}; runs will fail to upload until one is set")
            return False
        key = getpass.getpass(f"wanllmdb: API key for {s.base_url}: ").strip() or None
    if key is None:
        if found is not None and verify:
            _verify(s.base_url, found, timeout)
        return found is not None
    key = key.strip()
    if verify:
        _verify(s.base_url, key, timeout)
    path = store_api_key(s.base_url, key)
    termlog(f"API key for {s.base_url} stored in {path}")
    return True


def _verify(base_url: str, key: str, timeout: int | None) -> None:
    from wanllmdb.rest import ApiError, RestClient, Transient

    client = RestClient(base_url, key, timeout_s=float(timeout or 10))
    try:
        client.me()
    except ApiError as exc:
        raise AuthenticationError(f"{base_url} refused the API key: {exc.message}") from None
    except Transient as exc:
        raise CommError(f"{base_url} is unreachable ({exc}); the key was not checked") from None
    finally:
        client.close()
