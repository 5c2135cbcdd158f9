"""The media routes over real HTTP: rows and objects uploaded through grants, bytes fetched through the
presigned GETs the routes hand out (never through the query function)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest

from tests.conftest import LocalServer
from tests.functions.query.lake_client import User, register
from tests.functions.query.media_lake import histogram, image, media_chunk, png_bytes

pytestmark = pytest.mark.slow

HTML = b"<script>parent.document.title = 'owned'</script><p>hi</p>"


@pytest.fixture(scope="module")
def owner(module_server: LocalServer) -> User:
    return register(module_server)


def _upload_media(user: User, run: str, path: str, data: bytes) -> None:
    item = {"kind": "media", "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "path": path}
    response = user.request("POST", f"/runs/{run}/uploads", json={"items": [item]})
    assert response.status_code == 200, response.text
    grant = response.json()["grants"][0]
    assert httpx.put(grant["url"], content=data, headers=grant["headers"], timeout=30).status_code < 300


@pytest.fixture(scope="module")
def media_run(owner: User) -> str:
    run = owner.run(owner.project())
    red = png_bytes(8, 8, (255, 0, 0))
    img, _ = image("samples", 5, red, caption="red")
    sha = hashlib.sha256(HTML).hexdigest()
    page: dict[str, Any] = {
        "_type": "html-file",
        "path": f"html/page_5_{sha[:20]}.html",
        "sha256": sha,
        "size": len(HTML),
        "inject": True,
    }
    rows = [(5, "samples", img), (5, "page", page), *[(s, "w", histogram([1, s, 3])) for s in range(4)]]
    _upload_media(owner, run, img["path"], red)
    _upload_media(owner, run, page["path"], HTML)
    owner.upload_bytes(run, media_chunk(rows), seq=0)
    return run


def test_the_media_list_names_keys_types_and_steps(owner: User, media_run: str) -> None:
    response = owner.request("GET", f"/runs/{media_run}/media")
    assert response.status_code == 200, response.text
    keys = {k["key"]: (k["type"], k["steps"]) for k in response.json()["keys"]}
    assert keys == {
        "samples": ("image-file", [5]),
        "page": ("html-file", [5]),
        "w": ("histogram", [0, 1, 2, 3]),
    }


def test_an_item_url_downloads_the_image_as_an_attachment(owner: User, media_run: str) -> None:
    body = owner.request("GET", f"/runs/{media_run}/media/item", params={"key": "samples", "step": 9}).json()
    assert (body["step"], body["requested_step"], body["exact"]) == (5, 9, False)
    got = httpx.get(body["descriptor"]["url"], timeout=30)  # no bearer token: the URL is the grant
    assert got.status_code == 200 and got.content == png_bytes(8, 8, (255, 0, 0))
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("attachment")


def test_html_is_never_served_as_a_page(owner: User, media_run: str) -> None:
    body = owner.request("GET", f"/runs/{media_run}/media/item", params={"key": "page", "step": 5}).json()
    assert body["exact"] is True and body["type"] == "html-file"
    got = httpx.get(body["descriptor"]["url"], timeout=30)
    assert got.content == HTML
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"].startswith("attachment")
    assert "sandbox" in got.headers["content-security-policy"]
    assert got.headers["x-content-type-options"] == "nosniff"


def test_histograms_return_every_step(owner: User, media_run: str) -> None:
    body = owner.request("GET", f"/runs/{media_run}/media/histograms", params={"key": "w"}).json()
    assert [s["step"] for s in body["steps"]] == [0, 1, 2, 3]
    assert body["steps"][3]["values"] == [1, 3, 3]


def test_missing_media_and_bad_parameters_name_the_field(owner: User, media_run: str) -> None:
    before = owner.request("GET", f"/runs/{media_run}/media/item", params={"key": "samples", "step": 1})
    assert before.status_code == 404 and before.json()["error"]["field"] == "step"
    no_step = owner.request("GET", f"/runs/{media_run}/media/item", params={"key": "samples"})
    assert no_step.status_code in (400, 422)
    assert owner.request("GET", f"/runs/{media_run}/media/histograms").status_code in (400, 422)


def test_another_user_cannot_read_a_private_runs_media(module_server: LocalServer, media_run: str) -> None:
    mallory = register(module_server)
    for path in ("/media", "/media/item?key=samples&step=5", "/media/histograms?key=w"):
        assert mallory.request("GET", f"/runs/{media_run}{path}").status_code == 404


def test_one_file_by_a_descriptors_path_with_or_without_wandbs_media_prefix(
    owner: User, media_run: str
) -> None:
    img, _ = image("samples", 5, png_bytes(8, 8, (255, 0, 0)))
    for path in (img["path"], "media/" + img["path"]):
        response = owner.request("GET", f"/runs/{media_run}/file", params={"path": path})
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["path"] == path and body["size"] == img["size"]
        data = httpx.get(body["url"], timeout=30).content
        assert hashlib.sha256(data).hexdigest() == img["sha256"]


def test_one_file_that_is_not_there_or_leaves_the_run_is_refused_naming_path(
    owner: User, media_run: str
) -> None:
    missing = owner.request("GET", f"/runs/{media_run}/file", params={"path": "image/nothing.png"})
    assert missing.status_code == 404 and "path" in missing.text
    for bad in ("../../files/x", "image//a.png", "/etc/passwd", ""):
        response = owner.request("GET", f"/runs/{media_run}/file", params={"path": bad})
        assert response.status_code in (400, 422), (bad, response.text)
        assert "path" in response.text


def test_history_shows_media_descriptors_as_objects_in_json_and_names_them_in_parquet(
    owner: User, media_run: str
) -> None:
    import io

    import pyarrow.parquet as pq

    response = owner.request("GET", f"/runs/{media_run}/history", params={"keys": "samples,w"})
    assert response.status_code == 200, response.text
    rows = {row["_step"]: row for row in response.json()["rows"]}
    assert rows[5]["samples"]["_type"] == "image-file" and rows[5]["samples"]["caption"] == "red"
    assert rows[2]["w"]["_type"] == "histogram"
    parquet = owner.request(
        "GET", f"/runs/{media_run}/history", params={"keys": "samples,w", "format": "parquet"}
    )
    notes = pq.ParquetFile(io.BytesIO(parquet.content)).metadata.metadata
    assert sorted(json.loads(notes[b"wanllmdb.media_keys"])) == ["samples", "w"]
