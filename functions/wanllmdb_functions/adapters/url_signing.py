"""HMAC-SHA256 signatures for the embedded server's presigned URLs.

The secret is created on first start in the data dir with mode 0600 and never leaves it.
A URL signs: method, resource (key, plus upload id and part for multipart), expiry,
length bound and optional sha256. Changing any of them invalidates the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

from ..core.errors import Forbidden
from ..core.values import now_epoch

__all__ = ["SignedGrant", "UrlSigner", "load_or_create_secret"]

SECRET_FILE = "blob-signing-secret"  # noqa: S105 - a file name, not a secret


def load_or_create_secret(data_dir: Path) -> bytes:
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text().strip())
    secret = secrets.token_bytes(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret.hex())
        fh.flush()
        os.fsync(fh.fileno())
    return secret


@dataclass(frozen=True)
class SignedGrant:
    method: str
    resource: str
    expires: int
    max_length: int
    sha256: str = ""

    def message(self) -> bytes:
        return "\n".join(
            [self.method, self.resource, str(self.expires), str(self.max_length), self.sha256]
        ).encode()


class UrlSigner:
    def __init__(self, secret: bytes, base_url: str) -> None:
        self._secret = secret
        self._base_url = base_url.rstrip("/")

    def _signature(self, grant: SignedGrant) -> str:
        return hmac.new(self._secret, grant.message(), hashlib.sha256).hexdigest()

    def url(self, key: str, grant: SignedGrant, extra: dict[str, str] | None = None) -> str:
        query = {
            **(extra or {}),
            "X-Wl-Method": grant.method,
            "X-Wl-Expires": str(grant.expires),
            "X-Wl-Max-Length": str(grant.max_length),
        }
        if grant.sha256:
            query["X-Wl-Sha256"] = grant.sha256
        query["X-Wl-Signature"] = self._signature(grant)
        return f"{self._base_url}/api/blobs/{quote(key)}?{urlencode(query)}"

    def verify(self, grant: SignedGrant, signature: str, *, now: float | None = None) -> None:
        """Raise Forbidden unless `signature` was made by this signer for exactly this grant."""
        if not hmac.compare_digest(self._signature(grant), signature):
            raise Forbidden(
                "signature does not match this request; ask for a new grant", field="X-Wl-Signature"
            )
        if (now if now is not None else now_epoch()) > grant.expires:
            raise Forbidden("presigned URL has expired; ask for a new grant", field="X-Wl-Expires")
