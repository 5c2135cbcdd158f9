"""Resource-level grants over real HTTP: an allow widens access to one run, a deny narrows it, and the
grant routes check what they are given."""

from __future__ import annotations

import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register

pytestmark = pytest.mark.slow


def grant(owner: User, project: str, **body: object) -> int:
    return owner.request("PUT", f"/projects/{project}/grants", json=body).status_code


def test_an_allow_on_one_run_lets_an_outsider_read_that_run_only(module_server: LocalServer) -> None:
    owner, guest = register(module_server), register(module_server)
    project = owner.project()
    shared, private = owner.run(project), owner.run(project)
    assert guest.request("GET", f"/runs/{shared}").status_code == 404
    assert (
        grant(
            owner,
            project,
            kind="run",
            resource_id=shared,
            principal=f"user:{guest.username}",
            permissions=["run:read"],
        )
        == 200
    )
    assert guest.request("GET", f"/runs/{shared}").status_code == 200
    assert guest.request("GET", f"/runs/{private}").status_code == 404
    assert guest.request("GET", f"/projects/{project}/runs").status_code == 404  # the project stays private
    assert guest.request("PATCH", f"/runs/{shared}", json={"notes": "x"}).status_code == 403
    assert (
        owner.request(
            "DELETE",
            f"/projects/{project}/grants",
            params={"kind": "run", "resource_id": shared, "principal": f"user:{guest.username}"},
        ).status_code
        == 204
    )
    assert guest.request("GET", f"/runs/{shared}").status_code == 404


def test_a_deny_on_one_run_narrows_a_members_project_role(module_server: LocalServer) -> None:
    owner, member = register(module_server), register(module_server)
    org = f"g{owner.username[-7:]}"
    owner.request("POST", "/orgs", json={"name": org})
    owner.request("POST", f"/orgs/{org}/members", json={"username": member.username, "role": "member"})
    project = owner.project(entity=org)
    locked, other = owner.run(project), owner.run(project)
    assert member.request("PATCH", f"/runs/{locked}", json={"notes": "ok"}).status_code == 200
    assert (
        grant(
            owner,
            project,
            kind="run",
            resource_id=locked,
            principal=f"org:{org}",
            permissions=["run:write", "run:delete"],
            effect="deny",
        )
        == 200
    )
    assert member.request("PATCH", f"/runs/{locked}", json={"notes": "no"}).status_code == 403
    assert member.request("GET", f"/runs/{locked}").status_code == 200  # reading is not denied
    assert member.request("PATCH", f"/runs/{other}", json={"notes": "ok"}).status_code == 200
    listed = owner.request("GET", f"/projects/{project}/grants").json()
    assert [(g["principal"], g["effect"], g["permissions"]) for g in listed] == [
        (f"org:{org}", "deny", ["run:delete", "run:write"])
    ]


def test_grants_are_for_project_admins_and_name_what_they_accept(module_server: LocalServer) -> None:
    owner, other = register(module_server), register(module_server)
    project = owner.project()
    run = owner.run(project)
    body = {
        "kind": "run",
        "resource_id": run,
        "principal": f"user:{other.username}",
        "permissions": ["run:read"],
    }
    assert other.request("PUT", f"/projects/{project}/grants", json=body).status_code == 404
    bad = owner.request("PUT", f"/projects/{project}/grants", json={**body, "permissions": ["run:fly"]})
    assert bad.status_code == 400 and "use some of ['run:delete', 'run:read', 'run:write']" in bad.text
    who = owner.request("PUT", f"/projects/{project}/grants", json={**body, "principal": "bob"})
    assert who.status_code == 400 and "principal" in who.text
    hashed = owner.request("PUT", f"/projects/{project}/grants", json={**body, "resource_id": "a#b"})
    assert hashed.status_code == 400 and "resource_id" in hashed.text
    kind = owner.request("PUT", f"/projects/{project}/grants", json={**body, "kind": "cluster"})
    assert kind.status_code == 422 and "kind" in kind.text


def test_grants_on_an_artifact_collection_widen_and_narrow_like_runs(module_server: LocalServer) -> None:
    from tests.functions.artifacts.client import ArtifactClient

    owner, guest = register(module_server), register(module_server)
    project = owner.project()
    client = ArtifactClient(f"{module_server.url}/api", owner.token, project)
    client.log("shared-data", {"a.txt": b"a"}).raise_for_status()
    client.log("secret-data", {"b.txt": b"b"}).raise_for_status()
    path = f"/projects/{project}/artifacts/shared-data/versions/latest"
    assert guest.request("GET", path).status_code == 404
    assert (
        grant(
            owner,
            project,
            kind="artifact",
            resource_id="shared-data",
            principal=f"user:{guest.username}",
            permissions=["artifact:read"],
        )
        == 200
    )
    assert guest.request("GET", path).status_code == 200
    assert (
        guest.request("GET", f"/projects/{project}/artifacts/secret-data/versions/latest").status_code == 404
    )
    assert (
        grant(
            owner,
            project,
            kind="artifact",
            resource_id="secret-data",
            principal=f"user:{owner.username}",
            permissions=["artifact:read"],
            effect="deny",
        )
        == 200
    )
    assert (
        owner.request("GET", f"/projects/{project}/artifacts/secret-data/versions/latest").status_code == 403
    )
