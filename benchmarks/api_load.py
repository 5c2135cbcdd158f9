"""API latency under 50 concurrent clients against a real local server (the plan's bar: p95 < 200 ms).

Each client loops for a bounded time: create a run, heartbeat, patch its summary, list the project's
runs (first page), pausing `--think-ms` after each request. `--think-ms 0` (the default) is a closed
loop, the worst case: 50 requests are always queued. An SDK paces itself (heartbeats every few
seconds, a summary patch and a grant batch per flush), which `--think-ms 1000` approximates;
client starts are staggered over one think time.
Baseline in the same run: GET /api/health with the same clients and pacing, the floor of this
server on this machine. Prints p50, p95 and p99 per operation and the ratio to the baseline, and the
server's CPU time per request in each phase: latencies swing with whatever else the machine runs,
while CPU per request says what a change to the server saved.

    python benchmarks/api_load.py [--clients 50] [--seconds 20] [--think-ms 0]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import aiohttp
from _server import cpu_seconds, local_server_process, percentile

Samples = dict[str, list[float]]


async def _timed(
    samples: Samples, errors: Samples, op: str, session: aiohttp.ClientSession, method: str, url: str,
    **kwargs: Any,
) -> None:  # fmt: skip
    started = time.perf_counter()
    try:
        async with session.request(method, url, **kwargs) as resp:
            await resp.read()
            status = resp.status
    except aiohttp.ClientError:
        errors[op].append(time.perf_counter() - started)
        return
    samples[op].append(time.perf_counter() - started)
    if status >= 400:
        errors[op].append(0.0)


async def _client_loop(
    session: aiohttp.ClientSession, project_id: str, ids: itertools.count, deadline: float,
    samples: Samples, errors: Samples, think_s: float,
) -> None:  # fmt: skip
    step = 0
    # Real clients are not synchronised: stagger the starts so they do not arrive as one burst.
    await asyncio.sleep(random.uniform(0, think_s))
    while time.perf_counter() < deadline:
        run_id = f"load-{next(ids)}"
        await _timed(samples, errors, "create run", session, "POST", f"/api/projects/{project_id}/runs",
                     json={"id": run_id, "config": {"lr": 0.001, "batch": 64}})  # fmt: skip
        await asyncio.sleep(think_s)
        await _timed(samples, errors, "heartbeat", session, "POST", f"/api/runs/{run_id}/heartbeat")
        await asyncio.sleep(think_s)
        step += 1
        await _timed(samples, errors, "patch summary", session, "PATCH", f"/api/runs/{run_id}/summary",
                     json={"summary": {"loss": 1 / step, "step": step}})  # fmt: skip
        await asyncio.sleep(think_s)
        await _timed(samples, errors, "list runs", session, "GET", f"/api/projects/{project_id}/runs",
                     params={"order": "-summary.loss", "per_page": "50"})  # fmt: skip
        await asyncio.sleep(think_s)


async def _health_loop(
    session: aiohttp.ClientSession, deadline: float, samples: Samples, errors: Samples, think_s: float
) -> None:
    await asyncio.sleep(random.uniform(0, think_s))
    while time.perf_counter() < deadline:
        await _timed(samples, errors, "health (baseline)", session, "GET", "/api/health")
        await asyncio.sleep(think_s)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(
    url: str, key: str, clients: int, seconds: float, think_s: float, server_pid: int
) -> tuple[Samples, Samples, float, dict[str, float]]:
    """Returns the samples, the errors, the share of one core this driver used while measuring, and
    the server's CPU milliseconds per request in each phase."""
    headers = {"Authorization": f"Bearer {key}"}
    # aiohttp rather than httpx: at 50 closed-loop clients httpx alone kept a core busy, so the
    # figures measured the client's queue instead of the server's.
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
        async with session.post("/api/projects", json={"name": "api-load"}) as project:
            project.raise_for_status()
            project_id = (await project.json())["id"]
        samples: Samples = defaultdict(list)
        errors: Samples = defaultdict(list)
        started, cpu = time.perf_counter(), _cpu_s()
        deadline = time.perf_counter() + max(5.0, seconds / 4)
        server_cpu = cpu_seconds(server_pid)
        await asyncio.gather(
            *(_health_loop(session, deadline, samples, errors, think_s) for _ in range(clients))
        )
        health_cpu = cpu_seconds(server_pid)
        ids = itertools.count()
        deadline = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _client_loop(session, project_id, ids, deadline, samples, errors, think_s)
                for _ in range(clients)
            )
        )
        api_cpu = cpu_seconds(server_pid)
        driver_load = (_cpu_s() - cpu) / (time.perf_counter() - started)
    health_n = len(samples["health (baseline)"])
    api_n = sum(len(v) for op, v in samples.items() if op != "health (baseline)")
    per_request = {
        "health (baseline)": 1000 * (health_cpu - server_cpu) / max(1, health_n),
        "API mix": 1000 * (api_cpu - health_cpu) / max(1, api_n),
    }
    return samples, errors, driver_load, per_request


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause after each request")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, local_server_process(Path(tmp) / "data") as server:
        key = (Path(tmp) / "data" / "admin-api-key").read_text().strip()
        samples, errors, driver_load, cpu_per_request = asyncio.run(
            drive(server.url, key, args.clients, args.seconds, args.think_ms / 1000, server.process.pid)
        )
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
    print("server CPU per request: " + ", ".join(f"{op} {ms:.2f} ms" for op, ms in cpu_per_request.items()))
    # One interpreter runs Python on one core at a time: its CPU per request bounds its throughput,
    # and a closed loop of N clients then waits about N requests' worth of it.
    mix = cpu_per_request["API mix"]
    print(
        f"at {mix:.2f} ms a request one server process answers at most about {1000 / mix:.0f} requests/s, "
        f"so {args.clients} closed-loop clients wait about {args.clients * mix:.0f} ms a request on average"
    )
    print(f"load driver used {driver_load:.0%} of a core" + (
        ": saturated, so these figures include the driver's own queueing" if driver_load > 0.8 else ""
    ))  # fmt: skip


if __name__ == "__main__":
    main()
