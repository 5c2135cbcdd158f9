"""Fixtures for the artifact tests: an online run against the module's real server, isolated caches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import wanllmdb
from tests.conftest import LocalServer
from tests.sdk.conftest import admin_key
from wanllmdb.artifacts.context import ArtifactContext
from wanllmdb.run import Run


@pytest.fixture
def server_env(module_server: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The SDK pointed at the module's server, with this test's own cache dir (yielded)."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("WANLLMDB_BASE_URL", module_server.url)
    monkeypatch.setenv("WANLLMDB_API_KEY", admin_key(module_server.data_dir))
    monkeypatch.setenv("WANLLMDB_CACHE_DIR", str(cache))
    monkeypatch.setenv("WANLLMDB_SILENT", "true")
    yield cache
    ArtifactContext.forget_all()


OnlineRun = Callable[..., Run]


@pytest.fixture
def online_run(server_env: Path, tmp_path: Path) -> OnlineRun:
    def start(project: str = "artifacts", **kwargs: Any) -> Run:
        settings = {"system_metrics": False, "console": "off", "git": False, **kwargs.pop("settings", {})}
        return wanllmdb.init(project=project, dir=tmp_path, settings=settings, **kwargs)

    return start


def write_tree(root: Path, n: int, *, size: int = 64, tag: str = "") -> dict[str, bytes]:
    """n small files under root (in a few subdirectories); returns path → bytes."""
    files = {}
    for i in range(n):
        rel = f"d{i % 4}/f{i:05d}.bin"
        data = (f"{tag}file {i} ".encode() * (size // 8 + 1))[:size]
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        files[rel] = data
    return files
