"""Google Cloud Storage V4 signed URLs (GOOG4-RSA-SHA256), computed with a service account's key.

Written out rather than taken from a client library so that the signed headers (Content-Type and
Content-Length bind one PUT to one object of one size) and the response-content-* overrides are ours
to choose; obstore's `sign` signs a bare method and path only.
See https://cloud.google.com/storage/docs/access-control/signing-urls-manually.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

__all__ = ["MAX_EXPIRES_S", "GcsSigner", "canonical_request", "string_to_sign"]

MAX_EXPIRES_S = 7 * 24 * 3600  # GCS refuses a V4 URL valid for longer than 7 days
ALGORITHM = "GOOG4-RSA-SHA256"


def _q(value: str, safe: str = "-_.~") -> str:
    return quote(value, safe=safe)


def canonical_request(
    method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str]
) -> tuple[str, str]:
    """The canonical request and its signed-headers list; header names are lower-cased and sorted."""
    lowered = {k.lower(): " ".join(v.strip().split()) for k, v in headers.items()}
    names = sorted(lowered)
    canonical_headers = "".join(f"{n}:{lowered[n]}\n" for n in names)
    canonical_query = "&".join(f"{_q(k)}={_q(v)}" for k, v in sorted(query.items()))
    signed = ";".join(names)
    return "\n".join([method, path, canonical_query, canonical_headers, signed, "UNSIGNED-PAYLOAD"]), signed


def string_to_sign(request: str, timestamp: str, scope: str) -> str:
    return "\n".join([ALGORITHM, timestamp, scope, hashlib.sha256(request.encode()).hexdigest()])


@dataclass(frozen=True)
class GcsSigner:
    client_email: str
    private_key_pem: str
    # scheme://host[:port] the URLs point at: storage.googleapis.com, or an emulator in tests.
    endpoint: str = "https://storage.googleapis.com"

    def _key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("the service account's private_key is not an RSA key")
        return key

    def sign(
        self,
        method: str,
        bucket: str,
        key: str,
        *,
        expires_s: int,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
        now: datetime | None = None,
    ) -> tuple[str, datetime]:
        """A path-style URL for `method` on bucket/key, valid `expires_s` from `now`; and its expiry."""
        if not 1 <= expires_s <= MAX_EXPIRES_S:
            raise ValueError(f"a V4 signed URL lasts 1..{MAX_EXPIRES_S} s, not {expires_s}")
        now = (now or datetime.now(tz=UTC)).astimezone(UTC)
        timestamp = now.strftime("%Y%m%dT%H%M%SZ")
        scope = f"{now:%Y%m%d}/auto/storage/goog4_request"
        host = self.endpoint.split("://", 1)[1].rstrip("/")
        all_headers = {"host": host, **(headers or {})}
        path = f"/{bucket}/{_q(key, safe='/-_.~')}"
        params = dict(query or {})
        signed_names = ";".join(sorted(h.lower() for h in all_headers))
        params.update(
            {
                "X-Goog-Algorithm": ALGORITHM,
                "X-Goog-Credential": f"{self.client_email}/{scope}",
                "X-Goog-Date": timestamp,
                "X-Goog-Expires": str(expires_s),
                "X-Goog-SignedHeaders": signed_names,
            }
        )
        request, _ = canonical_request(method, path, params, all_headers)
        signature = self._key().sign(
            string_to_sign(request, timestamp, scope).encode(), padding.PKCS1v15(), hashes.SHA256()
        )
        query_string = "&".join(f"{_q(k)}={_q(v)}" for k, v in sorted(params.items()))
        url = f"{self.endpoint.rstrip('/')}{path}?{query_string}&X-Goog-Signature={signature.hex()}"
        return url, now + timedelta(seconds=expires_s)
