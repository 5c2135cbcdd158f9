"""A real `wanllmdb server` process on a free port for benchmarks: the test suite's own starter."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import psutil  # noqa: E402

from tests.conftest import LocalServer, start_local_server  # noqa: E402 - the one way a real server is started


@contextmanager
def local_server_process(data_dir: Path, *, env: dict[str, str] | None = None) -> Iterator[LocalServer]:
    """Yields the running server (its URL and process); it is always stopped on exit."""
    server = start_local_server(data_dir, env=env)
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def local_server(data_dir: Path, *, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Yields (base URL, admin API key); the process is always stopped on exit."""
    with local_server_process(data_dir, env=env) as server:
        yield server.url, (data_dir / "admin-api-key").read_text().strip()


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, all its threads: a cost that other load on the machine
    does not inflate the way it inflates latencies."""
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
