"""A real `wanllmdb server` process on a free port for benchmarks (same start-up as the test fixture)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_server(data_dir: Path, *, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Yields (base URL, admin API key); the process is always stopped on exit."""
    port = _free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = os.pathsep.join([str(REPO / "sdk"), str(REPO / "functions"), os.environ.get("PYTHONPATH", "")])
    log = (data_dir.parent / "server.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "wanllmdb.cli", "server", "--port", str(port), "--data-dir", str(data_dir)],
        stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
        env={**os.environ, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1", **(env or {})},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start; see {data_dir.parent / 'server.log'}")
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url, (data_dir / "admin-api-key").read_text().strip()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
