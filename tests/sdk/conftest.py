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
        "WANLLMDB_SILENT",
        "WANLLMDB_QUIET",
        "WANLLMDB_CONSOLE",
        "WANLLMDB_INIT_TIMEOUT",
        "WANLLMDB_FINISH_TIMEOUT",
        "WANLLMDB_DISABLE_GIT",
        "WANLLMDB_SAVE_CODE",
        "WANLLMDB_CACHE_DIR",
        "WANLLMDB_CACHE_MAX_BYTES",
        "WANLLMDB_ARTIFACT_MULTIPART_BYTES",
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


def online_settings(server: Any, **extra: Any) -> dict[str, Any]:
    """Settings of an online run against a test server, as the admin, without system metrics."""
    return {"base_url": server.url, "api_key": admin_key(server.data_dir), "system_metrics": False, **extra}


def _visible(files: list[Path]) -> list[Path]:
    """The objects a reader uses (docs/lake.md): newest compacted files plus the chunks they do not cover."""
    from wanllmdb_functions.lake.keys import parse_chunk, parse_compacted

    compacted = [(f, c) for f in files if (c := parse_compacted(f.name)) is not None]
    newest = [
        (f, c) for f, c in compacted if not any(o.high != c.high and o.dominates(c) for _, o in compacted)
    ]
    chunks = [
        f
        for f in files
        if (ch := parse_chunk(f.name)) is not None and not any(c.covers(ch) for _, c in newest)
    ]
    return [f for f, _ in newest] + chunks


def _plain(table: pa.Table) -> pa.Table:
    # Chunks (pyarrow) and compacted files (Polars) spell the same columns with different Arrow
    # types (dictionary index width, large_string): decode to plain strings so they concatenate.
    columns = []
    for column in table.columns:
        kind = column.type.value_type if pa.types.is_dictionary(column.type) else column.type
        columns.append(
            column.cast(pa.string()) if pa.types.is_large_string(kind) or kind != column.type else column
        )
    return pa.table(columns, names=table.column_names)


def lake_table(data_dir: Path, run_id: str, stream: str = "history") -> pa.Table | None:
    """One run stream's rows as a reader sees them, or None when there are none.

    The server compacts a run when it finishes, so chunks can be replaced by one compacted file
    while this reads: read the consistent set, and list again if an object vanished meanwhile.
    """
    for _ in range(10):
        if stream == "logs":
            files = sorted((data_dir / "lake" / "logs").glob(f"project=*/run={run_id}/*.parquet"))
        else:
            files = _visible(
                sorted(
                    (data_dir / "lake" / "metrics").glob(f"project=*/run={run_id}/stream={stream}/*.parquet")
                )
            )
        if not files:
            return None
        try:
            return pa.concat_tables([_plain(pq.read_table(f)) for f in files], promote_options="permissive")
        except FileNotFoundError:
            continue
    raise AssertionError(f"the lake of run {run_id} kept changing while it was read")


def wait_compacted(data_dir: Path, run_id: str, stream: str = "history", timeout_s: float = 30.0) -> None:
    """Wait until the server's compaction on finish has left one compacted file and no chunk."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        names = [
            p.name for p in (data_dir / "lake" / "metrics").glob(f"project=*/run={run_id}/stream={stream}/*")
        ]
        if len(names) == 1 and names[0].startswith("compact-"):
            return
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} was not compacted within {timeout_s}s")


def run_sync(env: dict[str, str], *spools: Path, timeout: float = 120, check: bool = True) -> Any:
    """`wanllmdb sync` of the spools in a child process; with `check`, it must succeed."""
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "wanllmdb.cli", "sync", *map(str, spools)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


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
