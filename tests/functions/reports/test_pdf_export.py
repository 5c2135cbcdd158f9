"""PDF export end to end: a report with 10 live line panels over a logged run, exported by the real
local server (serving the built dashboard, web/dist) through headless Chromium; the pages are read back
with pdftoppm and every panel's line is there."""

from __future__ import annotations

import subprocess
import time
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


def saturated_pixels(pdf: bytes, folder: Path) -> int:
    """Pixels of strong colour (chart lines; text, axes and grid lines are grey) over every page."""
    from PIL import Image

    (folder / "report.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(folder / "report.pdf"), str(folder / "page")], check=True
    )
    total = 0
    for page in sorted(folder.glob("page*.png")):
        for count, (r, g, b) in Image.open(page).convert("RGB").getcolors(maxcolors=1 << 24) or []:
            if max(r, g, b) - min(r, g, b) > 80:
                total += count
    return total


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
    # The export's own view link is gone once printed: none is left behind in the report's links.
    assert api(server, "GET", f"/reports/{report['id']}/share-links").json()["links"] == []


def test_a_reader_who_may_not_read_the_report_cannot_export_it(server: LocalServer) -> None:
    response = httpx.get(
        f"{server.url}/api/reports/r-does-not-exist/export", params={"format": "pdf"}, timeout=30
    )
    assert response.status_code in (401, 404)
