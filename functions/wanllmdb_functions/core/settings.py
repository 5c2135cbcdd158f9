"""The one typed settings object, read from `WANLLMDB_*` environment variables once per process."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # Where blobs live, whatever the backend: file:///path, s3://bucket[?endpoint=http://minio:9000],
    # gs://bucket/prefix, az://container/prefix, or a scheme a `wanllmdb.blob_stores` plug-in registers
    # (docs/storage-backends.md). Unset: the local lake folder, or the aws backend's bucket.
    blob_url: str | None = None
    # Self-hosted cluster: server replicas share one PostgreSQL item store,
    # postgresql://user:password@host:5432/database (needs the 'postgres' extra). Unset, the local
    # backend keeps items in SQLite in the data dir.
    item_store_url: SecretStr | None = None
    # The local blob endpoint's URL-signing key, hex of at least 32 bytes (`openssl rand -hex 32`):
    # replicas sharing a file:// lake set the same one, so a URL one signs is accepted by another.
    # Unset, each server keeps its own in the data dir.
    blob_signing_secret: SecretStr | None = None
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
    # The callback URL of the reports' WebSocket API stage (https://{api}.execute-api.{region}.
    # amazonaws.com/{stage}, set by the CDK stack): collaboration updates are posted to its open
    # connections. Unset (the local server), the in-process hub alone tells the sockets.
    collab_callback_url: str | None = None
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
    # deletes: a deleted run, project or team stays hidden and restorable this long, then is purged.
    delete_grace_s: int = Field(default=7 * 86400, ge=0, le=365 * 86400)
    # OIDC login (authorization code + PKCE) beside password login; off unless an issuer is set.
    # On AWS the CDK stack sets these for its Cognito user pool; docs/auth.md shows other issuers.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None  # confidential clients only; Cognito's has none
    oidc_scopes: Annotated[tuple[str, ...], NoDecode] = ("openid", "email", "profile")
    # Comma-separated; empty lets every account the issuer vouches for sign in.
    oidc_allowed_email_domains: Annotated[tuple[str, ...], NoDecode] = ()
    # The ID-token claim a new user's name is made from (falling back to the e-mail's local part).
    oidc_username_claim: str = "preferred_username"
    # Where the issuer sends the browser back; defaults to {public_url}/api/auth/oidc/callback.
    oidc_redirect_url: str | None = None
    oidc_display_name: str = "SSO"

    @field_validator("oidc_scopes", "oidc_allowed_email_domains", mode="before")
    @classmethod
    def _word_list(cls, value: object) -> object:
        """`a,b`, `a b` or a JSON-less list from the environment; scopes keep their case (RFC 6749)."""
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return value

    @field_validator("oidc_allowed_email_domains", mode="after")
    @classmethod
    def _lower_domains(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(domain.lower().lstrip("@") for domain in value)

    @model_validator(mode="after")
    def _oidc_is_complete(self) -> Settings:
        if self.oidc_issuer is None:
            return self
        if not self.oidc_client_id:
            raise ValueError(f"{ENV_PREFIX}OIDC_ISSUER is set, so {ENV_PREFIX}OIDC_CLIENT_ID is needed too")
        for name in ("oidc_issuer", "oidc_redirect_url"):
            url = getattr(self, name)
            if url is not None and not _is_trusted_url(url):
                raise ValueError(
                    f"{ENV_PREFIX}{name.upper()}={url!r} must be an https:// URL "
                    "(http:// only to a loopback host)"
                )
        if "openid" not in self.oidc_scopes:
            raise ValueError(f"{ENV_PREFIX}OIDC_SCOPES must include 'openid'")
        return self

    @field_validator("item_store_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and urlsplit(value.get_secret_value()).scheme not in ("postgresql", "postgres"):
            raise ValueError("must be a postgresql://user:password@host:5432/database URL")
        return value

    @field_validator("blob_signing_secret")
    @classmethod
    def _hex_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        try:
            secret = bytes.fromhex(value.get_secret_value())
        except ValueError:
            secret = b""
        if len(secret) < 32:
            raise ValueError("must be 32 or more random bytes in hex: `openssl rand -hex 32`")
        return value

    @model_validator(mode="after")
    def _item_store_url_is_local(self) -> Settings:
        if self.backend == "aws" and self.item_store_url is not None:
            raise ValueError(
                f"{ENV_PREFIX}ITEM_STORE_URL is for the local backend; the aws backend keeps items in "
                f"DynamoDB ({ENV_PREFIX}TABLE): unset one of them"
            )
        return self

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

    @property
    def oidc_callback_url(self) -> str:
        return self.oidc_redirect_url or f"{self.base_url}/api/auth/oidc/callback"


def _is_trusted_url(url: str) -> bool:
    """https with a host, or http to a loopback host (a local test issuer)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if not host or parts.username is not None or parts.password is not None:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
