"""The PostgreSQL item store against SQLite (issue 23): run creation, and the runs-table query.

For each store, a real `wanllmdb server` (PostgreSQL through WANLLMDB_ITEM_STORE_URL, a throwaway
cluster with PostgreSQL's own durable defaults; SQLite syncing every commit) is seeded through
RunService, timing run creation (a create and a summary patch per run, as the SDK makes them), then
GET /api/projects/{id}/runs is timed over HTTP: a filtered, sorted first page, the first time
(every row read) and again (the row cache's rows). SQLite is the baseline in the same run.

    python benchmarks/backends_items.py [--runs 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx
from _server import local_server
from runs_table import seed, timed

from tests.postgres_server import find_pg_bin, postgres_server

FILTERS = {"config.optimizer.name": "adam", "config.lr": {"$lte": 1e-3}, "summary.accuracy": {"$gte": 0.5}}


@contextmanager
def item_store(backend: str) -> Iterator[dict[str, str]]:
    """The server environment that picks the store."""
    if backend == "sqlite":
        with nullcontext():
            yield {}
        return
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise SystemExit("no PostgreSQL binaries: run `make pg`")
    with postgres_server(bin_dir, durable=True) as dsn:
        yield {"WANLLMDB_ITEM_STORE_URL": dsn}


def measure(backend: str, runs: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, item_store(backend) as env:
        data_dir = Path(tmp) / "data"
        os.environ.update(env)  # seed() builds its storage from the same settings as the server
        try:
            with local_server(data_dir, env=env) as (url, key):
                started = time.perf_counter()
                project_id = seed(data_dir, key, runs)
                created = runs / (time.perf_counter() - started)
                params = {"filters": json.dumps(FILTERS), "order": "-summary.loss", "per_page": "50"}
                path = f"/api/projects/{project_id}/runs"
                with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120) as c:
                    first, _ = timed(c, path, params, 1)
                    warm, _ = timed(c, path, params, repeat)
        finally:
            for name in env:
                os.environ.pop(name, None)
    return {"created_per_s": created, "first_ms": first * 1000, "warm_ms": warm * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {backend: measure(backend, args.runs, args.repeat) for backend in ("sqlite", "postgres")}
    base, pg = results["sqlite"], results["postgres"]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{args.runs} runs (load average {load}, {os.cpu_count()} CPUs); SQLite is the baseline")
    print(f"{'':28}{'SQLite':>12}{'PostgreSQL':>14}{'ratio':>9}")
    print(f"{'runs created per second':28}{base['created_per_s']:12.0f}{pg['created_per_s']:14.0f}"
          f"{pg['created_per_s'] / base['created_per_s']:8.2f}x")  # fmt: skip
    for label, field in (("runs table, first page (ms)", "first_ms"), ("runs table, again (ms)", "warm_ms")):
        print(f"{label:28}{base[field]:12.0f}{pg[field]:14.0f}{pg[field] / base[field]:8.2f}x")


if __name__ == "__main__":
    main()
