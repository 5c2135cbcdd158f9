"""One OpenID Connect issuer, spoken to over HTTP: discovery, its signing keys, the token endpoint.

Discovery (`{issuer}/.well-known/openid-configuration`) and the JWKS are fetched on first use and
kept for `cache_s`; an ID token signed by a key id the cached set lacks fetches the set once more, so
a key rotation at the issuer needs no restart. ID tokens are checked with joserfc: the signature
against the JWKS (asymmetric algorithms only, never `none` or a shared secret), then `iss`, `aud`
(and `azp`), `exp`, `iat` and the login's `nonce`, each refused with a message naming the claim.

Every endpoint URL the discovery document names is parsed, and must be https (http only to a
loopback host, for a local test issuer), so a tampered document cannot point us at plain http.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from ..core.errors import Unauthenticated, UpstreamFailed
from ..core.values import now_epoch

__all__ = ["ID_TOKEN_ALGORITHMS", "Discovery", "OidcIssuer"]

# Asymmetric only: an HS256 token would be checked with the client secret, which more than the
# issuer holds; `none` is no signature at all.
ID_TOKEN_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
# Clock skew tolerated between us and the issuer.
LEEWAY_S = 60
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Discovery:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def _endpoint(document: dict[str, Any], name: str) -> str:
    url = document.get(name)
    if not isinstance(url, str):
        raise UpstreamFailed(f"the issuer's discovery document has no {name}")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    secure = parts.scheme == "https" or (parts.scheme == "http" and _loopback(host))
    if not host or not secure:
        raise UpstreamFailed(f"the issuer's {name} {url!r} is not an https URL")
    return url


def _loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OidcIssuer:
    def __init__(self, issuer: str, *, http: httpx.Client | None = None, cache_s: float = 3600.0) -> None:
        self.issuer = issuer
        self._http = http or httpx.Client(timeout=TIMEOUT_S, follow_redirects=False)
        self._cache_s = cache_s
        self._lock = threading.Lock()
        self._discovery: tuple[float, Discovery] | None = None
        self._keys: tuple[float, KeySet] | None = None

    # -- discovery and keys ------------------------------------------------------------------
    def discovery(self) -> Discovery:
        cached = self._discovery
        if cached is not None and time.monotonic() - cached[0] < self._cache_s:
            return cached[1]
        url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
        document = self._get_json(url, "discovery document")
        # OpenID Connect Discovery 1.0 §4.3: the document must name exactly the issuer we asked.
        if document.get("issuer") != self.issuer:
            raise UpstreamFailed(
                f"the discovery document names issuer {document.get('issuer')!r}, not {self.issuer!r}"
            )
        found = Discovery(
            issuer=self.issuer,
            authorization_endpoint=_endpoint(document, "authorization_endpoint"),
            token_endpoint=_endpoint(document, "token_endpoint"),
            jwks_uri=_endpoint(document, "jwks_uri"),
        )
        with self._lock:
            self._discovery = (time.monotonic(), found)
        return found

    def keys(self, *, refresh: bool = False) -> KeySet:
        cached = self._keys
        if not refresh and cached is not None and time.monotonic() - cached[0] < self._cache_s:
            return cached[1]
        document = self._get_json(self.discovery().jwks_uri, "JWKS")
        try:
            keyset = KeySet.import_key_set(document)  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise UpstreamFailed(f"the issuer's JWKS could not be read: {exc}") from None
        with self._lock:
            self._keys = (time.monotonic(), keyset)
        return keyset

    # -- the token endpoint ------------------------------------------------------------------
    def exchange_code(
        self, code: str, *, verifier: str, redirect_uri: str, client_id: str, client_secret: str | None
    ) -> str:
        """The ID token for an authorization code (RFC 6749 §4.1.3 with RFC 7636's code_verifier)."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
            "client_id": client_id,
        }
        # client_secret_basic for a confidential client; a public client (Cognito's) sends only its id.
        auth = httpx.BasicAuth(client_id, client_secret) if client_secret else httpx.USE_CLIENT_DEFAULT
        try:
            response = self._http.post(self.discovery().token_endpoint, data=form, auth=auth)
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
            raise UpstreamFailed(f"the issuer's token endpoint did not answer: {failure}") from None
        body = _json_or_none(response)
        if response.status_code == 400 or response.status_code == 401:
            # invalid_grant: a wrong, reused or expired code, or a code_verifier that does not match
            # the challenge sent with it (RFC 7636 §4.6). The issuer's words, never the code itself.
            error = str((body or {}).get("error", "invalid_request"))[:64]
            detail = str((body or {}).get("error_description", ""))[:200]
            raise Unauthenticated(
                f"the issuer refused the authorization code ({error}{': ' + detail if detail else ''})",
                field="code",
            )
        if response.status_code != 200 or body is None:
            raise UpstreamFailed(f"the issuer's token endpoint answered {response.status_code}")
        id_token = body.get("id_token")
        if not isinstance(id_token, str):
            raise UpstreamFailed("the issuer's token response carries no id_token (is 'openid' a scope?)")
        return id_token

    # -- ID tokens ---------------------------------------------------------------------------
    def verify_id_token(self, id_token: str, *, client_id: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims once its signature, issuer, audience, lifetime and nonce check out."""
        try:
            token = self._decode(id_token, self.keys())
        except InvalidKeyIdError:
            # The issuer may have rotated its keys since we cached them: fetch them once more.
            try:
                token = self._decode(id_token, self.keys(refresh=True))
            except InvalidKeyIdError:
                raise Unauthenticated(
                    "the ID token is signed with a key the issuer does not publish", field="id_token"
                ) from None
        claims = dict(token.claims)
        self._check_claims(claims, client_id=client_id, nonce=nonce)
        return claims

    @staticmethod
    def _decode(id_token: str, keyset: KeySet) -> jwt.Token:
        try:
            return jwt.decode(id_token, keyset, algorithms=list(ID_TOKEN_ALGORITHMS))
        except InvalidKeyIdError:
            raise
        except BadSignatureError:
            raise Unauthenticated(
                "the ID token's signature does not verify against the issuer's keys", field="id_token"
            ) from None
        except (JoseError, ValueError) as exc:
            raise Unauthenticated(f"the ID token is malformed ({exc})", field="id_token") from None

    def _check_claims(self, claims: dict[str, Any], *, client_id: str, nonce: str) -> None:
        def refuse(message: str) -> Unauthenticated:
            return Unauthenticated(message, field="id_token")

        if claims.get("iss") != self.issuer:
            raise refuse(f"the ID token's issuer {claims.get('iss')!r} is not {self.issuer!r}")
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else audience
        if not isinstance(audiences, list) or client_id not in audiences:
            raise refuse(f"the ID token's audience {audience!r} does not include this client ({client_id})")
        if len(audiences) > 1 and claims.get("azp") != client_id:
            raise refuse("the ID token has several audiences and its azp is not this client")
        now = now_epoch()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or not isinstance(iat, int | float):
            raise refuse("the ID token lacks exp or iat")
        if exp + LEEWAY_S <= now:
            raise refuse(f"the ID token expired {int(now - exp)} s ago")
        if iat - LEEWAY_S > now:
            raise refuse("the ID token was issued in the future: check the clocks")
        presented = claims.get("nonce")
        if not isinstance(presented, str) or not hmac.compare_digest(presented, nonce):
            raise refuse("the ID token's nonce does not match this login")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise refuse("the ID token has no subject (sub)")

    # -- HTTP --------------------------------------------------------------------------------
    def _get_json(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = self._http.get(url)
        except httpx.HTTPError as exc:
            failure = type(exc).__name__
            raise UpstreamFailed(f"the issuer's {what} at {url} did not answer: {failure}") from None
        body = _json_or_none(response)
        if response.status_code != 200 or body is None:
            raise UpstreamFailed(f"the issuer's {what} at {url} answered {response.status_code}")
        return body


def _json_or_none(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
