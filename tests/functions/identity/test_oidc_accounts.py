"""Which user an OIDC sign-in is (identity/oidc_accounts.py), on both stores; and the OIDC settings."""

from __future__ import annotations

import pytest

from wanllmdb_functions.core.errors import Forbidden, InvalidInput, Unauthenticated
from wanllmdb_functions.core.settings import SettingsError, load_settings
from wanllmdb_functions.identity.oidc_accounts import OidcAccounts, username_from
from wanllmdb_functions.identity.oidc_login import return_path
from wanllmdb_functions.identity.users import UserService
from wanllmdb_functions.ports import ItemStore

ISSUER = "https://idp.example"


def accounts(items: ItemStore) -> OidcAccounts:
    return OidcAccounts(items, UserService(items))


def test_a_subject_is_provisioned_once_and_linked_by_sub_not_by_name(items: ItemStore) -> None:
    UserService(items).create("grace", password="a local password")
    found = accounts(items).user_for(ISSUER, {"sub": "s-1", "preferred_username": "Grace", "email": "g@x.io"})
    user = UserService(items).get(found)
    assert user is not None and user["username"].startswith("grace-") and user["password_hash"] is None
    # Renamed at the issuer: still the same user.
    again = accounts(items).user_for(ISSUER, {"sub": "s-1", "preferred_username": "someone-else"})
    assert again == found
    # The same sub at another issuer is another person.
    assert accounts(items).user_for("https://other.example", {"sub": "s-1"}) != found


def test_allowed_domains_are_checked_on_every_sign_in(items: ItemStore) -> None:
    claims = {"sub": "s-2", "email": "lin@corp.example", "email_verified": True}
    assert accounts(items).user_for(ISSUER, claims, allowed_email_domains=("corp.example",))
    with pytest.raises(Forbidden, match=r"'corp\.example' may not sign in"):
        accounts(items).user_for(ISSUER, claims, allowed_email_domains=("other.example",))
    unverified = {**claims, "email_verified": "false"}
    with pytest.raises(Forbidden, match="verified e-mail"):
        accounts(items).user_for(ISSUER, unverified, allowed_email_domains=("corp.example",))


def test_a_deleted_user_does_not_come_back_through_its_link(items: ItemStore) -> None:
    from wanllmdb_functions.identity import keys

    user_id = accounts(items).user_for(ISSUER, {"sub": "s-3"})
    items.delete(*keys.user(user_id))
    with pytest.raises(Unauthenticated, match="deleted"):
        accounts(items).user_for(ISSUER, {"sub": "s-3"})


@pytest.mark.parametrize(
    ("claims", "name"),
    [
        ({"preferred_username": "Ada.Lovelace"}, "ada.lovelace"),
        ({"email": "Mr O'Brien@x.io"}, "mr-o-brien"),
        ({"preferred_username": "__", "email": "@x"}, "user"),
        ({"preferred_username": "élan vital"}, "lan-vital"),
    ],
)
def test_usernames_are_made_valid(claims: dict[str, str], name: str) -> None:
    assert username_from(claims, "preferred_username") == name


def test_return_to_is_a_path_on_this_site() -> None:
    assert return_path(None) == "/" and return_path("/runs?x=1") == "/runs?x=1"
    for bad in ("https://evil.example", "//evil.example", "/\\evil.example", "runs", "/a\nb"):
        with pytest.raises(InvalidInput):
            return_path(bad)


def test_oidc_settings_refuse_an_incomplete_or_plain_http_issuer() -> None:
    with pytest.raises(SettingsError, match="OIDC_CLIENT_ID is needed"):
        load_settings(oidc_issuer="https://idp.example")
    with pytest.raises(SettingsError, match="must be an https:// URL"):
        load_settings(oidc_issuer="http://idp.example", oidc_client_id="c")
    with pytest.raises(SettingsError, match="must include 'openid'"):
        load_settings(oidc_issuer="https://idp.example", oidc_client_id="c", oidc_scopes="email")
    ok = load_settings(
        oidc_issuer="http://127.0.0.1:9/",
        oidc_client_id="c",
        oidc_allowed_email_domains="Corp.example, @b.io",
    )
    assert ok.oidc_allowed_email_domains == ("corp.example", "b.io")
    assert ok.oidc_callback_url.endswith("/api/auth/oidc/callback")
