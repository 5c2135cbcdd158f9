"""Reports over real HTTP: create, save with conflicts, history, diff, restore, drafts, visibility
and grants, stars and listings, markdown import and export."""

from __future__ import annotations

import pytest

from .conftest import Team, create, paragraph, published, save, spec_of

pytestmark = pytest.mark.slow


def test_create_is_idempotent_by_client_id(team: Team) -> None:
    body = {"id": "weekly-1", "title": "Weekly", "spec": spec_of(paragraph("p1", "hello"))}
    first = team.member.request("POST", f"/projects/{team.project}/reports", json=body)
    again = team.member.request("POST", f"/projects/{team.project}/reports", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == "weekly-1" and again.json()["version"] == 1
    report = first.json()
    assert report["state"] == "draft" and report["owner"] == team.member.username and report["can_edit"]
    assert report["spec"]["blocks"][0]["text"] == [{"text": "hello"}]


def test_a_spec_that_breaks_its_schema_is_422_naming_the_json_path(team: Team) -> None:
    bad = spec_of({"id": "h", "type": "heading", "level": 7, "text": []})
    response = team.member.request(
        "POST", f"/projects/{team.project}/reports", json={"title": "x", "spec": bad}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"].endswith("blocks[0].level")


def test_save_keeps_a_version_and_a_stale_base_is_a_version_conflict(team: Team) -> None:
    report = create(team.member, team.project, spec=spec_of(paragraph("p1", "one")))
    saved = save(team.member, report, spec_of(paragraph("p1", "two")), title="Renamed")
    assert saved.status_code == 200, saved.text
    assert saved.json()["version"] == 2 and saved.json()["title"] == "Renamed"
    stale = save(team.member, report, spec_of(paragraph("p1", "three")))  # still base_version 1
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "version_conflict" and error["field"] == "base_version"
    assert "version 2" in error["message"]
    # A retry of the save that landed answers what it stored, without a third version.
    retried = save(team.member, report, spec_of(paragraph("p1", "two")), title="Renamed")
    assert retried.status_code == 200 and retried.json()["version"] == 2


def test_history_diff_and_restore(team: Team) -> None:
    v1 = spec_of(paragraph("a", "the quick brown fox"), paragraph("b", "stays"), paragraph("c", "goes"))
    report = create(team.member, team.project, spec=v1)
    v2 = spec_of(paragraph("a", "the slow brown fox"), paragraph("b", "stays"), paragraph("d", "new"))
    assert save(team.member, report, v2, message="edit").status_code == 200
    versions = team.member.request("GET", f"/reports/{report['id']}/versions").json()["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["author"] == team.member.username and versions[0]["message"] == "edit"
    old = team.member.request("GET", f"/reports/{report['id']}/versions/1").json()
    assert old["spec"] == v1

    diff = team.member.request("GET", f"/reports/{report['id']}/diff", params={"from": 1, "to": 2}).json()
    changes = {b["id"]: b for b in diff["blocks"]}
    assert {k: v["change"] for k, v in changes.items()} == {
        "a": "changed",
        "b": "same",
        "c": "removed",
        "d": "added",
    }
    ops = changes["a"]["text_diff"]
    assert {"op": "delete", "text": "quick"} in ops and {"op": "insert", "text": "slow"} in ops
    assert "".join(o["text"] for o in ops if o["op"] != "insert") == "the quick brown fox"

    moved = spec_of(paragraph("b", "stays"), paragraph("d", "new"), paragraph("a", "the slow brown fox"))
    assert save(team.member, {**report, "version": 2}, moved).status_code == 200
    diff = team.member.request("GET", f"/reports/{report['id']}/diff", params={"from": 2, "to": 3}).json()
    assert {b["id"]: b["change"] for b in diff["blocks"]} == {"a": "moved", "b": "same", "d": "same"}

    restored = team.member.request(
        "POST", f"/reports/{report['id']}/versions/1/restore", json={"base_version": 3}
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["version"] == 4 and restored.json()["spec"] == v1
    retried = team.member.request(
        "POST", f"/reports/{report['id']}/versions/1/restore", json={"base_version": 3}
    )
    assert retried.status_code == 200 and retried.json()["version"] == 4  # a retry adds nothing
    stale = team.member.request(
        "POST", f"/reports/{report['id']}/versions/2/restore", json={"base_version": 3}
    )
    assert stale.status_code == 409
    latest = team.member.request("GET", f"/reports/{report['id']}/versions").json()["versions"][0]
    assert latest["restored_from"] == 1


def test_a_draft_is_private_until_published(team: Team) -> None:
    report = create(team.member, team.project)
    path = f"/reports/{report['id']}"
    assert team.admin.request("GET", path).status_code == 404
    assert team.viewer.request("GET", path).status_code == 404
    listed = team.viewer.request("GET", f"/projects/{team.project}/reports").json()["reports"]
    assert report["id"] not in {r["id"] for r in listed}
    assert team.admin.request("POST", f"{path}/publish", json={}).status_code == 404
    assert team.member.request("POST", f"{path}/publish", json={}).json()["state"] == "published"
    opened = team.viewer.request("GET", path)
    assert opened.status_code == 200 and opened.json()["can_edit"] is False
    assert save(team.viewer, report, spec_of()).status_code == 403
    assert team.outsider.request("GET", path).status_code == 404


def test_visibility_narrows_and_widens_and_grants_override(team: Team) -> None:
    report = published(team.member, team.project)
    path = f"/reports/{report['id']}"
    assert team.anonymous("GET", path).status_code == 404
    public = team.member.request("PUT", f"{path}/visibility", json={"visibility": "public"})
    assert public.status_code == 200 and public.json()["visibility"] == "public"
    assert team.anonymous("GET", path).status_code == 200
    assert team.outsider.request("GET", path).status_code == 200

    assert team.member.request("PUT", f"{path}/visibility", json={"visibility": "private"}).status_code == 200
    assert team.viewer.request("GET", path).status_code == 404
    assert team.admin.request("GET", path).status_code == 404
    # A report grant opens the private report to one more person.
    grant = {"kind": "report", "resource_id": report["id"], "principal": f"user:{team.viewer.username}",
             "permissions": ["report:read"]}  # fmt: skip
    assert team.admin.request("PUT", f"/projects/{team.project}/grants", json=grant).status_code == 200
    assert team.viewer.request("GET", path).status_code == 200
    # Only the owner (or a project admin) changes who sees it.
    assert team.viewer.request("PUT", f"{path}/visibility", json={"visibility": None}).status_code == 403
    back = team.admin.request("PUT", f"/projects/{team.project}/grants", json={**grant, "effect": "deny"})
    assert back.status_code == 200
    assert team.member.request("PUT", f"{path}/visibility", json={"visibility": "team"}).status_code == 200
    assert team.viewer.request("GET", path).status_code == 403  # an explicit deny narrows
    assert team.admin.request("GET", path).status_code == 200


def test_stars_and_listings(team: Team) -> None:
    mine = published(team.member, team.project, title="Loss curves", description="ablation of lr")
    other = published(team.admin, team.project, title="Throughput")
    draft = create(team.member, team.project, title="Notes")
    assert team.viewer.request("PUT", f"/reports/{other['id']}/star").status_code == 204
    listed = team.viewer.request("GET", f"/projects/{team.project}/reports").json()["reports"]
    assert {r["id"] for r in listed} == {mine["id"], other["id"]}
    assert "spec" not in listed[0]
    found = team.viewer.request("GET", f"/projects/{team.project}/reports", params={"q": "ABLATION"}).json()
    assert [r["id"] for r in found["reports"]] == [mine["id"]]
    starred = team.viewer.request("GET", "/reports", params={"starred": "true"}).json()["reports"]
    assert [(r["id"], r["starred"]) for r in starred] == [(other["id"], True)]
    own = team.member.request("GET", "/reports", params={"mine": "true"}).json()["reports"]
    assert {r["id"] for r in own} == {mine["id"], draft["id"]}
    drafts = team.member.request("GET", f"/projects/{team.project}/reports", params={"state": "draft"}).json()
    assert [r["id"] for r in drafts["reports"]] == [draft["id"]]
    assert team.viewer.request("DELETE", f"/reports/{other['id']}/star").status_code == 204
    assert team.viewer.request("GET", "/reports", params={"starred": "true"}).json()["reports"] == []


def test_delete_by_owner_or_project_admin_only(team: Team) -> None:
    report = published(team.member, team.project)
    path = f"/reports/{report['id']}"
    assert team.viewer.request("DELETE", path).status_code == 403
    assert team.admin.request("DELETE", path).status_code == 204
    assert team.member.request("GET", path).status_code == 404
    assert team.member.request("GET", f"{path}/versions").status_code == 404


def test_markdown_import_and_export(team: Team) -> None:
    markdown = "# Findings\n\nThe **loss** fell.\n\n- one\n- two\n"
    report = create(team.member, team.project, title="Imported", markdown=markdown)
    types = [b["type"] for b in report["spec"]["blocks"]]
    assert types[:3] == ["heading", "paragraph", "bulleted_list"]
    exported = team.member.request("GET", f"/reports/{report['id']}/export", params={"format": "md"})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/markdown")
    assert 'filename="Imported.md"' in exported.headers["content-disposition"]
    assert "# Findings" in exported.text and "**loss**" in exported.text and "- two" in exported.text


def test_a_script_in_a_spec_is_sanitised_on_write(team: Team) -> None:
    block = {"id": "m", "type": "markdown", "markdown": "hi <script>alert(1)</script>"}
    report = create(team.member, team.project, spec=spec_of(block))
    assert "<script" not in report["spec"]["blocks"][0]["markdown"]
