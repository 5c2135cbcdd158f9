"""Artifact TTL over real HTTP on the local server: set at log time, set, cleared and inherited through
PATCH …/versions/{label}, the project's default, and the bad input that names its field. Expiry, which
needs the clock moved, is in test_ttl_expiry.py."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.functions.artifacts.client import ArtifactClient

pytestmark = pytest.mark.slow


def days_after_creation(version: dict[str, object]) -> float:
    created = datetime.fromisoformat(str(version["created_at"]))
    return (datetime.fromisoformat(str(version["expires_at"])) - created) / timedelta(days=1)


def test_a_ttl_given_at_log_time_is_shown_with_when_the_version_expires(client: ArtifactClient) -> None:
    version = client.log("ckpt", {"w.bin": b"weights"}, ttl_days=30).raise_for_status().json()
    assert (version["ttl_days"], version["ttl_inherited"]) == (30, False)
    assert days_after_creation(version) == 30
    plain = client.log("ckpt", {"w.bin": b"other weights"}).json()
    assert (plain["ttl_days"], plain["ttl_inherited"], plain["expires_at"]) == (None, True, None)
    listed = client.call("GET", f"/projects/{client.project}/artifacts/ckpt/versions").json()["versions"]
    assert [v["ttl_days"] for v in listed] == [30, None]


def test_set_clear_and_inherit_through_patch_and_the_projects_default(client: ArtifactClient) -> None:
    route = f"/projects/{client.project}/artifacts/data/versions/latest"
    client.log("data", {"a.txt": b"rows"}).raise_for_status()
    project = client.call("PATCH", f"/projects/{client.project}", json={"artifact_ttl_days": 14})
    assert project.status_code == 200 and project.json()["artifact_ttl_days"] == 14
    inherited = client.call("GET", route).json()
    assert (inherited["ttl_days"], inherited["ttl_inherited"]) == (14, True)
    assert days_after_creation(inherited) == 14

    own = client.call("PATCH", route, json={"ttl_days": 3}).json()
    assert (own["ttl_days"], own["ttl_inherited"]) == (3, False) and days_after_creation(own) == 3
    forever = client.call("PATCH", route, json={"ttl_days": None}).json()
    assert (forever["ttl_days"], forever["ttl_inherited"], forever["expires_at"]) == (None, False, None)
    back = client.call("PATCH", route, json={"inherit": True}).json()
    assert (back["ttl_days"], back["ttl_inherited"]) == (14, True)

    cleared = client.call("PATCH", f"/projects/{client.project}", json={"artifact_ttl_days": None}).json()
    assert cleared["artifact_ttl_days"] is None
    assert client.call("GET", route).json()["expires_at"] is None
    # Other project edits leave the default alone.
    client.call("PATCH", f"/projects/{client.project}", json={"artifact_ttl_days": 5}).raise_for_status()
    edited = client.call("PATCH", f"/projects/{client.project}", json={"description": "kept"}).json()
    assert edited["artifact_ttl_days"] == 5


def test_bad_ttl_changes_name_the_field_and_change_nothing(client: ArtifactClient) -> None:
    route = f"/projects/{client.project}/artifacts/bad/versions/v0"
    client.log("bad", {"a.txt": b"x"}, ttl_days=9).raise_for_status()
    for body in ({}, {"inherit": True, "ttl_days": 3}, {"ttl_days": 0}, {"ttl_days": "soon"}, {"ttl": 3}):
        response = client.call("PATCH", route, json=body)
        assert response.status_code in (400, 422), (body, response.text)
        assert response.json()["error"]["field"] in ("ttl_days", "ttl"), body
    assert client.call("GET", route).json()["ttl_days"] == 9
    missing = client.call(
        "PATCH", f"/projects/{client.project}/artifacts/bad/versions/v7", json={"ttl_days": 1}
    )
    assert missing.status_code == 404
    logged = client.log("bad", {"b.txt": b"y"}, ttl_days=-1)
    assert logged.status_code in (400, 422) and logged.json()["error"]["field"] == "ttl_days"
    project = client.call("PATCH", f"/projects/{client.project}", json={"artifact_ttl_days": 0})
    assert project.status_code in (400, 422) and project.json()["error"]["field"] == "artifact_ttl_days"
