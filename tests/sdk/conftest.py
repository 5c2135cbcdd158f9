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


# -- against a real local server (tests/conftest.py starts `wanllmdb server` as a process) ----------------
REPO = Path(__file__).resolve().parents[2]


def admin_key(data_dir: Path) -> str:
    return (data_dir / "admin-api-key").read_text().strip()


def lake_table(data_dir: Path, run_id: str, stream: str = "history") -> pa.Table | None:
    """Every chunk of one run's stream in the server's lake, or None when there is none."""
    if stream == "logs":
        files = sorted((data_dir / "lake" / "logs").glob(f"project=*/run={run_id}/*.parquet"))
    else:
        files = sorted(
            (data_dir / "lake" / "metrics").glob(f"project=*/run={run_id}/stream={stream}/*.parquet")
        )
    if not files:
        return None
    return pa.concat_tables([pq.read_table(f) for f in files])


def sdk_env(url: str, key: str, spool: Path, **extra: str) -> dict[str, str]:
    """Environment for a child training process: this checkout's SDK, the server, a spool dir."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("WANLLMDB_")}
    env.update(
        {
            "PYTHONPATH": f"{REPO / 'sdk'}{os.pathsep}{REPO / 'functions'}",
            "WANLLMDB_BASE_URL": url,
            "WANLLMDB_API_KEY": key,
            "WANLLMDB_DIR": str(spool),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env
