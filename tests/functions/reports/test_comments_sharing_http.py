"""Comments with @mentions and their notifications, and share links, over real HTTP."""

from __future__ import annotations

import pytest

from tests.functions.query.lake_client import User

from .conftest import Team, paragraph, published, save, spec_of

pytestmark = pytest.mark.slow


def mentions_of(user: User) -> list[dict[str, object]]:
    items = user.request("GET", "/notifications").json()["items"]
    return [n for n in items if n["kind"] == "report_mention"]


def test_threads_replies_resolve_and_reopen(team: Team) -> None:
    report = published(team.member, team.project, spec=spec_of(paragraph("p1", "loss fell by half")))
    path = f"/reports/{report['id']}/comments"
    anchor = {"block_id": "p1", "from": 5, "to": 9, "quote": "fell"}
    body = {"id": "t1", "anchor": anchor, "body": "Which run?"}
    started = team.viewer.request("POST", path, json=body)
    assert started.status_code == 201, started.text
    assert team.viewer.request("POST", path, json=body).json()["comments"][0]["id"] == "t1"  # a retry
    reply = {"id": "r1", "body": "run 12"}
    assert team.member.request("POST", f"{path}/t1/replies", json=reply).status_code == 201
    thread = team.member.request("POST", f"{path}/t1/replies", json=reply).json()  # a retry adds nothing
    assert [c["author"] for c in thread["comments"]] == [team.viewer.username, team.member.username]
    assert thread["anchor"] == anchor and thread["resolved"] is False

    assert team.outsider.request("PATCH", f"{path}/t1", json={"resolved": True}).status_code == 404
    resolved = team.viewer.request("PATCH", f"{path}/t1", json={"resolved": True}).json()
    assert resolved["resolved"] is True and resolved["resolved_by"] == team.viewer.username
    reopened = team.member.request("PATCH", f"{path}/t1", json={"resolved": False}).json()
    assert reopened["resolved"] is False
    threads = team.viewer.request("GET", path).json()["threads"]
    assert [t["id"] for t in threads] == ["t1"] and len(threads[0]["comments"]) == 2
    missing = team.viewer.request("POST", path, json={"anchor": {"block_id": "nope"}, "body": "?"})
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "anchor.block_id"
    assert team.anonymous("POST", path, json=body).status_code == 401


def test_a_mention_notifies_only_users_who_may_read(team: Team) -> None:
    report = published(team.member, team.project, spec=spec_of(paragraph("p1", "results")))
    text = f"@{team.viewer.username} and @{team.outsider.username}, see this; mail a@b.c"
    thread = team.member.request(
        "POST", f"/reports/{report['id']}/comments", json={"anchor": {"block_id": "p1"}, "body": text}
    ).json()
    assert thread["comments"][0]["mentions"] == [team.viewer.username]
    told = mentions_of(team.viewer)
    assert len(told) == 1 and told[0]["link"] == f"/reports/{report['id']}"
    assert team.member.username in str(told[0]["title"])
    assert mentions_of(team.outsider) == []  # a private report stays unsaid

    found = team.member.request("GET", f"/reports/{report['id']}/mentionable", params={"q": ""}).json()
    names = {u["username"] for u in found}
    assert {team.admin.username, team.member.username, team.viewer.username} <= names
    assert team.outsider.username not in names
    one = team.member.request(
        "GET", f"/reports/{report['id']}/mentionable", params={"q": team.viewer.username[:6]}
    )
    assert [u["username"] for u in one.json()] == [team.viewer.username]


def test_a_view_link_opens_without_an_account_and_cannot_save(team: Team) -> None:
    report = published(team.member, team.project, spec=spec_of(paragraph("p1", "one")))
    links = f"/reports/{report['id']}/share-links"
    assert (
        team.viewer.request("POST", links, json={"access": "view", "expires_in_s": 3600}).status_code == 403
    )
    created = team.member.request("POST", links, json={"access": "view", "expires_in_s": 3600})
    assert created.status_code == 201, created.text
    link = created.json()
    assert link["url"] == f"/shared/reports/{link['token']}"
    opened = team.anonymous("GET", f"/shared/reports/{link['token']}")
    assert opened.status_code == 200 and opened.json()["can_edit"] is False
    assert opened.json()["spec"]["blocks"][0]["id"] == "p1"
    # The link reads; it does not write: the outsider still may not save or open the report itself.
    assert team.outsider.request("GET", f"/shared/reports/{link['token']}").status_code == 200
    assert save(team.outsider, report, spec_of()).status_code == 404
    assert (
        team.anonymous(
            "PUT", f"/reports/{report['id']}", json={"spec": spec_of(), "base_version": 1}
        ).status_code
        == 401
    )
    listed = team.member.request("GET", links).json()["links"]
    assert [x["id"] for x in listed] == [link["id"]] and "token" not in listed[0]

    assert team.member.request("DELETE", f"{links}/{link['id']}").status_code == 204
    assert team.anonymous("GET", f"/shared/reports/{link['token']}").status_code == 404
    assert team.member.request("GET", links).json()["links"] == []


def test_an_edit_link_gives_edit_until_revoked(team: Team) -> None:
    report = published(team.member, team.project, spec=spec_of(paragraph("p1", "one")))
    links = f"/reports/{report['id']}/share-links"
    link = team.member.request("POST", links, json={"access": "edit", "expires_in_s": 3600}).json()
    assert team.anonymous("GET", f"/shared/reports/{link['token']}").status_code == 401
    opened = team.outsider.request("GET", f"/shared/reports/{link['token']}")
    assert opened.status_code == 200 and opened.json()["can_edit"] is True
    saved = save(team.outsider, report, spec_of(paragraph("p1", "two")))
    assert saved.status_code == 200, saved.text
    assert team.member.request("DELETE", f"{links}/{link['id']}").status_code == 204
    assert team.outsider.request("GET", f"/shared/reports/{link['token']}").status_code == 404
    assert team.outsider.request("GET", f"/reports/{report['id']}").status_code == 404  # taken back


def test_an_expired_link_is_not_found(team: Team) -> None:
    report = published(team.member, team.project)
    link = team.member.request(
        "POST", f"/reports/{report['id']}/share-links", json={"access": "view", "expires_in_s": 60}
    ).json()
    assert team.anonymous("GET", f"/shared/reports/{link['token']}").status_code == 200
    too_short = team.member.request(
        "POST", f"/reports/{report['id']}/share-links", json={"access": "view", "expires_in_s": 59}
    )
    assert too_short.status_code == 422
    assert team.anonymous("GET", "/shared/reports/wlr_not-a-real-token").status_code == 404
    # Expiry itself, on a frozen clock: test_report_service.py test_a_link_is_not_found_once_expired.


def test_a_view_link_reads_the_runs_its_panels_draw_and_nothing_more(team: Team) -> None:
    """Without this, a view link (and the PDF export's own link) drew every panel of a private
    project's report as "project not found"."""
    report = published(team.member, team.project, spec=spec_of(paragraph("p1", "one")))
    links = f"/reports/{report['id']}/share-links"
    link = team.member.request("POST", links, json={"access": "view", "expires_in_s": 3600}).json()
    with_link = {"X-Report-Link": link["token"]}
    runs = f"/projects/{team.project}/runs"
    assert team.anonymous("GET", runs).status_code == 404
    assert team.anonymous("GET", runs, headers=with_link).status_code == 200
    assert team.outsider.request("GET", runs).status_code == 404
    assert team.outsider.request("GET", runs, headers=with_link).status_code == 200
    # runs only: the project's reports stay behind their own rules, and nothing may be written
    listed = team.anonymous("GET", f"/projects/{team.project}/reports", headers=with_link)
    assert listed.status_code == 200 and listed.json()["reports"] == [], listed.text
    made = team.outsider.request(
        "POST", f"/projects/{team.project}/runs", json={"id": "linkrun1"}, headers=with_link
    )
    assert made.status_code in (403, 404), made.text
    # another project is not opened by a link to a report elsewhere
    other = team.admin.project()
    assert team.outsider.request("GET", f"/projects/{other}/runs", headers=with_link).status_code == 404
    # revoked: the link reads nothing at once, and says so
    assert team.member.request("DELETE", f"{links}/{link['id']}").status_code == 204
    gone = team.anonymous("GET", runs, headers=with_link)
    assert gone.status_code == 404 and gone.json()["error"]["field"] == "token"
