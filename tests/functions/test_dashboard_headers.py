"""The embedded server sends the dashboard's strict CSP and security headers on every page, asset and
API answer; user-content downloads keep their own sandbox (tests/functions/test_blob_endpoint.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wanllmdb_functions.core.security_headers import DASHBOARD_CSP, DASHBOARD_HEADERS
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.local_server import build_local_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("dashboard-headers")
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text('<!doctype html><script type="module" src="/assets/app.js"></script>')
    (dist / "assets" / "app.js").write_text("console.log('app')")
    app = build_local_app(Settings(data_dir=root / "data", web_dist=dist), owns_process=False)
    with TestClient(app) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", "/projects/p1/runs/r1", "/assets/app.js", "/api/health", "/api/nope"])
def test_every_answer_carries_the_dashboard_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    for name, value in DASHBOARD_HEADERS.items():
        assert response.headers[name] == value, (path, name)


def test_the_policy_allows_no_inline_or_foreign_script() -> None:
    directives = dict(d.strip().split(" ", 1) for d in DASHBOARD_CSP.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "'unsafe-eval'" not in DASHBOARD_CSP
    # Only style attributes may be inline: never a script, a <style> element or a stylesheet.
    assert [d for d in directives.values() if "'unsafe-inline'" in d] == ["'unsafe-inline'"]
    assert directives["style-src-attr"] == "'unsafe-inline'"


def test_index_html_has_no_inline_script_the_policy_would_block() -> None:
    # The built dashboard must work under its own CSP: every script is a file of this origin.
    index = Path(__file__).resolve().parents[2] / "web" / "index.html"
    html = index.read_text()
    assert "<script" in html
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">", 1)[0], "an inline <script> in web/index.html would be blocked"
