"""The SDK's one typed settings object.

Precedence, per field: explicit ``init()`` arguments > fields the caller set on ``settings=`` >
``WANLLMDB_*`` environment > defaults. A ``Settings`` object remembers which fields its caller set
(``fields_set``); its defaults never override the environment.

wandb's names are accepted too (``silent``, ``quiet``, ``show_info``, ``disable_git``, ``init_timeout``,
``_disable_stats``/``x_disable_stats``, ``_disable_meta``/``x_disable_meta``, ``start_method``,
``anonymous``, ``save_code``, mode ``dryrun``/``run``, console ``auto``/``redirect``/``wrap_*``); each
either acts or says what it does not do (README, "wandb compatibility").
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal, get_args

from wanllmdb.credentials import lookup_api_key
from wanllmdb.errors import UsageError

__all__ = [
    "DEFAULT_BASE_URL",
    "ENVIRONMENT",
    "WANDB_ENVIRONMENT",
    "Mode",
    "Settings",
    "explicit_fields",
    "read_wandb_environment",
]

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
Mode = Literal["online", "offline", "disabled"]
Resume = Literal["allow", "never", "must", "auto"]
_MODE_ALIASES = {"dryrun": "offline", "run": "online"}  # wandb's older spellings
_CONSOLES = ("wrap", "off", "auto", "redirect", "wrap_raw", "wrap_emu")
_ANONYMOUS = ("allow", "never", "must")

# Environment variable → field. Only these are read; everything else comes from settings= or init().
ENVIRONMENT = {
    "WANLLMDB_BASE_URL": "base_url",
    "WANLLMDB_API_KEY": "api_key",
    "WANLLMDB_PROJECT": "project",
    "WANLLMDB_ENTITY": "entity",
    "WANLLMDB_MODE": "mode",
    "WANLLMDB_DIR": "dir",
    "WANLLMDB_DATA_DIR": "data_dir",
    "WANLLMDB_SILENT": "silent",
    "WANLLMDB_QUIET": "quiet",
    "WANLLMDB_CONSOLE": "console",
    "WANLLMDB_INIT_TIMEOUT": "init_timeout_s",
    "WANLLMDB_FINISH_TIMEOUT": "finish_timeout_s",
    "WANLLMDB_DISABLE_GIT": "disable_git",
    "WANLLMDB_SAVE_CODE": "save_code",
    "WANLLMDB_CACHE_DIR": "cache_dir",
    "WANLLMDB_CACHE_MAX_BYTES": "cache_max_bytes",
    "WANLLMDB_ARTIFACT_MULTIPART_BYTES": "artifact_multipart_bytes",
}

# wandb's variables for the same settings. Read only once the opt-in `wandb` alias is imported
# (wanllmdb.wandb_compat): code written for wandb then configures wanllmdb with them. Without the alias
# they are W&B's, and a WANDB_API_KEY must never be sent to a wanllmdb server.
WANDB_ENVIRONMENT = {
    "WANDB_BASE_URL": "base_url",
    "WANDB_API_KEY": "api_key",
    "WANDB_PROJECT": "project",
    "WANDB_ENTITY": "entity",
    "WANDB_MODE": "mode",
    "WANDB_DIR": "dir",
    "WANDB_SILENT": "silent",
    "WANDB_QUIET": "quiet",
    "WANDB_CONSOLE": "console",
    "WANDB_DISABLE_GIT": "disable_git",
    "WANDB_SAVE_CODE": "save_code",
    "WANDB_CACHE_DIR": "cache_dir",
}
# The variable tables resolve() reads, the first that sets a field winning.
_environments: list[dict[str, str]] = [ENVIRONMENT]


def read_wandb_environment() -> None:
    """Let wandb's ``WANDB_*`` variables configure wanllmdb too, after the ``WANLLMDB_*`` ones."""
    if WANDB_ENVIRONMENT not in _environments:
        _environments.append(WANDB_ENVIRONMENT)


@dataclass(frozen=True)
class Settings:
    base_url: str = DEFAULT_BASE_URL
    api_key: str | None = None
    project: str | None = None
    entity: str | None = None
    mode: Mode = "online"  # also wandb's "dryrun" (offline) and "run" (online)
    dir: Path = field(default_factory=Path.cwd)  # run dirs go to <dir>/wanllmdb/
    data_dir: Path = field(default_factory=lambda: Path.home() / ".wanllmdb")  # the local server's
    flush_interval_s: float = 5.0  # a chunk is cut at least this often...
    flush_max_values: int = 50_000  # ...or as soon as this many values are buffered
    # While the spool's disk is full, encoded chunks wait in memory up to this many bytes; rows logged
    # beyond it are dropped and counted (docs/sdk.md, "A full disk"). 0 drops at once.
    disk_full_hold_bytes: int = 32 << 20
    system_interval_s: float = 10.0
    system_metrics: bool = True
    metadata: bool = True  # host, user, OS, command and GPUs sent with the run
    # "auto": "redirect" (file descriptors 1 and 2: C extensions and child processes too) where it works,
    # else "wrap" (sys.stdout/sys.stderr only); "off" captures nothing. See console.py.
    console: str = "auto"
    git: bool = True
    heartbeat_interval_s: float = 30.0
    http_timeout_s: float = 10.0
    # init() waits this long for the server, then goes on offline from the spool (uploaded in the
    # background once the server answers, or by `wanllmdb sync`): a 10-step script must not wait 15 s.
    init_timeout_s: float = 2.0
    finish_timeout_s: float = 10.0  # finish() waits this long for uploads, then leaves the rest for sync
    upload_batch: int = 100  # grants asked for per POST /uploads (the contract's maximum)
    retry_max_backoff_s: float = 30.0
    handle_signals: bool = True
    silent: bool = False  # print nothing at all
    quiet: bool = False  # print warnings and errors only
    show_info: bool = True  # False: the same as quiet
    save_code: bool = False  # save the main script as a run file at init (see Run.log_code)
    # Artifacts (docs/sdk.md#artifacts): the download cache and its cap (least recently used evicted
    # first), and the size above which a blob is uploaded in parts (resumable after a kill).
    cache_dir: Path | None = None  # default <data_dir>/cache
    cache_max_bytes: int = 20 << 30
    artifact_multipart_bytes: int = 64 << 20
    # wandb's names for fields above; __post_init__ folds them in.
    disable_git: bool = False
    init_timeout: float | None = None
    _disable_stats: bool = False
    x_disable_stats: bool = False
    _disable_meta: bool = False
    x_disable_meta: bool = False
    # wandb's names with nothing to act on here: accepted and checked, see _check_inert.
    start_method: str | None = None
    anonymous: str | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Settings:
        self = super().__new__(cls)
        names = [f.name for f in fields(cls)][: len(args)]
        object.__setattr__(self, "_fields_set", frozenset(names) | frozenset(kwargs))
        return self

    @property
    def fields_set(self) -> frozenset[str]:
        """The fields its caller gave; only these override the environment in ``resolve``."""
        return frozenset(getattr(self, "_fields_set", ()))

    def __post_init__(self) -> None:
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        put("mode", _MODE_ALIASES.get(self.mode, self.mode))
        if self.mode not in get_args(Mode):
            raise UsageError(f"mode={self.mode!r}: use one of {', '.join(get_args(Mode))}")
        if self.console not in _CONSOLES:
            raise UsageError(f"settings console={self.console!r}: use one of {', '.join(_CONSOLES)}")
        if self.console in ("wrap_raw", "wrap_emu"):  # wandb's wrap variants
            put("console", "wrap")
        if self._disable_stats or self.x_disable_stats:
            put("system_metrics", False)
        if self._disable_meta or self.x_disable_meta:
            put("metadata", False)
        if self.disable_git:
            put("git", False)
        if self.init_timeout is not None:
            put("init_timeout_s", float(self.init_timeout))
        if not self.show_info:
            put("quiet", True)
        self._check_inert()
        if not (self.init_timeout_s > 0 and self.finish_timeout_s >= 0):
            raise UsageError("settings init_timeout_s must be positive and finish_timeout_s not negative")
        if not self.system_interval_s >= 1.0:
            raise UsageError(f"settings system_interval_s={self.system_interval_s}: the minimum is 1 second")
        if self.flush_interval_s <= 0 or self.flush_max_values <= 0:
            raise UsageError("settings flush_interval_s and flush_max_values must be positive")
        if self.disk_full_hold_bytes < 0:
            raise UsageError(f"settings disk_full_hold_bytes={self.disk_full_hold_bytes}: use 0 or more")
        if not 1 <= self.upload_batch <= 100:
            raise UsageError(f"settings upload_batch={self.upload_batch}: use 1..100")
        if self.cache_max_bytes < 0 or self.artifact_multipart_bytes < (5 << 20):
            raise UsageError(
                "settings cache_max_bytes must be >= 0 and artifact_multipart_bytes >= 5 MiB (5242880)"
            )
        if not self.base_url.startswith(("http://", "https://")):
            raise UsageError(f"base_url={self.base_url!r}: give an http:// or https:// URL")

    def _check_inert(self) -> None:
        """wandb settings that configure machinery we do not have: accepted where that changes nothing."""
        if self.start_method not in (None, "thread"):
            warnings.warn(
                f"wanllmdb: start_method={self.start_method!r} has no effect: wanllmdb starts no service "
                f"process, it logs from threads of this process",
                stacklevel=4,
            )
        if self.anonymous is not None:
            if self.anonymous not in _ANONYMOUS:
                raise UsageError(f"settings anonymous={self.anonymous!r}: use one of {', '.join(_ANONYMOUS)}")
            if self.anonymous == "must":
                raise UsageError(
                    "settings anonymous='must': wanllmdb has no anonymous runs; every run belongs to the "
                    "API key's user (use a local server, `wanllmdb server`, for a throwaway setup)"
                )

    @classmethod
    def resolve(cls, overrides: Settings | dict[str, Any] | None = None, **explicit: Any) -> Settings:
        """Build settings from the environment, then ``overrides``, then non-None ``explicit`` arguments."""
        known = {f.name: f for f in fields(cls)}
        values: dict[str, Any] = {}
        for environment in _environments:
            for env, name in environment.items():
                raw = os.environ.get(env)
                if raw and name not in values:
                    values[name] = raw
        for source in (explicit_fields(overrides), {k: v for k, v in explicit.items() if v is not None}):
            for name, value in source.items():
                if name not in known:
                    raise UsageError(f"settings: unknown setting {name!r}; known: {', '.join(sorted(known))}")
                values[name] = value
        for name in ("dir", "data_dir", "cache_dir"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        for name, f in known.items():
            if name in values and isinstance(values[name], str):
                kind = str(f.type).replace(" | None", "")
                if kind in ("float", "int", "bool"):
                    values[name] = _parse_scalar(name, kind, values[name])
        values["base_url"] = str(values.get("base_url", DEFAULT_BASE_URL)).rstrip("/")
        settings = cls(**values)
        key = lookup_api_key(settings.base_url, env_key=settings.api_key, data_dir=settings.data_dir)
        resolved = dataclasses.replace(settings, api_key=key)
        object.__setattr__(resolved, "_fields_set", settings.fields_set)
        return resolved

    @property
    def root(self) -> Path:
        return self.dir / "wanllmdb"


def explicit_fields(settings: Settings | dict[str, Any] | None) -> dict[str, Any]:
    """The fields a caller set: all keys of a dict, ``fields_set`` of a Settings object."""
    if isinstance(settings, Settings):
        return {f: getattr(settings, f) for f in settings.fields_set}
    return dict(settings or {})


def _parse_scalar(name: str, kind: str, raw: str) -> Any:
    if kind == "bool":
        word = raw.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off", ""):
            return False
        raise UsageError(f"settings {name}={raw!r}: expected true or false")
    try:
        return float(raw) if kind == "float" else int(raw)
    except ValueError as exc:
        raise UsageError(f"settings {name}={raw!r}: expected a {kind}") from exc
