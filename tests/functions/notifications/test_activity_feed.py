"""The activity feed over real HTTP: successful changes in words, per project and per organization,
served from the audit store; heartbeats, uploads and refused requests stay out of it."""

from __future__ import annotations

import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register

pytestmark = pytest.mark.slow


def kinds(user: User, path: str, **params: str) -> list[tuple[str | None, str, str | None]]:
    response = user.request("GET", path, params=params)
    assert response.status_code == 200, response.text
    return [(line["actor"], line["kind"], line["object"]) for line in response.json()["items"]]


def test_a_projects_feed_says_what_happened_newest_first(module_server: LocalServer) -> None:
    alice = register(module_server)
    project = alice.project()
    run = alice.run(project)
    alice.request("POST", f"/runs/{run}/heartbeat")
    alice.request("PATCH", f"/runs/{run}/config", json={"config": {"lr": 0.1}})
    alice.request("PATCH", f"/runs/{run}", json={"state": "finished"})
    alice.request("PUT", f"/projects/{project}/views/loss", json={"spec": {"runs": [run]}})
    alice.request("PATCH", f"/runs/{run}", json={"state": "nonsense"})  # refused: not activity
    me = alice.username
    assert kinds(alice, f"/projects/{project}/activity") == [
        (me, "view.saved", "loss"),
        (me, "run.finished", run),
        (me, "run.config_changed", run),
        (me, "run.created", run),
        (me, "project.created", project),
    ]
    assert [k for _, k, _ in kinds(alice, f"/projects/{project}/activity", kind="run.")] == [
        "run.finished", "run.config_changed", "run.created",
    ]  # fmt: skip
    line = alice.request("GET", f"/projects/{project}/activity", params={"kind": "run.finished"}).json()[
        "items"
    ][0]
    assert line["link"] == f"/runs/{run}"
    created = alice.request("GET", f"/projects/{project}/activity", params={"kind": "project."}).json()
    assert created["items"][0]["link"] == f"/projects/{project}"  # the project's own feed has its birth
    assert kinds(alice, f"/projects/{project}/activity", actor="someone-else") == []


def test_an_orgs_feed_has_its_members_and_its_projects_and_only_members_read_it(
    module_server: LocalServer,
) -> None:
    owner, bob, outsider = register(module_server), register(module_server), register(module_server)
    org = f"org{owner.username[-6:]}"
    assert owner.request("POST", "/orgs", json={"name": org}).status_code == 201
    assert (
        owner.request(
            "POST", f"/orgs/{org}/members", json={"username": bob.username, "role": "member"}
        ).status_code
        == 200
    )
    project = owner.project(entity=org)
    owner.run(project)
    feed = kinds(owner, f"/orgs/{org}/activity")
    assert (owner.username, "member.added", bob.username) in feed
    assert any(k == "run.created" for _, k, _ in feed)
    assert kinds(bob, f"/orgs/{org}/activity") == feed  # members read it
    assert outsider.request("GET", f"/orgs/{org}/activity").status_code == 403
    assert outsider.request("GET", f"/projects/{project}/activity").status_code == 404
    bad = owner.request("GET", f"/orgs/{org}/activity", params={"cursor": "%%%"})
    assert bad.status_code == 400 and "cursor" in bad.text


def test_renaming_an_org_is_an_activity_line_linking_to_its_settings(module_server: LocalServer) -> None:
    owner = register(module_server)
    org = f"ren{owner.username[-6:]}"
    assert owner.request("POST", "/orgs", json={"name": org}).status_code == 201
    renamed = owner.request("PATCH", f"/orgs/{org}", json={"display_name": "Renamed Inc"})
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "Renamed Inc"
    line = owner.request("GET", f"/orgs/{org}/activity", params={"kind": "org."}).json()["items"][0]
    assert (line["kind"], line["object"], line["link"]) == ("org.updated", org, "/settings/org")
