"""The one typed settings object, read from `WANLLMDB_*` environment variables once per process."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "SettingsError", "load_settings"]

ENV_PREFIX = "WANLLMDB_"


class SettingsError(ValueError):
    """Start-up configuration is invalid; the message names the variable and the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    backend: Literal["local", "aws"] = "local"
    # local backend
    data_dir: Path = Field(default_factory=lambda: Path.home() / ".wanllmdb")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    # The base URL clients use to reach this server; local presigned URLs point here.
    public_url: str | None = None
    web_dist: Path | None = None
    # aws backend
    table: str | None = None
    bucket: str | None = None
    region: str = "us-east-1"
    dynamodb_endpoint_url: str | None = None
    s3_endpoint_url: str | None = None
    compaction_queue_url: str | None = None
    sqs_endpoint_url: str | None = None
    # Webhook and email deliveries are queued here for the delivery function (infra_cdk NotifyQueue).
    notification_queue_url: str | None = None
    # The SES sender of notification emails (a verified identity); without it the aws backend sends none.
    email_from: str | None = None
    ses_endpoint_url: str | None = None
    # behaviour
    grant_ttl_s: int = Field(default=900, ge=30, le=3600)
    heartbeat_timeout_s: int = Field(default=300, ge=10)
    reaper_interval_s: int = Field(default=60, ge=1)
    session_ttl_s: int = Field(default=12 * 3600, ge=60)
    # runs: a config is never truncated; past the inline bound it lives in the BlobStore.
    config_max_bytes: int = Field(default=10 << 20, ge=1 << 10)
    config_inline_max_bytes: int = Field(default=64 << 10, ge=1 << 10, le=100 << 10)
    summary_max_bytes: int = Field(default=100 << 10, ge=1 << 10, le=150 << 10)
    # upload grants: one lake chunk (history/system/logs), and one file or media object.
    upload_chunk_max_bytes: int = Field(default=256 << 20, ge=1 << 10)
    upload_file_max_bytes: int = Field(default=5 << 30, ge=1 << 10, le=5 << 30)
    # Self-service sign-up on /api/auth/register without an invitation. Closed unless set: new
    # accounts come from invitations (POST /api/invitations, `wanllmdb admin invite`) or the admin CLI.
    open_signup: bool = False
    audit_retention_days: int = Field(default=365, ge=1, le=3650)
    # Webhooks to private, loopback or link-local addresses (SSRF) are refused unless this is set.
    webhook_allow_private: bool = False
    # query: decoded lake objects kept per process; SQL time bound; compaction of long runs.
    query_cache_mb: int = Field(default=256, ge=0, le=8192)
    sql_timeout_s: float = Field(default=20.0, gt=0, le=600)
    compaction_every_chunks: int = Field(default=64, ge=2, le=100_000)

    @model_validator(mode="after")
    def _aws_needs_table_and_bucket(self) -> Settings:
        if self.backend == "aws":
            missing = [name for name in ("table", "bucket") if not getattr(self, name)]
            if missing:
                names = ", ".join(f"{ENV_PREFIX}{m.upper()}" for m in missing)
                raise ValueError(f"the aws backend needs {names}")
        return self

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"


def _describe(error: dict[str, object]) -> str:
    loc = error.get("loc") or ()
    field = str(loc[0]) if isinstance(loc, tuple) and loc else ""
    variable = f"{ENV_PREFIX}{field.upper()}" if field else "WANLLMDB_* settings"
    ctx = error.get("ctx")
    allowed = ctx.get("expected") if isinstance(ctx, dict) else None
    given = error.get("input")
    if allowed:
        return f"{variable}={given!r} is not valid: allowed values are {allowed}"
    message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
    return message if not field else f"{variable}: {message}"


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; explicit overrides (CLI flags) win."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError("; ".join(_describe(dict(e)) for e in exc.errors())) from None
