"""A small OpenID Connect provider for tests, on a real HTTP port on 127.0.0.1.

It serves discovery, a JWKS, `/authorize` (which signs in `provider.user` at once, with no page) and
`/token`, and enforces what a real issuer does: a registered redirect URI, PKCE with S256 (a token
request whose code_verifier does not hash to the challenge is `invalid_grant`), single-use codes, and
client_secret_basic when the client has a secret. ID tokens are RS256, signed with a test key.

Knobs for negative tests: `claims_override` (merged into the next ID tokens), `sign_with` (another
key, same kid), `tamper` (flip the signature), and `rotate_key()`.

Run as a script (the browser test web/tests/e2e/sso.e2e.ts does), it prints `{"url": …}` and serves
until killed; `POST /register {"redirect_uri": …}` then registers the server's callback.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

__all__ = ["TestIssuer", "test_issuer"]


def _rsa(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    nonce: str | None
    scope: str


@dataclass
class TestIssuer:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    url: str = ""
    client_id: str = "wanllmdb-test"
    client_secret: str | None = None
    redirect_uris: set[str] = field(default_factory=set)
    user: dict[str, Any] = field(default_factory=lambda: {"sub": "sub-1", "email": "ada@example.com"})
    claims_override: dict[str, Any] = field(default_factory=dict)
    sign_with: RSAKey | None = None
    tamper: bool = False
    key: RSAKey = field(default_factory=lambda: _rsa("k1"))
    grants: dict[str, _Grant] = field(default_factory=dict)
    issued_tokens: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def reset(self) -> None:
        self.claims_override, self.sign_with, self.tamper = {}, None, False
        self.user = {"sub": "sub-1", "email": "ada@example.com"}

    def rotate_key(self) -> None:
        self.key = _rsa(f"k{secrets.token_hex(3)}")

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, **self.user}
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(self.claims_override)
        signer = self.sign_with or self.key
        token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, signer)
        if self.tamper:
            head, body, signature = token.split(".")
            flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
            token = f"{head}.{body}.{flipped}"
        self.issued_tokens.append(token)
        return token

    # -- endpoints -----------------------------------------------------------------------------
    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id or redirect_uri not in self.redirect_uris:
            return (
                400,
                {},
                {"error": "invalid_request", "error_description": "unknown client or redirect_uri"},
            )
        if query.get("response_type") != "code" or query.get("code_challenge_method") != "S256":
            return 400, {}, {"error": "invalid_request", "error_description": "code + S256 PKCE required"}
        if not query.get("code_challenge") or "openid" not in query.get("scope", "").split():
            return 400, {}, {"error": "invalid_request", "error_description": "code_challenge and openid"}
        code = secrets.token_urlsafe(24)
        self.codes.append(code)
        self.grants[code] = _Grant(
            self.client_id, redirect_uri, query["code_challenge"], query.get("nonce"), query["scope"]
        )
        location = f"{redirect_uri}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        return 302, {"Location": location}, {}

    def token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        if self.client_secret is not None:
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
            if authorization != f"Basic {expected}":
                return 401, {"error": "invalid_client"}
        grant = self.grants.pop(form.get("code", ""), None)
        if form.get("grant_type") != "authorization_code" or grant is None:
            return 400, {"error": "invalid_grant", "error_description": "unknown or used code"}
        if form.get("redirect_uri") != grant.redirect_uri or form.get("client_id") != grant.client_id:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri or client_id differs"}
        verifier = form.get("code_verifier")
        if not verifier:
            return 400, {"error": "invalid_grant", "error_description": "code_verifier is missing"}
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if digest != grant.challenge:
            return 400, {"error": "invalid_grant", "error_description": "code_verifier does not match"}
        return 200, {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant.nonce),
        }


def _handler(issuer: TestIssuer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/.well-known/openid-configuration":
                self._send(200, issuer.discovery())
            elif parts.path == "/jwks":
                self._send(200, {"keys": [issuer.key.as_dict(private=False)]})
            elif parts.path == "/authorize":
                status, headers, body = issuer.authorize(query)
                self._send(status, body, headers)
            else:
                self._send(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode()
            if urlsplit(self.path).path == "/register":
                issuer.redirect_uris.add(str(json.loads(raw)["redirect_uri"]))
                self._send(201, {"redirect_uris": sorted(issuer.redirect_uris)})
                return
            form = {k: v[0] for k, v in parse_qs(raw).items()}
            if urlsplit(self.path).path != "/token":
                self._send(404, {"error": "not_found"})
                return
            status, body = issuer.token(form, self.headers.get("Authorization"))
            self._send(status, body)

    return Handler


@contextmanager
def test_issuer(**options: Any) -> Iterator[TestIssuer]:
    issuer = TestIssuer(**options)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(issuer))
    issuer.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()


test_issuer.__test__ = False  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description="A test OIDC issuer on 127.0.0.1 (never for real use).")
    parser.add_argument("--client-id", default="wanllmdb-test")
    parser.add_argument("--sub", default="sub-e2e")
    parser.add_argument("--email", default="ada@example.com")
    args = parser.parse_args()
    with test_issuer(client_id=args.client_id, user={"sub": args.sub, "email": args.email}) as issuer:
        print(json.dumps({"url": issuer.url}), flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    main()
