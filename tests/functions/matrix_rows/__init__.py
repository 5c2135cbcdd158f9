"""The permission matrix: one Row per mounted /api route, run for every actor x ownership case.

A service adds its routes' rows in its own module here (e.g. `runs.py` exporting `ROWS`); the test
in tests/functions/test_permission_matrix.py collects every module and FAILS when a mounted route
has no row, or a row names a route that no longer exists.

Expectations are written out as sets of actors below, deliberately not computed by the policy code
they check.

Anonymous callers are refused (401) everywhere but on the routes that only read a project
(PUBLIC_READ): there a public project needs no key.

Actors: admin (tenant admin), owner (owns the personal projects and created org `acme`), org_admin,
member, viewer (their roles in `acme`; member and viewer are also member and viewer of team `ml`),
outsider (no relation), and None (anonymous: no bearer token).
Ownership cases for project routes: personal-private, personal-public, org-private, org-public.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient

from ..actors import Tenant

ACTORS: tuple[str | None, ...] = ("admin", "owner", "org_admin", "member", "viewer", "outsider", None)
USERS = frozenset(a for a in ACTORS if a is not None)
PROJECT_CASES = ("personal-private", "personal-public", "org-private", "org-public")
TENANT = ("tenant",)

# Who may do what on the projects of each case (written out, not derived from the policy).
READERS = {
    "personal-private": {"admin", "owner"},
    "personal-public": USERS,
    "org-private": {"admin", "owner", "org_admin", "member", "viewer"},
    "org-public": USERS,
}
WRITERS = {
    "personal-private": {"admin", "owner"},
    "personal-public": {"admin", "owner"},
    "org-private": {"admin", "owner", "org_admin", "member"},
    "org-public": {"admin", "owner", "org_admin", "member"},
}
ADMINS = {
    "personal-private": {"admin", "owner"},
    "personal-public": {"admin", "owner"},
    "org-private": {"admin", "owner", "org_admin"},
    "org-public": {"admin", "owner", "org_admin"},
}
# Organization `acme` and its team `ml`.
ORG_READERS = {"admin", "owner", "org_admin", "member", "viewer"}
ORG_ADMINS = {"admin", "owner", "org_admin"}


@dataclass(frozen=True)
class Call:
    path: str
    json: Any = None
    params: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Ctx:
    tenant: Tenant
    client: TestClient
    _seq: itertools.count = field(default_factory=itertools.count)  # type: ignore[type-arg]

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self._seq)}"

    def project_id(self, case: str) -> str:
        return self.tenant.projects[case]


Expect = Callable[[str | None, str], int]
Prepare = Callable[[Ctx, str | None, str], Call]


@dataclass(frozen=True)
class Row:
    method: str
    path: str  # the route template exactly as mounted, e.g. /api/projects/{project_id}
    expect: Expect  # (actor, case) -> the status the request must get
    prepare: Prepare  # (ctx, actor, case) -> the concrete request
    cases: tuple[str, ...] = TENANT
    # False for routes the IAM tour (tests/infra/test_iam_used.py) cannot drive to a success: ones
    # the aws backend refuses by design (400 naming why), and the OIDC sign-in legs, which need an
    # issuer the tour does not run.
    on_aws: bool = True


def _rule(success: int, allowed: Callable[[str, str], bool], hidden: Callable[[str, str], bool]) -> Expect:
    def expect(actor: str | None, case: str) -> int:
        if actor is None:
            return 401
        if allowed(actor, case):
            return success
        return 404 if hidden(actor, case) else 403

    return expect


def project_rule(
    table: dict[str, set[str] | frozenset[str]], success: int = 200, *, hide: bool = True
) -> Expect:
    """Allowed: the actors in `table[case]`; a denied actor who cannot read the project gets 404
    (403 with `hide=False`, for routes whose target is an entity rather than an existing project)."""
    return _rule(success, lambda a, c: a in table[c], lambda a, c: hide and a not in READERS[c])


def public_read_rule(success: int = 200) -> Expect:
    """A read of a project that needs no key when the project is public (identity.authn.ReaderDep):
    project readers as in READERS; anonymous gets a public project, and 404 for a private one, as an
    outsider does, so that a private project's existence stays unsaid."""
    rule = project_rule(READERS, success)

    def expect(actor: str | None, case: str) -> int:
        if actor is None:
            return success if case.endswith("-public") else 404
        return rule(actor, case)

    return expect


PUBLIC_READ = public_read_rule()


def actors_rule(allowed: set[str] | frozenset[str], success: int = 200) -> Expect:
    """Allowed: the given actors, whatever the case; others 403, anonymous 401."""
    return _rule(success, lambda a, c: a in allowed, lambda a, c: False)


def public_rule(success: int = 200) -> Expect:
    """No bearer token needed: everyone, anonymous included, succeeds."""
    return lambda actor, case: success


def send(ctx: Ctx, row: Row, actor: str | None, case: str) -> tuple[Call, Any]:
    """The row's request for (actor, case), sent through the test app: (the call, the response)."""
    call = row.prepare(ctx, actor, case)
    response = ctx.client.request(
        row.method,
        call.path,
        json=call.json,
        params=call.params,
        content=call.content,
        headers={**ctx.tenant.headers(actor), **call.headers},
    )
    return call, response
