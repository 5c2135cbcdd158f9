"""The media routes read what the real SDK writes: Image (with boxes), Histogram, a gallery and Html,
logged by `wanllmdb.log` to a local server, come back with their types, steps, URLs and bins."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.conftest import LocalServer

pytestmark = pytest.mark.slow


def test_what_the_sdk_logs_the_media_routes_serve(module_server: LocalServer, tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    import wanllmdb

    key = (module_server.data_dir / "admin-api-key").read_text().strip()
    settings = {"base_url": module_server.url, "api_key": key, "system_metrics": False}
    run = wanllmdb.init(project="media-read", dir=tmp_path, settings=settings)
    pixels = np.zeros((4, 6, 3), dtype=np.uint8)
    box = {"position": {"minX": 0.1, "maxX": 0.5, "minY": 0.1, "maxY": 0.5}, "class_id": 1}
    boxes = {"pred": {"box_data": [box], "class_labels": {1: "cat"}}}
    for step in (0, 5):
        pixels[0, 0, 0] = step
        run.log(
            {
                "samples/img": wanllmdb.Image(pixels, caption=f"s{step}", boxes=boxes),
                "w": wanllmdb.Histogram([0.1 * step, 0.5, 0.9]),
                "grid": [wanllmdb.Image(pixels), wanllmdb.Image(pixels[:2])],
                "page": wanllmdb.Html("<p>hi</p>"),
            },
            step=step,
        )
    run.finish()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=f"{module_server.url}/api/runs/{run.id}", headers=headers, timeout=30) as http:
        listed = {k["key"]: k for k in http.get("/media").raise_for_status().json()["keys"]}
        assert {k: (v["type"], v["steps"]) for k, v in listed.items()} == {
            "samples/img": ("image-file", [0, 5]),
            "w": ("histogram", [0, 5]),
            "grid": ("gallery", [0, 5]),
            "page": ("html-file", [0, 5]),
        }
        assert listed["grid"]["item_type"] == "image-file"
        item = http.get("/media/item", params={"key": "samples/img", "step": 3}).raise_for_status().json()
        assert (item["step"], item["exact"], item["descriptor"]["caption"]) == (0, False, "s0")
        assert item["descriptor"]["boxes"]["pred"]["box_data"][0]["class_id"] == 1
        png = httpx.get(item["descriptor"]["url"], timeout=30)
        assert png.content[:4] == b"\x89PNG" and png.headers["content-disposition"].startswith("attachment")
        grid = http.get("/media/item", params={"key": "grid", "step": 5}).raise_for_status().json()
        assert all(i["url"] for i in grid["descriptor"]["items"])
        page = http.get("/media/item", params={"key": "page", "step": 5}).raise_for_status().json()
        html = httpx.get(page["descriptor"]["url"], timeout=30)
        assert b"<p>hi</p>" in html.content and html.headers["content-type"] == "application/octet-stream"
        hists = http.get("/media/histograms", params={"key": "w"}).raise_for_status().json()["steps"]
        assert [h["step"] for h in hists] == [0, 5] and all(sum(h["values"]) == 3 for h in hists)
