"""Custom roles on every route: the permission matrix's rows, generated over the permission list.

The hand-written matrix (test_permission_matrix.py) pins every route for the built-in roles. Here
the same rows run for users who hold custom roles in `acme` (and its team `ml`), made from
core.policy's permission list, so no route escapes a custom role either:

- `like-member` and `like-viewer` hold exactly the built-in member's and viewer's permissions: they
  must get exactly what member and viewer get, on every route and case;
- `member-without-<p>`, for each permission p of member, holds member's permissions less p: on every
  route it gets member's answer or a refusal (403/404), never more, and every permission must be the
  one that refuses some route (or be listed in NOT_GATED_YET, which is checked to be exact).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from wanllmdb_functions.core.policy import BUILTIN_ROLES, Permission
from wanllmdb_functions.identity.credentials import CredentialService
from wanllmdb_functions.identity.models import RoleCreate
from wanllmdb_functions.identity.orgs import OrgService
from wanllmdb_functions.identity.roles import RoleService
from wanllmdb_functions.identity.users import UserService

from . import actors
from .actors import SESSION_TTL, tenant_app
from .matrix_rows import Ctx, Row, send
from .test_permission_matrix import ROWS

pytestmark = pytest.mark.slow

LIKE = {"like-member": "member", "like-viewer": "viewer"}
MEMBER = sorted(BUILTIN_ROLES["member"])
WITHOUT = {f"member-without-{p.value.replace(':', '-')}": p for p in MEMBER}
# Permissions of the built-in member that no route checks yet (none since the report routes gate
# report:read and report:write). The test fails when this set is not exactly the ungated ones.
NOT_GATED_YET: set[Permission] = set()


def _add_custom_user(ctx: Ctx, actor: str, permissions: list[Permission]) -> None:
    owner = ctx.tenant.caller("owner")
    items = ctx.tenant.items
    RoleService(items).create(RoleCreate(name=f"role-{actor}", permissions=permissions))
    user = UserService(items).create(actor, password=None)
    ctx.tenant.keys[actor] = CredentialService(items, session_ttl_s=SESSION_TTL).create_key(user.id, "t").key
    orgs = OrgService(items)
    orgs.set_member(owner, "acme", actor, f"role-{actor}")
    orgs.set_member(owner, "ml", actor, f"role-{actor}")  # as member and viewer are in team ml


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ctx]:
    with (
        pytest.MonkeyPatch.context() as patch,
        tenant_app(tmp_path_factory.mktemp("roles") / "data") as (
            client,
            tenant,
            _,
        ),
    ):
        # Rows that name the caller look their username up here.
        for actor in [*LIKE, *WITHOUT]:
            patch.setitem(actors.USERNAMES, actor, actor)
        orgs = OrgService(tenant.items)
        orgs.create_team(tenant.caller("owner"), "acme", "ml")
        orgs.set_member(tenant.caller("owner"), "ml", "member", "member")
        orgs.set_member(tenant.caller("owner"), "ml", "viewer", "viewer")
        context = Ctx(tenant, client)
        for actor, builtin in LIKE.items():
            _add_custom_user(context, actor, sorted(BUILTIN_ROLES[builtin]))
        for actor, dropped in WITHOUT.items():
            _add_custom_user(context, actor, [p for p in MEMBER if p != dropped])
        yield context


def _status(ctx: Ctx, row: Row, actor: str, case: str) -> tuple[int, str]:
    _, response = send(ctx, row, actor, case)
    return response.status_code, response.text[:160]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.method} {r.path}" for r in ROWS])
def test_a_custom_role_with_a_builtin_roles_permissions_gets_what_it_gets(ctx: Ctx, row: Row) -> None:
    failures = []
    for case in row.cases:
        for actor, builtin in LIKE.items():
            got, text = _status(ctx, row, actor, case)
            if got != row.expect(builtin, case):
                failures.append(f"{actor} / {case}: {got} != {builtin}'s {row.expect(builtin, case)} {text}")
    assert not failures, "\n".join(failures)


def test_each_permission_is_what_refuses_some_route_and_never_widens_access(ctx: Ctx) -> None:
    gates: dict[Permission, list[str]] = {p: [] for p in MEMBER}
    widened = []
    for row in ROWS:
        for case in row.cases:
            member = row.expect("member", case)
            for actor, dropped in WITHOUT.items():
                got, text = _status(ctx, row, actor, case)
                if got == member:
                    continue
                if member < 400 and got in (403, 404):
                    gates[dropped].append(f"{row.method} {row.path} ({case})")
                else:
                    widened.append(f"{actor} {row.method} {row.path} / {case}: {got}, member {member} {text}")
    assert not widened, "a role with fewer permissions than member got another answer:\n" + "\n".join(widened)
    ungated = {p for p, routes in gates.items() if not routes}
    assert ungated == NOT_GATED_YET, (
        f"permissions no route checks: {sorted(ungated)}; NOT_GATED_YET says {sorted(NOT_GATED_YET)}"
    )
