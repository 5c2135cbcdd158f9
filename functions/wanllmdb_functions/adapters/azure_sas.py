"""Azure Blob service SAS tokens (HMAC-SHA256 with the account key).

Written out so the response overrides (rscd, rsct) and the permissions are ours to choose, and so one
routine serves both the URLs handed to clients and the adapter's own block-list calls.
See https://learn.microsoft.com/rest/api/storageservices/create-service-sas.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

__all__ = ["SAS_VERSION", "account_sas", "blob_sas", "sas_string_to_sign"]

SAS_VERSION = "2021-08-06"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sas_string_to_sign(
    *,
    permissions: str,
    start: str,
    expiry: str,
    resource: str,
    signed_resource: str,
    content_disposition: str = "",
    content_type: str = "",
) -> str:
    # Fields in the order the service rebuilds them for version 2020-12-06 and later:
    # sp, st, se, canonicalized resource, si, sip, spr, sv, sr, snapshot, ses, rscc, rscd, rsce, rscl, rsct.
    return "\n".join(
        [
            permissions, start, expiry, resource, "", "", "https,http", SAS_VERSION, signed_resource,
            "", "", "", content_disposition, "", "", content_type,
        ]
    )  # fmt: skip


def blob_sas(
    account: str,
    account_key: str,
    container: str,
    blob: str | None,
    *,
    permissions: str,
    expires_s: int,
    content_disposition: str = "",
    content_type: str = "",
    now: datetime | None = None,
) -> tuple[str, datetime]:
    """A SAS query string for one blob (or, with `blob=None`, the container) and its expiry.

    The start is backdated a minute: a server whose clock runs behind still accepts it."""
    now = now or datetime.now(tz=UTC)
    start, expiry = now - timedelta(minutes=1), now + timedelta(seconds=expires_s)
    resource = f"/blob/{account}/{container}" + (f"/{blob}" if blob is not None else "")
    signed_resource = "b" if blob is not None else "c"
    to_sign = sas_string_to_sign(
        permissions=permissions,
        start=_iso(start),
        expiry=_iso(expiry),
        resource=resource,
        signed_resource=signed_resource,
        content_disposition=content_disposition,
        content_type=content_type,
    )
    digest = hmac.new(base64.b64decode(account_key), to_sign.encode(), hashlib.sha256).digest()
    params = {
        "sv": SAS_VERSION,
        "spr": "https,http",
        "st": _iso(start),
        "se": _iso(expiry),
        "sr": signed_resource,
        "sp": permissions,
    }
    if content_disposition:
        params["rscd"] = content_disposition
    if content_type:
        params["rsct"] = content_type
    params["sig"] = base64.b64encode(digest).decode()
    return urlencode(params), expiry


def account_sas(
    account: str, account_key: str, *, permissions: str, resource_types: str, expires_s: int
) -> str:
    """An account SAS for the blob service (used to create a container, which a service SAS cannot)."""
    now = datetime.now(tz=UTC)
    start, expiry = _iso(now - timedelta(minutes=1)), _iso(now + timedelta(seconds=expires_s))
    to_sign = "\n".join(
        [account, permissions, "b", resource_types, start, expiry, "", "https,http", SAS_VERSION, "", ""]
    )
    digest = hmac.new(base64.b64decode(account_key), to_sign.encode(), hashlib.sha256).digest()
    params = {"sv": SAS_VERSION, "ss": "b", "srt": resource_types, "sp": permissions, "st": start,
              "se": expiry, "spr": "https,http", "sig": base64.b64encode(digest).decode()}  # fmt: skip
    return urlencode(params)
