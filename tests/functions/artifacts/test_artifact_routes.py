"""Artifacts over real HTTP on the local server: versions exactly once, dedup of content and bytes,
aliases, files, diff, lineage, soft delete and gc, and the errors that name their field."""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from tests.functions.artifacts.client import ArtifactClient
from tests.functions.query.lake_client import User

pytestmark = pytest.mark.slow


def files(n: int, tag: str = "") -> dict[str, bytes]:
    return {f"data/{i:04d}.txt": f"{tag}row {i}\n".encode() * 10 for i in range(n)}


def test_versions_count_up_and_identical_content_makes_none(client: ArtifactClient) -> None:
    first = client.log("mnist", files(20), aliases=["best"]).raise_for_status().json()
    assert (first["version"], first["file_count"], first["created"]) == ("v0", 20, True)
    assert first["aliases"] == ["latest", "best"]
    puts = len(client.puts)
    again = client.log("mnist", files(20)).json()
    assert again["version"] == "v0" and again["created"] is False and len(client.puts) == puts  # 0 bytes
    changed = files(20)
    changed["data/0003.txt"] = b"edited"
    second = client.log("mnist", changed).json()
    assert second["version"] == "v1" and second["aliases"] == ["latest"]
    assert len(client.puts) == puts + 1  # exactly the changed file
    versions = client.call("GET", f"/projects/{client.project}/artifacts/mnist/versions").json()["versions"]
    assert [(v["version"], v["aliases"]) for v in versions] == [("v0", ["best"]), ("v1", ["latest"])]
    by_alias = client.call("GET", f"/projects/{client.project}/artifacts/mnist/versions/best").json()
    assert by_alias["version"] == "v0"


def test_files_page_with_urls_and_the_diff(client: ArtifactClient) -> None:
    base = f"/projects/{client.project}/artifacts/diffs"
    client.log("diffs", files(5)).raise_for_status()
    changed = {**files(5), "data/0001.txt": b"new", "extra.bin": b"\x00" * 9}
    del changed["data/0004.txt"]
    client.log("diffs", changed).raise_for_status()
    page = client.call(
        "GET", f"{base}/versions/v1/files", params={"limit": 2, "offset": 1, "urls": True}
    ).json()
    assert page["total"] == 5 and [e["path"] for e in page["entries"]] == ["data/0001.txt", "data/0002.txt"]
    assert httpx.get(page["entries"][0]["url"]).content == b"new"
    under = client.call("GET", f"{base}/versions/v1/files", params={"prefix": "extra"}).json()
    assert [e["path"] for e in under["entries"]] == ["extra.bin"]
    diff = client.call("GET", f"{base}/diff", params={"from": "v0", "to": "v1"}).json()
    assert (diff["added"], diff["removed"], diff["changed"]) == (1, 1, 1)
    assert {e["path"]: e["change"] for e in diff["entries"]} == {
        "data/0001.txt": "changed",
        "data/0004.txt": "removed",
        "extra.bin": "added",
    }


def test_four_writers_of_one_name_get_v0_to_v3(client: ArtifactClient) -> None:
    results: list[Any] = []

    def log(i: int) -> None:
        results.append(client.log("race", files(3, tag=f"writer {i} ")).json())

    threads = [threading.Thread(target=log, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["version"] for r in results) == ["v0", "v1", "v2", "v3"]


def test_lineage_both_ways(client: ArtifactClient, owner: User) -> None:
    producer, consumer = owner.run(client.project), owner.run(client.project)
    client.log("features", files(2), run_id=producer).raise_for_status()
    used = client.call("POST", f"/runs/{consumer}/artifacts/used", json={"artifact": "features:latest"})
    assert used.status_code == 200 and used.json()["version"] == "v0"
    client.call("POST", f"/runs/{consumer}/artifacts/used", json={"artifact": "features:v0"})  # idempotent
    assert client.call("GET", f"/runs/{consumer}/artifacts").json()["used"][0]["name"] == "features"
    assert client.call("GET", f"/runs/{producer}/artifacts").json()["logged"][0]["version"] == "v0"
    client.log("features", files(3), run_id=producer, aliases=["best"]).raise_for_status()
    logged = client.call("GET", f"/runs/{producer}/artifacts").json()["logged"]
    # Each version with its aliases, as on the artifact's own pages (Api().run().logged_artifacts()).
    assert sorted((v["version"], v["aliases"]) for v in logged) == [("v0", []), ("v1", ["latest", "best"])]
    runs = client.call("GET", f"/projects/{client.project}/artifacts/features/versions/v0/runs").json()
    assert runs == {"logged_by": producer, "used_by": [consumer]}
    graph = client.call("GET", f"/projects/{client.project}/artifacts/features/versions/v0/lineage").json()
    edges = {(e["source"], e["target"]) for e in graph["edges"]}
    vid = used.json()["id"]
    assert (f"run:{producer}", vid) in edges and (vid, f"run:{consumer}") in edges


def test_delete_is_soft_and_gc_keeps_blobs_a_live_version_shares(
    client: ArtifactClient, module_server: LocalServer
) -> None:
    base = f"/projects/{client.project}/artifacts/shared"
    shared = {"a.txt": b"shared bytes", "b.txt": b"only in v0"}
    client.log("shared", shared).raise_for_status()
    client.log("shared", {"a.txt": b"shared bytes", "c.txt": b"only in v1"}).raise_for_status()
    assert client.call("DELETE", f"{base}/versions/v0").status_code == 204
    assert client.call("GET", f"{base}/versions/v0").status_code == 404
    latest = client.call("GET", f"{base}/versions/latest").json()
    assert latest["version"] == "v1"
    gc = client.call("POST", f"/projects/{client.project}/artifacts/gc").json()
    assert gc["deleted_blobs"] >= 1
    blob_dir = module_server.data_dir / "lake" / "artifacts" / "blobs"
    kept = {p.name for p in blob_dir.rglob("*") if p.is_file()}
    assert hashlib.sha256(b"shared bytes").hexdigest() in kept
    assert hashlib.sha256(b"only in v0").hexdigest() not in kept


def test_small_files_travel_in_a_pack_and_a_relog_packs_only_the_changed(client: ArtifactClient) -> None:
    base = f"/projects/{client.project}/artifacts/packed"
    data = files(30)
    client.log("packed", data, pack_below=1 << 20).raise_for_status()
    assert client.puts == [] and [len(p) for p in client.packs] == [sum(len(b) for b in data.values())]
    page = client.call("GET", f"{base}/versions/v0/files", params={"urls": True, "limit": 3}).json()
    assert len({e["url"] for e in page["entries"]}) == 1  # one pack, signed once
    for entry in page["entries"]:
        span = f"bytes={entry['offset']}-{entry['offset'] + entry['size'] - 1}"
        got = httpx.get(entry["url"], headers={"Range": span})
        assert got.status_code == 206 and got.content == data[entry["path"]]
    client.packs.clear()
    changed = {**data, "data/0003.txt": b"edited"}
    v1 = client.log("packed", changed, pack_below=1 << 20).raise_for_status().json()
    assert v1["version"] == "v1" and client.packs == [b"edited"] and client.puts == []
    diff = client.call("GET", f"{base}/diff", params={"from": "v0", "to": "v1"}).json()
    assert [(e["path"], e["change"]) for e in diff["entries"]] == [("data/0003.txt", "changed")]


def test_a_pack_that_lies_about_a_member_or_was_never_uploaded_is_refused(client: ArtifactClient) -> None:
    data = {"a.txt": b"alpha", "b.txt": b"bravo"}
    alpha, bravo = (hashlib.sha256(data[p]).hexdigest() for p in ("a.txt", "b.txt"))
    pack = b"alphaBRAVO"  # b.txt's bytes are not the ones its sha256 names
    client.put_pack(pack)
    lying = hashlib.sha256(pack).hexdigest()
    refused = client.commit("liar", data, {alpha: (lying, 0), bravo: (lying, 5)})
    assert refused.status_code == 400 and "'b.txt'" in refused.text, refused.text
    assert refused.json()["error"]["field"] == "manifest_sha256"
    past_end = client.commit("liar", data, {alpha: (lying, 0), bravo: (lying, 8)})
    assert past_end.status_code == 400 and "'b.txt'" in past_end.text
    never = client.commit("liar", data, {alpha: ("f" * 64, 0), bravo: ("f" * 64, 5)})
    assert never.status_code == 400 and "not uploaded" in never.text
    versions = client.call("GET", f"/projects/{client.project}/artifacts/liar/versions")
    assert versions.status_code == 200 and versions.json()["versions"] == []


def test_gc_keeps_a_pack_while_any_live_version_names_one_of_its_files(
    client: ArtifactClient, module_server: LocalServer
) -> None:
    base = f"/projects/{client.project}/artifacts/pgc"
    client.log("pgc", {"a.txt": b"pack a", "b.txt": b"pack b"}, pack_below=1 << 20).raise_for_status()
    client.log("pgc", {"a.txt": b"pack a", "c.txt": b"pack c"}, pack_below=1 << 20).raise_for_status()
    first, second = (hashlib.sha256(p).hexdigest() for p in client.packs)
    pack_dir = module_server.data_dir / "lake" / "artifacts" / "packs"

    def packs() -> set[str]:
        return {p.name for p in pack_dir.rglob("*") if p.is_file()}

    assert client.call("DELETE", f"{base}/versions/v0").status_code == 204
    client.call("POST", f"/projects/{client.project}/artifacts/gc").raise_for_status()
    assert {first, second} <= packs()  # v1's a.txt is in the first pack
    assert client.call("DELETE", f"{base}/versions/v1").status_code == 204
    client.call("POST", f"/projects/{client.project}/artifacts/gc").raise_for_status()
    assert not {first, second} & packs()


def test_bad_input_names_the_field(client: ArtifactClient) -> None:
    cases = {
        "name": client.log("a/b", {}),
        "aliases": client.log("ok", files(1), aliases=["v3"]),
    }
    for field_name, response in cases.items():
        assert response.status_code in (400, 422), (field_name, response.text)
        assert field_name in response.text, (field_name, response.text)
    hashed = client.log("a#b", {})  # '#' separates key parts: `a` would list the versions of `a#b`
    assert hashed.status_code == 400 and "'#'" in hashed.text and "name" in hashed.json()["error"]["field"]
    latest = client.log("ok2", files(1), aliases=["latest"])
    assert latest.status_code in (400, 422) and "set by the server" in latest.text
    manifest, digest = client.manifest(files(1, tag="never uploaded "))
    sha = hashlib.sha256(manifest).hexdigest()
    body = {"name": "nomanifest", "type": "dataset", "manifest_sha256": sha, "digest": digest}
    missing = client.call("POST", f"/projects/{client.project}/artifacts", json=body)
    assert missing.status_code == 400 and "manifest_sha256" in missing.text
    unknown = client.call("GET", f"/projects/{client.project}/artifacts/nothing/versions/latest")
    assert unknown.status_code == 404


def test_a_run_uses_another_projects_artifact_named_entity_colon_project(
    client: ArtifactClient, owner: User
) -> None:
    client.log("shared-vocab", files(2)).raise_for_status()
    other = owner.project()
    consumer = owner.run(other)
    body = {"artifact": "shared-vocab:latest", "project_id": f"{owner.username}:{_project_name(client)}"}
    used = client.call("POST", f"/runs/{consumer}/artifacts/used", json=body)
    assert used.status_code == 200, used.text
    assert used.json()["project_id"] == client.project
    assert client.call("GET", f"/runs/{consumer}/artifacts").json()["used"][0]["name"] == "shared-vocab"


def test_run_routes_take_the_runs_project_when_its_id_is_in_two(client: ArtifactClient, owner: User) -> None:
    other = owner.project()
    twin = owner.run(client.project)
    owner.run(other, run_id=twin)
    client.log("twin-data", files(1), run_id=twin).raise_for_status()  # the route's project says which
    ambiguous = client.call("GET", f"/runs/{twin}/artifacts")
    assert ambiguous.status_code == 400, ambiguous.text
    mine = client.call("GET", f"/runs/{twin}/artifacts", params={"project_id": client.project}).json()
    assert [v["name"] for v in mine["logged"]] == ["twin-data"]
    theirs = client.call(
        "POST",
        f"/runs/{twin}/artifacts/used",
        params={"project_id": other},
        json={"artifact": "twin-data:v0", "project_id": client.project},
    )
    assert theirs.status_code == 200, theirs.text
    assert client.call("GET", f"/runs/{twin}/artifacts", params={"project_id": other}).json()["used"]


def _project_name(client: ArtifactClient) -> str:
    return str(client.call("GET", f"/projects/{client.project}").json()["name"])
