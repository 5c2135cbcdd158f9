"""Typed tenant settings, read once from CDK context (`cdk deploy -c tenant=acme -c destroy_data=true`).

Every knob has a safe default except `tenant`. Context values arrive as strings from the command line and
as JSON values from cdk.json, so each parser accepts both and names the key and the fix when it refuses one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

__all__ = ["ConfigError", "TenantConfig"]

T = TypeVar("T")

# Becomes part of the stack name, resource names and tags; bucket names derived from it must stay
# under S3's 63-character limit, so keep it short and DNS-safe.
_TENANT_RE = re.compile(r"^[a-z][a-z0-9-]{0,22}[a-z0-9]$")

# CloudWatch Logs accepts only these retention periods.
_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557)

# Athena refuses a per-query cutoff under 10 MB.
_ATHENA_MIN_BYTES = 10_000_000


class ConfigError(ValueError):
    """A context value is missing or malformed; the message names the key and how to fix it."""


_EMAIL_RE = re.compile(r"^[^@\s]+@[a-z0-9.-]+\.[a-z]{2,}$", re.IGNORECASE)


@dataclass(frozen=True)
class TenantConfig:
    tenant: str
    # False = synth-check mode: Lambda assets are the bare source tree and the template refuses to deploy.
    bundle: bool = True
    # RETAIN the lake bucket and the table unless the operator explicitly opts into deleting data.
    destroy_data: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    log_retention_days: int = 30
    alarm_email: str | None = None
    athena_bytes_scanned_limit: int = 10 * 1024**3
    api_rate_limit: int = 200
    api_burst_limit: int = 400
    compacted_chunk_expiry_days: int = 7
    # The verified SES identity notification emails come from (`-c email_from=ml@example.com`); without
    # it the stack sends no email and the API says so when asked to.
    email_from: str | None = None
    # Web sign-in beside passwords (docs/auth.md): "cognito", a user pool this stack makes (the
    # default); "oidc", another issuer (`-c oidc_issuer=https://… -c oidc_client_id=…`, a public
    # client with PKCE); or "password" only.
    login: str = "cognito"
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_allowed_email_domains: tuple[str, ...] = ()
    # Hybrid (docs/deploy-aws.md): the lake in a bucket the team already owns (`-c lake_bucket=name`),
    # which the stack neither creates nor configures, and/or SSE-KMS with the team's key
    # (`-c kms_key=arn:aws:kms:…:key/…`) instead of SSE-S3. Unset, the stack makes its own SSE-S3 bucket.
    lake_bucket: str | None = None
    kms_key: str | None = None

    @property
    def stack_name(self) -> str:
        return f"wanllmdb-{self.tenant}"

    @classmethod
    def from_context(cls, get: Callable[[str], Any]) -> TenantConfig:
        """Build the config from a context getter such as `app.node.try_get_context`."""
        tenant = get("tenant")
        if tenant is None or str(tenant) == "":
            raise ConfigError("tenant: missing; pass the tenant name, e.g. `cdk deploy -c tenant=acme`")
        tenant = str(tenant)
        if not _TENANT_RE.match(tenant):
            raise ConfigError(
                f"tenant: {tenant!r} is not a valid tenant name; use 2-24 characters of a-z, 0-9 and '-', "
                "starting with a letter and not ending with '-'"
            )
        defaults = cls(tenant=tenant)
        retention = _parse(get, "log_retention_days", _int, defaults.log_retention_days)
        if retention not in _RETENTION_DAYS:
            raise ConfigError(
                f"log_retention_days: {retention} is not a CloudWatch retention period; use one of "
                f"{', '.join(map(str, _RETENTION_DAYS))}"
            )
        athena_limit = _parse(get, "athena_bytes_scanned_limit", _int, defaults.athena_bytes_scanned_limit)
        if athena_limit < _ATHENA_MIN_BYTES:
            raise ConfigError(
                f"athena_bytes_scanned_limit: at least {_ATHENA_MIN_BYTES} bytes (Athena's minimum)"
            )
        rate = _parse(get, "api_rate_limit", _positive_int, defaults.api_rate_limit)
        burst = _parse(get, "api_burst_limit", _positive_int, defaults.api_burst_limit)
        alarm_email = get("alarm_email")
        if alarm_email is not None and "@" not in str(alarm_email):
            raise ConfigError(f"alarm_email: {alarm_email!r} is not an e-mail address")
        email_from = get("email_from")
        if email_from is not None and not _EMAIL_RE.match(str(email_from)):
            raise ConfigError(
                f"email_from: {email_from!r} is not an e-mail address; give the SES-verified sender, "
                "e.g. ml-alerts@example.com"
            )
        login, issuer, client_id = _login(get)
        return cls(
            tenant=tenant,
            bundle=_parse(get, "bundle", _bool, defaults.bundle),
            destroy_data=_parse(get, "destroy_data", _bool, defaults.destroy_data),
            cors_origins=_parse(get, "cors_origins", _origins, defaults.cors_origins),
            log_retention_days=retention,
            alarm_email=str(alarm_email) if alarm_email is not None else None,
            athena_bytes_scanned_limit=athena_limit,
            api_rate_limit=rate,
            api_burst_limit=burst,
            compacted_chunk_expiry_days=_parse(
                get, "compacted_chunk_expiry_days", _positive_int, defaults.compacted_chunk_expiry_days
            ),
            email_from=str(email_from) if email_from is not None else None,
            login=login,
            oidc_issuer=issuer,
            oidc_client_id=client_id,
            oidc_allowed_email_domains=_parse(get, "oidc_allowed_email_domains", _domains, ()),
            lake_bucket=_parse(get, "lake_bucket", _bucket_name, None),
            kms_key=_parse(get, "kms_key", _kms_key_arn, None),
        )


_LOGINS = ("cognito", "oidc", "password")


def _login(get: Callable[[str], Any]) -> tuple[str, str | None, str | None]:
    """The sign-in choice with its issuer and client id; an issuer given alone implies `oidc`."""
    issuer, client_id = get("oidc_issuer"), get("oidc_client_id")
    login = str(get("login") or ("oidc" if issuer is not None else "cognito")).strip().lower()
    if login not in _LOGINS:
        raise ConfigError(f"login: {login!r} is not one of {', '.join(_LOGINS)}")
    if login != "oidc":
        if issuer is not None or client_id is not None:
            raise ConfigError(
                f"oidc_issuer / oidc_client_id: given, but login is {login!r}; use -c login=oidc"
            )
        return login, None, None
    if issuer is None or client_id is None or not str(client_id).strip():
        raise ConfigError("login=oidc needs both -c oidc_issuer=https://… and -c oidc_client_id=…")
    try:
        parts = urlsplit(str(issuer))
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme != "https" or not host or parts.username is not None:
        raise ConfigError(f"oidc_issuer: {issuer!r} is not an https:// issuer URL")
    return login, str(issuer), str(client_id).strip()


# S3's general purpose bucket naming rules (no dots: virtual-hosted HTTPS, which presigned URLs use,
# fails on a dotted name's certificate).
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
# A key ARN, not an alias: IAM policies and grants match a key by its ARN.
_KMS_KEY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")


def _bucket_name(raw: Any) -> str:
    name = str(raw).strip()
    if name.startswith("s3://") or "arn:" in name:
        raise ValueError(f"{name!r}: give the bare bucket name, e.g. acme-ml-lake")
    if not _BUCKET_RE.match(name):
        raise ValueError(
            f"{name!r} is not an S3 bucket name usable for the lake; use 3-63 characters of a-z, 0-9 "
            "and '-', starting and ending with a letter or digit (no dots)"
        )
    return name


def _kms_key_arn(raw: Any) -> str:
    arn = str(raw).strip()
    if not _KMS_KEY_ARN_RE.match(arn):
        raise ValueError(
            f"{arn!r} is not a KMS key ARN; give the key's ARN (not an alias or key id), e.g. "
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
    return arn


def _domains(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else str(raw).split(",")
    domains = tuple(str(item).strip().lower().lstrip("@") for item in items if str(item).strip())
    for domain in domains:
        if "." not in domain or any(c.isspace() or c in "/@:" for c in domain):
            raise ValueError(f"{domain!r} is not an e-mail domain such as acme.com")
    return domains


def _parse(get: Callable[[str], Any], key: str, parse: Callable[[Any], T], default: T) -> T:
    raw = get(key)
    if raw is None:
        return default
    try:
        return parse(raw)
    except ValueError as exc:
        raise ConfigError(f"{key}: {exc}") from None


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError(f"{raw!r} is not a boolean; use true or false")


def _int(raw: Any) -> int:
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not an integer")
    try:
        return int(str(raw).strip())
    except ValueError:
        raise ValueError(f"{raw!r} is not an integer") from None


def _positive_int(raw: Any) -> int:
    value = _int(raw)
    if value <= 0:
        raise ValueError(f"{value} must be a positive integer")
    return value


def _origins(raw: Any) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else str(raw).split(",")
    origins = tuple(str(item).strip() for item in items if str(item).strip())
    if not origins:
        raise ValueError("give at least one origin, e.g. https://ml.example.com, or * for any")
    for origin in origins:
        if origin != "*" and not re.match(r"^https?://[^/\s]+$", origin):
            raise ValueError(f"{origin!r} is not an origin; use scheme://host[:port] without a path, or *")
    return origins
