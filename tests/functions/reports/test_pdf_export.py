"""PDF and pictured-markdown exports end to end: a report with 10 live line panels over a logged run,
exported by the real local server (serving the built dashboard, web/dist) through headless Chromium;
the PDF's pages are read back with pdftoppm, and the zip's pictures one by one, and every panel's line
is there."""

from __future__ import annotations

import io
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import wanllmdb
from tests.conftest import LocalServer, start_local_server
from tests.sdk.conftest import REPO, admin_key, online_settings

pytestmark = pytest.mark.slow

WEB_DIST = REPO / "web" / "dist"
PANELS = 10


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    assert (WEB_DIST / "index.html").is_file(), "build the dashboard first: make web-build"
    started = start_local_server(
        tmp_path_factory.mktemp("pdf") / "data", env={"WANLLMDB_WEB_DIST": str(WEB_DIST)}
    )
    try:
        yield started
    finally:
        started.stop()


def api(server: LocalServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {admin_key(server.data_dir)}"}
    return httpx.request(method, f"{server.url}/api{path}", headers=headers, timeout=120, **kwargs)


def coloured_pixels(picture: Path | io.BytesIO) -> int:
    """Pixels of strong colour (chart lines; text, axes and grid lines are grey) in one picture."""
    from PIL import Image

    colours = Image.open(picture).convert("RGB").getcolors(maxcolors=1 << 24) or []
    return sum(count for count, (r, g, b) in colours if max(r, g, b) - min(r, g, b) > 80)


def saturated_pixels(pdf: bytes, folder: Path) -> int:
    """Pixels of strong colour over every page of the PDF."""
    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(folder / "report.pdf"), str(folder / "page")], check=True
    )
    return sum(coloured_pixels(page) for page in sorted(folder.glob("page*.png")))


def report_with_panels(server: LocalServer, tmp_path: Path, metrics: list[str]) -> dict[str, Any]:
    run = wanllmdb.init(project="pdf-export", dir=tmp_path, settings=online_settings(server))
    for step in range(50):
        run.log({key: (i + 1) * (step % 10) for i, key in enumerate(metrics)})
    run.finish()
    project = api(server, "GET", "/projects").json()
    projects = (
        project.get("projects", project.get("items", project)) if isinstance(project, dict) else project
    )
    (found,) = [p for p in projects if p["name"] == "pdf-export"]
    panels = [
        {"id": f"p{i}", "type": "line", "title": key, "config": {"metric": key},
         "layout": {"x": 12 * (i % 2), "y": 6 * (i // 2), "w": 12, "h": 6}}
        for i, key in enumerate(metrics)
    ]  # fmt: skip
    spec = {
        "version": 1,
        "blocks": [
            {"id": "h", "type": "heading", "level": 1, "text": [{"text": "Ten panels"}]},
            {
                "id": "g",
                "type": "panel_grid",
                "run_sets": [{"id": "rs", "project": found["id"]}],
                "panels": panels,
            },
        ],
    }
    made = api(server, "POST", f"/projects/{found['id']}/reports", json={"title": "Ten panels", "spec": spec})
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_a_report_with_ten_live_panels_prints_with_every_panel_drawn(
    server: LocalServer, tmp_path: Path
) -> None:
    metrics = [f"m{i}" for i in range(PANELS)]
    report = report_with_panels(server, tmp_path, metrics)
    started = time.monotonic()
    response = api(server, "GET", f"/reports/{report['id']}/export", params={"format": "pdf"})
    took = time.monotonic() - started
    print(f"PDF export of {PANELS} live panels: {took:.1f} s")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="Ten-panels.pdf"'
    # Ten drawn lines, each hundreds of pixels at 60 dpi; panels printed before drawing have none.
    assert saturated_pixels(response.content, tmp_path) > PANELS * 150
    # and the colour is the lines, not an error banner over empty panels: the export's own link
    # reads the report's private project (it once printed "project not found" over ten blanks)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "report.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "not found" not in text and "No data" not in text, text
    # The export's own view link is gone once printed: none is left behind in the report's links.
    assert api(server, "GET", f"/reports/{report['id']}/share-links").json()["links"] == []


def test_the_markdown_zip_holds_a_drawn_picture_of_every_panel(server: LocalServer, tmp_path: Path) -> None:
    metrics = [f"z{i}" for i in range(4)]
    report = report_with_panels(server, tmp_path, metrics)
    response = api(server, "GET", f"/reports/{report['id']}/export", params={"format": "zip"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="Ten-panels.zip"'
    zipped = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(zipped.namelist()) == ["Ten-panels.md"] + [f"panels/p{i}.png" for i in range(4)]
    markdown = zipped.read("Ten-panels.md").decode()
    assert markdown.startswith('---\ntitle: "Ten panels"')
    assert "# Ten panels" in markdown
    for i, key in enumerate(metrics):
        assert f"![{key}](panels/p{i}.png)" in markdown
        # each picture is its panel, drawn: a line of strong colour, not an empty frame
        assert coloured_pixels(io.BytesIO(zipped.read(f"panels/p{i}.png"))) > 150, key
    assert "wanllmdb-panels" not in markdown
    assert api(server, "GET", f"/reports/{report['id']}/share-links").json()["links"] == []


def test_a_reader_who_may_not_read_the_report_cannot_export_it(server: LocalServer) -> None:
    response = httpx.get(
        f"{server.url}/api/reports/r-does-not-exist/export", params={"format": "pdf"}, timeout=30
    )
    assert response.status_code in (401, 404)
