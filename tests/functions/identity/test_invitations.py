"""Invitations and closed sign-up, on both backends (who may invite: also the permission matrix)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from wanllmdb_functions.core.errors import Conflict, Forbidden, InvalidInput, NotFound, WanError
from wanllmdb_functions.core.policy import EntityRef, Permission, permissions_of
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.invitations import InvitationService
from wanllmdb_functions.identity.models import InvitationCreate, Register, User
from wanllmdb_functions.identity.signup import SignupService, signup_warning
from wanllmdb_functions.ports import ItemStore

from ..actors import Tenant
from .test_session_families import BeforeWrite

PASSWORD = "correct horse battery"


def register(items: ItemStore, username: str, invitation: str | None = None, **extra: str) -> User:
    body = Register.model_validate(
        {"username": username, "password": PASSWORD, "invitation": invitation, **extra}
    )
    return SignupService(items, open_signup=False).register(body)


def test_an_invitation_is_shown_once_stored_hashed_and_works_once(tenant: Tenant) -> None:
    invitations = InvitationService(tenant.items)
    created = invitations.create(tenant.caller("admin"), InvitationCreate())
    assert created.token.startswith(f"wli_{created.id}_")
    assert created.expires_at - created.created_at == timedelta(days=7)
    stored = tenant.items.get(f"INVITE#{created.id}", "INVITE")
    assert stored is not None and created.token.split("_", 2)[2] not in str(stored)
    listed = invitations.list_open(tenant.caller("admin"), None)
    assert [i.id for i in listed] == [created.id] and "token" not in listed[0].model_dump()
    user = register(tenant.items, "newbie", created.token)
    assert user.username == "newbie"
    with pytest.raises(Forbidden, match="already used"):
        register(tenant.items, "second", created.token)
    assert invitations.list_open(tenant.caller("admin"), None) == []


def test_sign_up_without_an_invitation_is_refused_unless_open(tenant: Tenant) -> None:
    with pytest.raises(Forbidden, match="WANLLMDB_OPEN_SIGNUP=true"):
        register(tenant.items, "newbie")
    body = Register(username="newbie", password=PASSWORD)
    assert SignupService(tenant.items, open_signup=True).register(body).username == "newbie"


@pytest.mark.parametrize("mangle", [lambda t: t[:-1] + "x", lambda t: "wli_zz_" + t, lambda t: "wl_x_y"])
def test_a_tampered_invitation_is_refused_even_on_an_open_server(tenant: Tenant, mangle) -> None:  # type: ignore[no-untyped-def]
    token = InvitationService(tenant.items).create(tenant.caller("admin"), InvitationCreate()).token
    body = Register(username="newbie", password=PASSWORD, invitation=mangle(token))
    with pytest.raises(Forbidden, match="invitation"):
        SignupService(tenant.items, open_signup=True).register(body)


def test_an_org_admin_invites_into_their_org_with_a_role(tenant: Tenant) -> None:
    invitations = InvitationService(tenant.items)
    created = invitations.create(tenant.caller("org_admin"), InvitationCreate(org="acme", role="viewer"))
    assert (created.org, created.role, created.created_by) == ("acme", "viewer", "org-admin")
    assert [i.id for i in invitations.list_open(tenant.caller("org_admin"), "acme")] == [created.id]
    user = register(tenant.items, "newbie", created.token)
    key = CredentialService(tenant.items, session_ttl_s=60).create_key(user.id, "k").key
    newbie = resolve_caller(tenant.items, key, session_ttl_s=60)
    held = permissions_of(newbie, EntityRef("acme", "org"))
    assert Permission.ORG_READ in held and Permission.PROJECT_CREATE not in held
    default = invitations.create(tenant.caller("owner"), InvitationCreate(org="acme"))
    assert default.role == "member"


def test_who_may_invite_list_and_revoke(tenant: Tenant) -> None:
    invitations = InvitationService(tenant.items)
    for actor in ("member", "viewer", "outsider"):
        with pytest.raises(Forbidden):
            invitations.create(tenant.caller(actor), InvitationCreate(org="acme"))
    for actor in ("owner", "org_admin", "member"):
        with pytest.raises(Forbidden):  # inviting into no org is for tenant admins only
            invitations.create(tenant.caller(actor), InvitationCreate())
        with pytest.raises(Forbidden):
            invitations.list_open(tenant.caller(actor), None)
    with pytest.raises(Forbidden):
        invitations.list_open(tenant.caller("member"), "acme")
    into_acme = invitations.create(tenant.caller("admin"), InvitationCreate(org="acme"))
    with pytest.raises(Forbidden):
        invitations.revoke(tenant.caller("member"), into_acme.id)
    invitations.revoke(tenant.caller("org_admin"), into_acme.id)
    with pytest.raises(NotFound):
        invitations.revoke(tenant.caller("admin"), into_acme.id)
    with pytest.raises(Forbidden):
        register(tenant.items, "newbie", into_acme.token)


def test_bad_invitation_requests_name_the_field(tenant: Tenant) -> None:
    invitations, admin = InvitationService(tenant.items), tenant.caller("admin")
    cases: list[tuple[InvitationCreate, type[WanError], str]] = [
        (InvitationCreate(role="viewer"), InvalidInput, "role"),
        (InvitationCreate(org="nowhere"), NotFound, "org"),
        (InvitationCreate(org="acme", role="no-such-role"), InvalidInput, "role"),
    ]
    for body, error, field in cases:
        with pytest.raises(error) as refused:
            invitations.create(admin, body)
        assert refused.value.field == field


def test_an_expired_invitation_is_refused(tenant: Tenant) -> None:
    created = InvitationService(tenant.items).create(tenant.caller("admin"), InvitationCreate(ttl_days=1))
    tenant.items.update(f"INVITE#{created.id}", "INVITE", set_attrs={"ttl": 1})  # expired in 1970
    with pytest.raises(Forbidden, match="expired"):
        register(tenant.items, "newbie", created.token)
    assert InvitationService(tenant.items).list_open(tenant.caller("admin"), None) == []


def test_the_invitation_email_binds_the_new_account(tenant: Tenant) -> None:
    invitations = InvitationService(tenant.items)
    body = InvitationCreate(email="new@example.com")
    created = invitations.create(tenant.caller("admin"), body)
    with pytest.raises(InvalidInput) as refused:
        register(tenant.items, "newbie", created.token, email="other@example.com")
    assert refused.value.field == "email"
    assert register(tenant.items, "newbie", created.token).email == "new@example.com"


def test_a_taken_username_leaves_the_invitation_open(tenant: Tenant) -> None:
    created = InvitationService(tenant.items).create(tenant.caller("admin"), InvitationCreate(org="acme"))
    with pytest.raises(Conflict) as refused:
        register(tenant.items, "member", created.token)
    assert refused.value.field == "username"
    assert register(tenant.items, "newbie", created.token).username == "newbie"


def test_two_sign_ups_racing_with_one_invitation_yield_one_account(tenant: Tenant) -> None:
    created = InvitationService(tenant.items).create(tenant.caller("admin"), InvitationCreate(org="acme"))
    both_read = threading.Barrier(2, timeout=30)
    racing = BeforeWrite(tenant.items, both_read.wait)

    def attempt(name: str) -> User | WanError:
        body = Register(username=name, password=PASSWORD, invitation=created.token)
        try:
            return SignupService(racing, open_signup=False).register(body)  # type: ignore[arg-type]
        except WanError as exc:
            return exc

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(attempt, ["first", "second"]))
    assert sorted(type(a).__name__ for a in answers) == ["Forbidden", "User"], answers
    members = tenant.items.query("ORG#acme", sk_prefix="MEMBER#").items
    assert sum(m["username"] in ("first", "second") for m in members) == 1


def test_created_at_and_expiry_are_utc_times(tenant: Tenant) -> None:
    created = InvitationService(tenant.items).create(tenant.caller("admin"), InvitationCreate(ttl_days=3))
    assert abs(created.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert created.expires_at - created.created_at == timedelta(days=3)


@pytest.mark.parametrize(
    ("host", "open_signup", "warned"),
    [
        ("127.0.0.1", True, False),
        ("localhost", True, False),
        ("::1", True, False),
        ("0.0.0.0", True, True),
        ("192.168.1.20", True, True),
        ("0.0.0.0", False, False),
    ],
)
def test_start_up_warns_when_open_sign_up_is_reachable_from_the_network(
    host: str, open_signup: bool, warned: bool
) -> None:
    warning = signup_warning(Settings(host=host, open_signup=open_signup))
    assert (warning is not None) is warned
    if warning:
        assert "WANLLMDB_OPEN_SIGNUP" in warning and "wanllmdb admin invite" in warning
