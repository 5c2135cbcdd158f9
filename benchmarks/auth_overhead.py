"""What authentication costs per request on the embedded server: bearer routes vs the open health route.

Runs a real `wanllmdb server` on a free port and times sequential keep-alive requests; prints
per-request latency and the ratio to /api/health measured in the same run.

    python benchmarks/auth_overhead.py [--requests 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import start_local_server


def timed(client: httpx.Client, method: str, path: str, n: int, **kwargs: Any) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        response = client.request(method, path, **kwargs)
        samples.append(time.perf_counter() - start)
        assert response.status_code < 400, response.text
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        server = start_local_server(Path(tmp) / "data")
        try:
            key = (server.data_dir / "admin-api-key").read_text().strip()
            as_key = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=server.url) as client:
                session = client.post("/api/auth/login", json={"username": "admin", "password": key}).json()
                as_session = {"Authorization": f"Bearer {session['token']}"}
                client.post("/api/orgs", json={"name": "bench"}, headers=as_key)  # one membership to resolve
                rows = {
                    "GET /api/health (no auth)": timed(client, "GET", "/api/health", n),
                    "GET /api/auth/me (API key)": timed(client, "GET", "/api/auth/me", n, headers=as_key),
                    "GET /api/auth/me (session)": timed(client, "GET", "/api/auth/me", n, headers=as_session),
                    "POST /api/keys (auth + write + audit)": timed(
                        client, "POST", "/api/keys", max(n // 5, 20), json={"name": "b"}, headers=as_key
                    ),
                }
        finally:
            server.stop()
    base = statistics.median(rows["GET /api/health (no auth)"])
    for name, samples in rows.items():
        median = statistics.median(samples)
        p95 = statistics.quantiles(samples, n=20)[-1]
        ratio = median / base
        print(f"{name:40s} median {median * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms  x{ratio:5.2f} of health")


if __name__ == "__main__":
    main()
