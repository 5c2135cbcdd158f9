"""A real `wanllmdb server` process on a free port for benchmarks: the test suite's own starter."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import start_local_server  # noqa: E402 - the one way a real server is started


@contextmanager
def local_server(data_dir: Path, *, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Yields (base URL, admin API key); the process is always stopped on exit."""
    server = start_local_server(data_dir, env=env)
    try:
        yield server.url, (data_dir / "admin-api-key").read_text().strip()
    finally:
        server.stop()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
