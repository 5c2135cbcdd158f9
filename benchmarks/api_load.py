"""API latency under 50 concurrent clients against a real local server (the plan's bar: p95 < 200 ms).

Each client loops for a bounded time: create a run, heartbeat, patch its summary, list the project's
runs (first page), pausing `--think-ms` after each request. `--think-ms 0` (the default) is a closed
loop, the worst case: 50 requests are always queued. An SDK paces itself (heartbeats every few
seconds, a summary patch and a grant batch per flush), which `--think-ms 1000` approximates;
client starts are staggered over one think time.
Baseline in the same run: GET /api/health with the same clients and pacing, the floor of this
server on this machine. Prints p50, p95 and p99 per operation and the ratio to the baseline.

    python benchmarks/api_load.py [--clients 50] [--seconds 20] [--think-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from _server import local_server, percentile

Samples = dict[str, list[float]]


async def _timed(samples: Samples, errors: Samples, op: str, call: object) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        resp: httpx.Response = await call  # type: ignore[misc]
    except httpx.HTTPError:
        errors[op].append(time.perf_counter() - started)
        return None
    samples[op].append(time.perf_counter() - started)
    if resp.status_code >= 400:
        errors[op].append(0.0)
    return resp


async def _client_loop(
    client: httpx.AsyncClient, project_id: str, ids: itertools.count, deadline: float, samples: Samples,
    errors: Samples, think_s: float,
) -> None:  # fmt: skip
    step = 0
    # Real clients are not synchronised: stagger the starts so they do not arrive as one burst.
    await asyncio.sleep(random.uniform(0, think_s))
    while time.perf_counter() < deadline:
        run_id = f"load-{next(ids)}"
        await _timed(samples, errors, "create run", client.post(
            f"/api/projects/{project_id}/runs", json={"id": run_id, "config": {"lr": 0.001, "batch": 64}},
        ))  # fmt: skip
        await asyncio.sleep(think_s)
        await _timed(samples, errors, "heartbeat", client.post(f"/api/runs/{run_id}/heartbeat"))
        await asyncio.sleep(think_s)
        step += 1
        await _timed(samples, errors, "patch summary", client.patch(
            f"/api/runs/{run_id}/summary", json={"summary": {"loss": 1 / step, "step": step}},
        ))  # fmt: skip
        await asyncio.sleep(think_s)
        await _timed(samples, errors, "list runs", client.get(
            f"/api/projects/{project_id}/runs", params={"order": "-summary.loss", "per_page": 50},
        ))  # fmt: skip
        await asyncio.sleep(think_s)


async def _health_loop(
    client: httpx.AsyncClient, deadline: float, samples: Samples, errors: Samples, think_s: float
) -> None:
    await asyncio.sleep(random.uniform(0, think_s))
    while time.perf_counter() < deadline:
        await _timed(samples, errors, "health (baseline)", client.get("/api/health"))
        await asyncio.sleep(think_s)


async def drive(url: str, key: str, clients: int, seconds: float, think_s: float) -> tuple[Samples, Samples]:
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits) as client:
        project = await client.post("/api/projects", json={"name": "api-load"})
        project.raise_for_status()
        project_id = project.json()["id"]
        samples: Samples = defaultdict(list)
        errors: Samples = defaultdict(list)
        deadline = time.perf_counter() + max(5.0, seconds / 4)
        await asyncio.gather(
            *(_health_loop(client, deadline, samples, errors, think_s) for _ in range(clients))
        )
        ids = itertools.count()
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _client_loop(client, project_id, ids, deadline, samples, errors, think_s)
                for _ in range(clients)
            )
        )
    return samples, errors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause after each request")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, local_server(Path(tmp) / "data") as (url, key):
        samples, errors = asyncio.run(drive(url, key, args.clients, args.seconds, args.think_ms / 1000))
    base = percentile(samples["health (baseline)"], 95)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.clients} concurrent clients, {args.seconds:.0f} s, think {args.think_ms:.0f} ms; "
        f"latency in ms (load average {load})"
    )
    print(f"{'operation':<20}{'n':>7}{'errors':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'p95/baseline':>14}")
    worst = 0.0
    for op, times in samples.items():
        p50, p95, p99 = (percentile(times, q) * 1000 for q in (50, 95, 99))
        if op != "health (baseline)":
            worst = max(worst, p95)
        print(f"{op:<20}{len(times):>7}{len(errors.get(op, [])):>8}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}"
              f"{p95 / 1000 / base:>13.1f}x")  # fmt: skip
    print(f"bar p95 < 200 ms: {'PASS' if worst < 200 else 'FAIL'} (worst p95 {worst:.0f} ms)")


if __name__ == "__main__":
    main()
