"""Item keys of identity data in the single table (the design and its reasons: docs/data-model.md).

Every unique name is claimed by its own item written with a must-not-exist condition in the same
transaction as the thing it names, so two racing creates of one name yield exactly one winner.
"""

from __future__ import annotations

__all__ = [
    "apikey",
    "entity_claim",
    "invitation",
    "login_failures_of_address",
    "login_failures_of_user",
    "memberships_of",
    "oidc_login",
    "oidc_subject",
    "org",
    "org_invitations",
    "org_member",
    "refresh_token",
    "role",
    "session",
    "session_family",
    "session_family_member",
    "team",
    "team_member",
    "user",
    "user_keys",
]

INVITES_INDEX_PK = "INVITES"
ROLES_PK = "ROLES"
USERS_INDEX_PK = "USERS"


def user(user_id: str) -> tuple[str, str]:
    return f"USER#{user_id}", "USER"


def entity_claim(name: str) -> tuple[str, str]:
    """Users, organizations and teams share one namespace: a project's `entity` names one of them."""
    return f"ENTITY#{name}", "ENTITY"


def apikey(key_id: str) -> tuple[str, str]:
    return f"APIKEY#{key_id}", "APIKEY"


def user_keys(user_id: str) -> str:
    """gsi1 partition listing a user's API keys."""
    return f"KEYSOF#{user_id}"


def session(token_hash: str) -> tuple[str, str]:
    return f"SESSION#{token_hash}", "SESSION"


def refresh_token(token_hash: str) -> tuple[str, str]:
    return f"REFRESH#{token_hash}", "REFRESH"


def oidc_login(binding_hash: str) -> tuple[str, str]:
    """An OIDC login in progress (state, nonce, PKCE verifier), under the hash of its browser cookie."""
    return f"OIDCLOGIN#{binding_hash}", "OIDCLOGIN"


def oidc_subject(issuer: str, subject: str) -> tuple[str, str]:
    """Links an issuer's subject to the user it signs in. `sub` is unique only within its issuer, so
    both name the item, one in each key half: no character in either can make two pairs collide."""
    return f"OIDCSUB#{issuer}", f"SUB#{subject}"


def session_family(family_id: str) -> tuple[str, str]:
    """One sign-in: every session and refresh token rotated from one login share its family."""
    return f"FAMILY#{family_id}", "FAMILY"


def session_family_member(family_id: str, session_hash: str) -> tuple[str, str]:
    """A session of the family, in the family's partition so revoking it is one consistent query."""
    return f"FAMILY#{family_id}", f"MEMBER#{session_hash}"


def invitation(invitation_id: str) -> tuple[str, str]:
    return f"INVITE#{invitation_id}", "INVITE"


def org_invitations(org_name: str) -> str:
    """gsi2 partition listing the open invitations into an organization (gsi1 lists them all)."""
    return f"INVITESOF#{org_name}"


def login_failures_of_user(username: str, window: int) -> tuple[str, str]:
    return f"LOGINFAIL#{username[:128]}", f"WINDOW#{window}"


def login_failures_of_address(address: str) -> tuple[str, str]:
    return f"LOGINFAILIP#{address}", "LOGINFAIL"


def org(name: str) -> tuple[str, str]:
    return f"ORG#{name}", "ORG"


def org_member(org_name: str, user_id: str) -> tuple[str, str]:
    return f"ORG#{org_name}", f"MEMBER#{user_id}"


def team(org_name: str, team_name: str) -> tuple[str, str]:
    return f"ORG#{org_name}", f"TEAM#{team_name}"


def team_member(team_name: str, user_id: str) -> tuple[str, str]:
    return f"TEAM#{team_name}", f"MEMBER#{user_id}"


def memberships_of(user_id: str) -> str:
    """gsi1 partition holding one entry per organization or team the user belongs to."""
    return f"MEMBEROF#{user_id}"


def role(name: str) -> tuple[str, str]:
    return ROLES_PK, f"ROLE#{name}"
