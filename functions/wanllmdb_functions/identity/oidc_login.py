"""OIDC sign-in, authorization code with PKCE (RFC 7636), ending in the same session password login issues.

`start` keeps the login's state, nonce and PKCE verifier server-side, in an item that expires after
ten minutes, under the hash of a random binding token. The binding goes to the browser in an HttpOnly
cookie, so a callback only completes in the browser that began it: an attacker cannot make a victim's
browser finish the attacker's login (login CSRF), nor use a victim's leaked `state`.

`finish` consumes that item (single use), checks `state`, sends the code with its verifier to the
token endpoint, verifies the ID token (`OidcIssuer.verify_id_token`), then finds or provisions the
user (`OidcAccounts`) and issues a cookie-mode session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..core.errors import ConditionFailed, InvalidInput, Unauthenticated
from ..core.settings import Settings
from ..core.values import now_epoch
from ..ports import Condition, ItemStore
from . import keys
from .credentials import CredentialService, IssuedSession, token_hash
from .oidc_accounts import OidcAccounts
from .oidc_issuer import OidcIssuer

__all__ = ["LOGIN_TTL_S", "FinishedLogin", "OidcClient", "OidcLoginService", "StartedLogin", "return_path"]

LOGIN_TTL_S = 600
MAX_PARAM_LENGTH = 2048


@dataclass(frozen=True)
class OidcClient:
    """This server as a client of the issuer, from settings."""

    client_id: str
    client_secret: str | None
    scopes: tuple[str, ...]
    redirect_uri: str
    allowed_email_domains: tuple[str, ...]
    username_claim: str

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcClient | None:
        if settings.oidc_issuer is None or settings.oidc_client_id is None:
            return None
        secret = settings.oidc_client_secret
        return cls(
            client_id=settings.oidc_client_id,
            client_secret=secret.get_secret_value() if secret is not None else None,
            scopes=settings.oidc_scopes,
            redirect_uri=settings.oidc_callback_url,
            allowed_email_domains=settings.oidc_allowed_email_domains,
            username_claim=settings.oidc_username_claim,
        )


@dataclass(frozen=True)
class StartedLogin:
    authorize_url: str
    binding: str  # for the browser's HttpOnly cookie; the server keeps only its hash
    max_age_s: int


@dataclass(frozen=True)
class FinishedLogin:
    session: IssuedSession
    return_to: str


def return_path(value: str | None) -> str:
    """Where to send the browser after sign-in: a path on this site, never another origin."""
    if not value:
        return "/"
    parts = urlsplit(value)
    # Browsers read '/\\host' as '//host', and a leading '//' is another origin.
    if (
        parts.scheme
        or parts.netloc
        or not parts.path.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or not value.isprintable()
        or len(value) > MAX_PARAM_LENGTH
    ):
        raise InvalidInput("return_to must be a path on this site, such as /projects", field="return_to")
    return value


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


class OidcLoginService:
    def __init__(
        self,
        items: ItemStore,
        issuer: OidcIssuer,
        client: OidcClient,
        credentials: CredentialService,
        accounts: OidcAccounts,
    ) -> None:
        self._items = items
        self._issuer = issuer
        self._client = client
        self._credentials = credentials
        self._accounts = accounts

    def start(self, return_to: str | None) -> StartedLogin:
        target = return_path(return_to)
        binding = secrets.token_urlsafe(32)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        verifier = secrets.token_urlsafe(48)  # 64 characters: RFC 7636 asks for 43 to 128
        endpoint = self._issuer.discovery().authorization_endpoint
        pk, sk = keys.oidc_login(token_hash(binding))
        item = {"pk": pk, "sk": sk, "state": state, "nonce": nonce, "verifier": verifier,
                "return_to": target, "ttl": int(now_epoch()) + LOGIN_TTL_S}  # fmt: skip
        self._items.put(item, condition=Condition.not_exists())
        url = _with_query(
            endpoint,
            {
                "response_type": "code",
                "client_id": self._client.client_id,
                "redirect_uri": self._client.redirect_uri,
                "scope": " ".join(self._client.scopes),
                "state": state,
                "nonce": nonce,
                "code_challenge": _challenge(verifier),
                "code_challenge_method": "S256",
            },
        )
        return StartedLogin(url, binding, LOGIN_TTL_S)

    def finish(
        self,
        *,
        binding: str | None,
        state: str | None,
        code: str | None,
        error: str | None = None,
        error_description: str | None = None,
    ) -> FinishedLogin:
        """The session for a completed sign-in; a 4xx naming what failed otherwise."""
        pending = self._consume(binding)
        if error:
            detail = f": {error_description[:200]}" if error_description else ""
            raise Unauthenticated(f"the issuer ended the sign-in ({error[:64]}{detail})", field="error")
        if not state or len(state) > MAX_PARAM_LENGTH or not hmac.compare_digest(state, pending["state"]):
            raise InvalidInput(
                "state does not match the sign-in this browser started: start the sign-in again",
                field="state",
            )
        if not code or len(code) > MAX_PARAM_LENGTH:
            raise InvalidInput("the issuer sent no authorization code", field="code")
        id_token = self._issuer.exchange_code(
            code,
            verifier=pending["verifier"],
            redirect_uri=self._client.redirect_uri,
            client_id=self._client.client_id,
            client_secret=self._client.client_secret,
        )
        claims = self._issuer.verify_id_token(
            id_token, client_id=self._client.client_id, nonce=pending["nonce"]
        )
        user_id = self._accounts.user_for(
            self._issuer.issuer,
            claims,
            allowed_email_domains=self._client.allowed_email_domains,
            username_claim=self._client.username_claim,
        )
        session = self._credentials.issue_session(user_id, with_csrf=True)
        return FinishedLogin(session, pending["return_to"])

    def _consume(self, binding: str | None) -> dict[str, str]:
        """The pending login of this browser, deleted as it is read: a callback works once."""
        missing = InvalidInput(
            "no sign-in is in progress in this browser (its wl_oidc cookie is missing or expired): "
            "start the sign-in again",
            field="state",
        )
        if not binding or len(binding) > MAX_PARAM_LENGTH:
            raise missing
        pk, sk = keys.oidc_login(token_hash(binding))
        item = self._items.get(pk, sk)
        if item is None:
            raise missing
        try:
            self._items.delete(pk, sk, condition=Condition.exists())
        except ConditionFailed:
            raise InvalidInput("this sign-in was already completed: start again", field="state") from None
        return {name: str(item[name]) for name in ("state", "nonce", "verifier", "return_to")}
