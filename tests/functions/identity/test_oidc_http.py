"""OIDC sign-in, code flow with PKCE, over real HTTP: a real `wanllmdb server` process and the in-test
issuer (oidc_provider.py) on 127.0.0.1, with a browser that keeps cookies and follows redirects."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey

from ...conftest import LocalServer, start_local_server
from .oidc_provider import TestIssuer, test_issuer

pytestmark = pytest.mark.slow

CLIENT_SECRET = "test-client-secret-do-not-log"


class Browser:
    """Keeps cookies by name (as a browser would for one site) and follows redirects one hop at a time.

    httpx's cookie jar will not send a Secure cookie over http, even to 127.0.0.1, as browsers do.
    """

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.set_cookies: dict[str, dict[str, str]] = {}

    def get(self, url: str) -> httpx.Response:
        header = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = httpx.get(url, headers={"Cookie": header} if header else {}, timeout=15)
        for line in response.headers.get_list("set-cookie"):
            parsed = SimpleCookie()
            parsed.load(line)
            for name, morsel in parsed.items():
                self.set_cookies[name] = {
                    "value": morsel.value,
                    **{k: str(v) for k, v in morsel.items() if v},
                }
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def follow(self, url: str, *, hops: int = 5) -> list[httpx.Response]:
        """The responses from `url` until one is not a redirect."""
        trail = [self.get(url)]
        while trail[-1].is_redirect and len(trail) <= hops:
            trail.append(self.get(urljoin(url, trail[-1].headers["location"])))
        return trail


@pytest.fixture(scope="module")
def issuer() -> Iterator[TestIssuer]:
    with test_issuer(client_secret=CLIENT_SECRET) as running:
        yield running


@pytest.fixture(scope="module")
def server(issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    env = {
        "WANLLMDB_OIDC_ISSUER": issuer.url,
        "WANLLMDB_OIDC_CLIENT_ID": issuer.client_id,
        "WANLLMDB_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "WANLLMDB_OIDC_DISPLAY_NAME": "Test IdP",
    }
    server = start_local_server(tmp_path_factory.mktemp("oidc") / "data", env=env)
    issuer.redirect_uris.add(f"{server.url}/api/auth/oidc/callback")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fresh_issuer(issuer: TestIssuer) -> None:
    issuer.reset()


def sign_in(server: LocalServer, browser: Browser | None = None, *, return_to: str = "/") -> httpx.Response:
    """Run the whole flow; the callback's answer."""
    browser = browser or Browser()
    trail = browser.follow(f"{server.url}/api/auth/oidc/start?return_to={return_to}")
    return next(r for r in trail if r.request.url.path == "/api/auth/oidc/callback")


def start(server: LocalServer, browser: Browser) -> dict[str, str]:
    """Begin a sign-in and let the issuer answer; the callback's query, not yet delivered."""
    started = browser.get(f"{server.url}/api/auth/oidc/start")
    assert started.status_code == 302, started.text
    answered = browser.get(started.headers["location"])
    assert answered.status_code == 302, answered.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answered.headers["location"]).query).items()}


def callback(server: LocalServer, browser: Browser, query: dict[str, str]) -> httpx.Response:
    return browser.get(f"{server.url}/api/auth/oidc/callback?" + httpx.QueryParams(query).__str__())


def me(server: LocalServer, browser: Browser) -> httpx.Response:
    return httpx.get(
        f"{server.url}/api/auth/me", headers={"Cookie": f"wl_session={browser.cookies['wl_session']}"}
    )


def refused(response: httpx.Response, status: int, words: str, field: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert words in error["message"] and error["field"] == field, error


# -- the flow ------------------------------------------------------------------------------------


def test_providers_advertise_password_and_the_configured_sso(server: LocalServer) -> None:
    body = httpx.get(f"{server.url}/api/auth/providers").json()
    assert body == {"password": True, "oidc": {"name": "Test IdP", "start_url": "/api/auth/oidc/start"}}


def test_sign_in_runs_code_flow_with_pkce_and_sets_the_password_logins_cookies(
    server: LocalServer, issuer: TestIssuer
) -> None:
    browser = Browser()
    started = browser.get(f"{server.url}/api/auth/oidc/start?return_to=/projects")
    assert started.status_code == 302 and started.headers["cache-control"] == "no-store"
    sent = {k: v[0] for k, v in parse_qs(urlsplit(started.headers["location"]).query).items()}
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["redirect_uri"] == f"{server.url}/api/auth/oidc/callback"
    assert set(sent["scope"].split()) == {"openid", "email", "profile"} and sent["state"] and sent["nonce"]
    binding = browser.set_cookies["wl_oidc"]
    assert (
        binding["httponly"] and binding["samesite"].lower() == "lax" and binding["path"] == "/api/auth/oidc"
    )
    # Nothing of the login's secrets travels in the binding cookie.
    assert binding["value"] not in started.headers["location"]

    trail = browser.follow(started.headers["location"])
    done = next(r for r in trail if r.request.url.path == "/api/auth/oidc/callback")
    assert done.status_code == 303 and done.headers["location"] == "/projects"
    # The token request carried the verifier matching the challenge, and the client's secret in
    # the Authorization header (the issuer refuses it otherwise).
    assert issuer.token_requests[-1]["code_verifier"]
    for name in ("wl_session", "wl_refresh", "wl_csrf"):
        assert browser.set_cookies[name]["samesite"].lower() == "strict"
    assert "wl_oidc" not in browser.cookies

    who = me(server, browser).json()
    assert (who["username"], who["email"], who["is_admin"]) == ("ada", "ada@example.com", False)
    # The same subject signs in to the same user, again and again.
    again = Browser()
    assert sign_in(server, again).status_code == 303
    assert me(server, again).json()["id"] == who["id"]


def test_a_sign_in_and_a_refused_one_are_in_the_audit_log_without_the_code(
    server: LocalServer, issuer: TestIssuer
) -> None:
    issuer.user = {"sub": "sub-audited", "email": "audra@example.com"}
    assert sign_in(server).status_code == 303
    issuer.tamper = True
    assert sign_in(server).status_code == 401
    admin = (server.data_dir / "admin-api-key").read_text().strip()
    audit = httpx.get(f"{server.url}/api/audit", headers={"Authorization": f"Bearer {admin}"})
    entries = audit.json()["items"]  # newest first
    callbacks = [e for e in entries if e["action"] == "GET /api/auth/oidc/callback"]
    assert {(e["actor"], e["status"]) for e in callbacks[:2]} == {("audra", 303), (None, 401)}
    assert all(e["target"] == "/api/auth/oidc/callback" for e in callbacks)


def test_a_new_subject_whose_name_is_taken_gets_its_own_user(server: LocalServer, issuer: TestIssuer) -> None:
    issuer.user = {"sub": "sub-admin", "email": "admin@example.com"}  # "admin" is the local admin
    browser = Browser()
    assert sign_in(server, browser).status_code == 303
    who = me(server, browser).json()
    assert who["username"].startswith("admin-") and not who["is_admin"]


def test_the_issuer_keys_may_rotate_without_a_restart(server: LocalServer, issuer: TestIssuer) -> None:
    assert sign_in(server).status_code == 303  # caches the JWKS
    issuer.rotate_key()
    assert sign_in(server).status_code == 303


# -- refusals ------------------------------------------------------------------------------------


def test_bad_state_is_refused_with_400(server: LocalServer) -> None:
    browser = Browser()
    query = start(server, browser)
    refused(callback(server, browser, {**query, "state": "forged"}), 400, "state does not match", "state")


def test_a_callback_in_another_browser_is_refused(server: LocalServer) -> None:
    query = start(server, Browser())
    refused(callback(server, Browser(), query), 400, "no sign-in is in progress", "state")


def test_a_callback_works_once(server: LocalServer) -> None:
    browser = Browser()
    query = start(server, browser)
    binding = browser.cookies["wl_oidc"]
    assert callback(server, browser, query).status_code == 303
    browser.cookies["wl_oidc"] = binding
    refused(callback(server, browser, query), 400, "no sign-in is in progress", "state")


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ({"nonce": "another-login"}, "nonce does not match"),
        ({"exp": 1_000_000_000, "iat": 999_999_000}, "expired"),
        ({"aud": "some-other-client"}, "audience"),
        ({"iss": "https://evil.example"}, "issuer"),
    ],
    ids=["wrong-nonce", "expired", "wrong-audience", "wrong-issuer"],
)
def test_an_id_token_failing_a_claim_check_is_refused_with_401(
    server: LocalServer, issuer: TestIssuer, override: dict[str, object], words: str
) -> None:
    issuer.claims_override = override
    refused(sign_in(server), 401, words, "id_token")


def test_a_tampered_signature_is_refused_with_401(server: LocalServer, issuer: TestIssuer) -> None:
    issuer.tamper = True
    refused(sign_in(server), 401, "signature does not verify", "id_token")


def test_a_token_signed_by_another_key_is_refused_with_401(server: LocalServer, issuer: TestIssuer) -> None:
    issuer.sign_with = RSAKey.generate_key(2048, parameters={"kid": str(issuer.key.kid)})
    refused(sign_in(server), 401, "signature does not verify", "id_token")


def test_a_stolen_code_without_its_pkce_verifier_is_refused(server: LocalServer, issuer: TestIssuer) -> None:
    victim, attacker = Browser(), Browser()
    stolen = start(server, victim)
    # The attacker injects the victim's code into a sign-in of their own: their verifier does not
    # hash to the victim's challenge, so the issuer refuses and so do we.
    own = start(server, attacker)
    response = callback(server, attacker, {**own, "code": stolen["code"]})
    refused(response, 401, "code_verifier does not match", "code")


def test_the_issuer_refuses_a_token_request_missing_the_verifier(issuer: TestIssuer) -> None:
    redirect = "http://127.0.0.1:1/cb"
    issuer.redirect_uris.add(redirect)
    auth = httpx.get(
        f"{issuer.url}/authorize",
        params={"client_id": issuer.client_id, "redirect_uri": redirect, "response_type": "code",
                "scope": "openid", "code_challenge": "x" * 43, "code_challenge_method": "S256"},
    )  # fmt: skip
    code = parse_qs(urlsplit(auth.headers["location"]).query)["code"][0]
    answer = httpx.post(
        f"{issuer.url}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
              "client_id": issuer.client_id},
        auth=(issuer.client_id, CLIENT_SECRET),
    )  # fmt: skip
    assert answer.status_code == 400 and answer.json()["error_description"] == "code_verifier is missing"


def test_an_issuer_error_is_named(server: LocalServer) -> None:
    browser = Browser()
    query = start(server, browser)
    response = callback(
        server,
        browser,
        {"state": query["state"], "error": "access_denied", "error_description": "user said no"},
    )
    refused(response, 401, "access_denied: user said no", "error")


def test_return_to_must_stay_on_this_site(server: LocalServer) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = httpx.get(f"{server.url}/api/auth/oidc/start", params={"return_to": target})
        refused(response, 400, "path on this site", "return_to")


def test_no_token_code_or_secret_reaches_the_server_log(server: LocalServer, issuer: TestIssuer) -> None:
    browser = Browser()
    sign_in(server, browser)
    issuer.tamper = True
    sign_in(server)  # a refusal, too
    log = server.log()
    secrets = [CLIENT_SECRET, *issuer.issued_tokens, *issuer.codes, *browser.cookies.values()]
    assert secrets and not [s for s in secrets if s in log]


def test_without_an_issuer_there_is_no_sso(tmp_path: Path) -> None:
    plain = start_local_server(tmp_path / "data")
    try:
        assert httpx.get(f"{plain.url}/api/auth/providers").json() == {"password": True, "oidc": None}
        refused(httpx.get(f"{plain.url}/api/auth/oidc/start"), 404, "not configured", None)  # type: ignore[arg-type]
    finally:
        plain.stop()
