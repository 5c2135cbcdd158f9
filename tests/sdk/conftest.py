"""SDK fixtures: an isolated environment (no real keys, no stray WANLLMDB_* settings) and offline runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import wanllmdb
from wanllmdb.run import Run


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for var in (
        "WANLLMDB_BASE_URL",
        "WANLLMDB_API_KEY",
        "WANLLMDB_PROJECT",
        "WANLLMDB_ENTITY",
        "WANLLMDB_MODE",
        "WANLLMDB_DIR",
        "WANLLMDB_DATA_DIR",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("WANLLMDB_DATA_DIR", str(tmp_path / "no-server-data"))
    yield
    if wanllmdb.run is not None:
        wanllmdb.run.finish()


OfflineRun = Callable[..., Run]


@pytest.fixture
def offline_run(tmp_path: Path) -> OfflineRun:
    """Start an offline run in a temp dir; system metrics off unless asked, so tests stay fast."""

    def start(**kwargs: Any) -> Run:
        settings = {"system_metrics": False, **kwargs.pop("settings", {})}
        kwargs.setdefault("project", "tests")
        return wanllmdb.init(mode="offline", dir=tmp_path, settings=settings, **kwargs)

    return start


def read_stream(run_dir: Path, stream: str) -> pa.Table:
    files = sorted((run_dir / "chunks").glob(f"{stream}-*.parquet"))
    assert files, f"no {stream} chunks in {run_dir}"
    return pa.concat_tables([pq.read_table(f) for f in files])


def rows(run_dir: Path, stream: str = "history") -> list[tuple[int, str, float]]:
    t = read_stream(run_dir, stream)
    return sorted(zip(t["step"].to_pylist(), t["key"].to_pylist(), t["value"].to_pylist(), strict=True))
