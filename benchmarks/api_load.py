"""API latency under 50 concurrent clients against a real local server (the plan's bar: p95 < 200 ms).

Each client loops for a bounded time: create a run, heartbeat, patch its summary, list the project's
runs (first page), pausing `--think-ms` after each request. `--think-ms 0` (the default) is a closed
loop, the worst case: 50 requests are always queued. An SDK paces itself (heartbeats every few
seconds, a summary patch and a grant batch per flush), which `--think-ms 1000` approximates;
client starts are staggered over one think time.
Baseline in the same run: GET /api/health with the same clients and pacing, the floor of this
server on this machine. Prints p50, p95 and p99 per operation and the ratio to the baseline, and the
server's CPU time per request in each phase: latencies swing with whatever else the machine runs,
while CPU per request says what a change to the server saved. Before the load, each operation runs
alone (one client, one request at a time) to give its CPU cost without contention.

`--timeline` also prints, per half second of the load, the requests that took longer than the bar:
when they come all at once, something stopped the whole server (a garbage collection, a rebuild).

    python benchmarks/api_load.py [--clients 50] [--seconds 20] [--think-ms 0] [--timeline]
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
# (start, operation, seconds) of every request, for --timeline.
Timeline = list[tuple[float, str, float]]
TIMELINE: Timeline = []
ALONE_REQUESTS = 200
ALONE_WARMUP = 50


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
    took = time.perf_counter() - started
    samples[op].append(took)
    TIMELINE.append((started, op, took))
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


def _alone_request(op: str, project_id: str, i: int) -> tuple[str, str, dict[str, Any]]:
    run = f"/api/runs/alone-{i}"
    requests: dict[str, tuple[str, str, dict[str, Any]]] = {
        "create run": ("POST", f"/api/projects/{project_id}/runs", {"json": {"id": f"alone-{i}"}}),
        "heartbeat": ("POST", f"{run}/heartbeat", {}),
        "patch summary": ("PATCH", f"{run}/summary", {"json": {"summary": {"loss": i}}}),
        "list runs": ("GET", f"/api/projects/{project_id}/runs", {"params": {"order": "-summary.loss"}}),
    }
    return requests[op]


async def _alone(session: aiohttp.ClientSession, project_id: str, server_pid: int) -> dict[str, float]:
    """Server CPU milliseconds per request of each operation with no other request in flight, after
    a first round that pays the server's first-use costs (imports, the project's first run index)."""
    ignored: Samples = defaultdict(list)
    cost: dict[str, float] = {}
    ops = ("create run", "heartbeat", "patch summary", "list runs")
    for i in range(ALONE_REQUESTS, ALONE_REQUESTS + ALONE_WARMUP):
        for op in ops:
            method, url, kwargs = _alone_request(op, project_id, i)
            await _timed(ignored, ignored, op, session, method, url, **kwargs)
    await asyncio.sleep(2)  # the run-index rebuild those runs started
    for op in ops:
        before = cpu_seconds(server_pid)
        for i in range(ALONE_REQUESTS):
            method, url, kwargs = _alone_request(op, project_id, i)
            await _timed(ignored, ignored, op, session, method, url, **kwargs)
        cost[op] = 1000 * (cpu_seconds(server_pid) - before) / ALONE_REQUESTS
    TIMELINE.clear()
    return cost


def _print_timeline(bar_s: float) -> None:
    load = [t for t in TIMELINE if t[1] != "health (baseline)"]
    if not load:
        return
    first = min(t[0] for t in load)
    buckets: dict[int, list[tuple[float, str, float]]] = defaultdict(list)
    for t in load:
        buckets[int((t[0] - first) * 2)].append(t)
    print(f"timeline: requests over {bar_s * 1000:.0f} ms per half second of the load")
    for bucket in sorted(buckets):
        slow: dict[str, int] = defaultdict(int)
        for _, op, took in buckets[bucket]:
            if took > bar_s:
                slow[op] += 1
        shown = ", ".join(f"{op} {n}" for op, n in sorted(slow.items())) or "-"
        print(f"  {bucket / 2:5.1f} s  {len(buckets[bucket]):4d} requests  slow: {shown}")


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def drive(
    url: str, key: str, clients: int, seconds: float, think_s: float, server_pid: int
) -> tuple[Samples, Samples, float, dict[str, float], dict[str, float]]:
    """Returns the samples, the errors, the share of one core this driver used while measuring, the
    server's CPU milliseconds per request in each phase, and each operation's alone."""
    headers = {"Authorization": f"Bearer {key}"}
    # aiohttp rather than httpx: at 50 closed-loop clients httpx alone kept a core busy, so the
    # figures measured the client's queue instead of the server's.
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(url, headers=headers, connector=connector) as session:
        async with session.post("/api/projects", json={"name": "api-load"}) as project:
            project.raise_for_status()
            project_id = (await project.json())["id"]
        alone = await _alone(session, project_id, server_pid)
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
    return samples, errors, driver_load, per_request, alone


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--think-ms", type=float, default=0.0, help="pause after each request")
    parser.add_argument("--timeline", action="store_true", help="slow requests per half second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, local_server_process(Path(tmp) / "data") as server:
        key = (Path(tmp) / "data" / "admin-api-key").read_text().strip()
        samples, errors, driver_load, cpu_per_request, alone = asyncio.run(
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
    print(
        "server CPU per request, one at a time: " + ", ".join(f"{op} {ms:.2f} ms" for op, ms in alone.items())
    )
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
    if args.timeline:
        _print_timeline(0.2)


if __name__ == "__main__":
    main()
