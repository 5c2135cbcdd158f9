"""Runs table: 10,000 runs filtered and sorted by a config field and a summary field in one request.

Seeds the runs through RunService into the data dir of a real local server (the same code the API
runs, without 10,000 HTTP round trips), then times GET /api/projects/{id}/runs over HTTP.
Baseline in the same run: the same listing with no filter and the default order.
Also times a page right after a run's summary changed (the row cache reads that row again, not the
other rows) and the next page of a filtered list (scrolling).
Target (docs/BRIEF.md §4): < 1 s on this machine, at 100,000 runs too (issue 22).

    python benchmarks/runs_table.py [--runs 10000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _server import local_server

from wanllmdb_functions.app.storage import build_storage
from wanllmdb_functions.core.settings import Settings
from wanllmdb_functions.identity.authn import resolve_caller
from wanllmdb_functions.projects.models import ProjectCreate
from wanllmdb_functions.projects.service import ProjectService
from wanllmdb_functions.runs.models import RunCreate, SummaryPatch
from wanllmdb_functions.runs.service import RunService


def seed(data_dir: Path, key: str, n: int) -> str:
    settings = Settings(data_dir=data_dir)
    storage = build_storage(settings)
    caller = resolve_caller(storage.items, key, session_ttl_s=60)
    project, _ = ProjectService(storage.items).create(caller, ProjectCreate(name="table-bench"))
    runs = RunService(storage.items, storage.blobs, settings)
    rng = random.Random(7)
    started = time.perf_counter()
    for i in range(n):
        config = {
            "lr": rng.choice([1e-4, 3e-4, 1e-3, 3e-3]),
            "batch_size": rng.choice([32, 64, 128, 256]),
            "optimizer": {"name": rng.choice(["adam", "sgd", "adamw"]), "weight_decay": rng.random() / 10},
            "model": {"layers": rng.randint(2, 48), "width": rng.choice([256, 512, 1024])},
            "seed": i,
        }
        run_id = f"b{i:06d}"
        runs.create(caller, project.id, RunCreate(id=run_id, config=config, tags=[rng.choice(["a", "b"])]))
        runs.patch_summary(caller, run_id, SummaryPatch(summary={
            "loss": rng.random(), "accuracy": rng.random(), "epoch": rng.randint(1, 100),
        }))  # fmt: skip
        if i and i % 2000 == 0:
            print(f"  seeded {i} runs ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"seeded {n} runs in {time.perf_counter() - started:.1f} s")
    return project.id


def timed(client: httpx.Client, path: str, params: dict[str, str], repeat: int) -> tuple[float, dict]:
    times, body = [], {}
    for _ in range(repeat):
        started = time.perf_counter()
        resp = client.get(path, params=params)
        times.append(time.perf_counter() - started)
        resp.raise_for_status()
        body = resp.json()
    return statistics.median(times), body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        with local_server(data_dir) as (url, key):
            project_id = seed(data_dir, key, args.runs)
            path = f"/api/projects/{project_id}/runs"
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
                base, _ = timed(client, path, {"per_page": "50"}, args.repeat)
                filters = {"config.optimizer.name": "adam", "config.lr": {"$lte": 1e-3},
                           "summary.accuracy": {"$gte": 0.5}}  # fmt: skip
                params = {"filters": json.dumps(filters), "order": "-summary.loss", "per_page": "50"}
                filtered, body = timed(client, path, params, args.repeat)
                params2 = {
                    "filters": json.dumps({"summary.loss": {"$lt": 0.5}}),
                    "order": "config.model.layers",
                }
                by_config, body2 = timed(client, path, params2, args.repeat)
                # A live project: a run's summary changes; the next page reads that row again.
                client.patch(
                    "/api/runs/b000001/summary",
                    params={"project_id": project_id},
                    json={"summary": {"loss": 0.01}},
                ).raise_for_status()
                after_write, _ = timed(client, path, params, 1)
                cursor = body.get("next_cursor")
                scrolled, _ = timed(client, path, {**params, "cursor": cursor}, args.repeat)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"runs: {args.runs}, median of {args.repeat} requests each "
        f"(load average {load}, {os.cpu_count()} CPUs)"
    )
    print(f"baseline  list, default order, no filter        : {base * 1000:7.1f} ms")
    print(f"filter config+summary, sort -summary.loss      : {filtered * 1000:7.1f} ms  "
          f"({body['total']} match, ratio {filtered / base:.2f}x baseline)")  # fmt: skip
    print(f"filter summary, sort config.model.layers       : {by_config * 1000:7.1f} ms  "
          f"({body2['total']} match, ratio {by_config / base:.2f}x baseline)")  # fmt: skip
    print(f"the filtered page right after a run's summary changed: {after_write * 1000:7.1f} ms "
          "(the changed row read again)")  # fmt: skip
    print(f"the filtered list's next page (scrolling)     : {scrolled * 1000:7.1f} ms")
    worst = max(filtered, by_config, after_write, scrolled)
    print(f"target < 1000 ms: {'PASS' if worst < 1 else 'FAIL'} ({worst * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
