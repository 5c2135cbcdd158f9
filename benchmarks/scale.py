"""A tenant at scale: N runs logging at once into one server, speaking the SDK's ingest protocol.

Each simulated run does what `wanllmdb.init()` + `log()` at a steady rate + `finish()` do on the wire
with the SDK's default settings (docs/sdk.md, "How data moves"):

- init: POST /api/projects, POST /api/projects/{id}/runs, then the init files (config.yaml,
  requirements.txt, wanllmdb-metadata.json) through one grant batch and their PUTs;
- every flush (`--flush`, the SDK's 5 s): a summary PATCH (the summary changed), then one grant POST for
  every chunk not yet uploaded (at most 100) and one PUT per chunk to its presigned URL; a history chunk
  per flush and, with system metrics on (`--system-keys`, sampled every 10 s), a system chunk every
  other flush;
- a heartbeat every 30 s, on its own;
- finish: the last flush, every pending upload, output.log, then PATCH state=finished.

Chunks are the SDK's own: built by `wanllmdb.ingest.buffer.MetricBuffer` and encoded by
`wanllmdb.ingest.chunk` (zstd Parquet, the lake schema), for rows logged at exactly `--hz` per second.
They are encoded before the clock starts (in a process pool), so the client's CPU during the measured
window goes to HTTP only: on a small machine the server and the load share the cores. Uploads retry
network errors, 5xx and 429 with full-jitter backoff and batch what piled up, as the SDK's uploader does.

Reported per backend: requests per run-minute by kind, PUTs per run-minute, grant latency p50/p95/p99,
the server process's CPU (psutil: while the runs log, and while it compacts after), every run's rows
counted in the lake (lost and duplicated must be 0), bytes per value (chunks, and compacted), and
compaction lag (a run's finish to its one compacted file). The aws backend runs the same server with
WANLLMDB_BACKEND=aws against moto (tests/aws_faults.py, faults off) and counts AWS calls per run-minute
by service and operation; the checker's own listing and reading are subtracted.

    python benchmarks/scale.py [--runs 1000] [--duration 120] [--backend local|aws|both] [--aws-runs 50]
                               [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import math
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import aiohttp  # noqa: E402
import psutil  # noqa: E402

from tests.aws_faults import faulty_moto  # noqa: E402 - the counting moto server
from tests.conftest import aws_backend_env, created_aws_stores, start_local_server  # noqa: E402
from tests.lake_rows import count_rows  # noqa: E402 - "0 lost, 0 duplicated", read from the lake
from wanllmdb_functions.ports.blob_store import BlobInfo, BlobStore  # noqa: E402

HEARTBEAT_S = 30.0  # the SDK's heartbeat_interval_s
SYSTEM_EVERY_S = 10.0  # the SDK's system_interval_s
PROJECT = "scale"
INIT_FILES = {
    "config.yaml": b"lr:\n  value: 0.001\nbatch:\n  value: 64\nlayers:\n  value: [64, 64]\n",
    "requirements.txt": b"".join(f"package{i}==1.{i}.0\n".encode() for i in range(180)),
    "wanllmdb-metadata.json": json.dumps(
        {"host": "node", "os": "Linux", "python": "3.11", "args": []}
    ).encode(),
}
OUTPUT_LOG = b"".join(f"epoch {i}: loss {1 / (i + 1):.4f}\n".encode() for i in range(200))


# -- chunks, encoded ahead by the SDK's own code ------------------------------------------------------------
@dataclass(frozen=True)
class Chunk:
    kind: str  # history | system
    seq: int
    data: bytes
    sha256: str
    values: int
    due_s: float  # seconds after the run's start when the SDK's flusher would cut it


def _encode(kind: str, seq: int, rows: list[tuple[int, int, dict[str, float]]], due_s: float) -> Chunk:
    from wanllmdb.ingest.buffer import MetricBuffer
    from wanllmdb.ingest.chunk import encode_parquet, metric_table

    buffer = MetricBuffer()
    for step, ts_ms, values in rows:
        buffer.add(step, ts_ms, values)
    drained = buffer.drain()
    assert drained is not None
    data = bytes(encode_parquet(metric_table(drained, attempt=0)))
    return Chunk(kind, seq, data, hashlib.sha256(data).hexdigest(), len(drained), due_s)


def encode_run(args: tuple[int, float, int, int, float, float]) -> list[Chunk]:
    """Every chunk of one run, in the order its flusher would cut them (a process-pool task)."""
    index, duration_s, keys, system_keys, hz, flush_s = args
    base_ms = 1_760_000_000_000 + index * 1000
    names = [f"train/metric_{k}" for k in range(keys)]
    system_names = [f"system.key_{k}" for k in range(system_keys)]
    steps = int(duration_s * hz)
    flushes = math.ceil(duration_s / flush_s)
    chunks: list[Chunk] = []
    history_seq = system_seq = 0
    for f in range(flushes):
        start, end = f * flush_s, min((f + 1) * flush_s, duration_s)
        rows = [
            (
                step,
                base_ms + int(step * 1000 / hz),
                {n: math.sin(step / 50 + k) + index for k, n in enumerate(names)},
            )
            for step in range(math.ceil(start * hz), min(steps, math.ceil(end * hz)))
        ]
        if rows:
            chunks.append(_encode("history", history_seq, rows, end))
            history_seq += 1
        if system_keys:
            samples = [
                s
                for s in range(1, int(duration_s // SYSTEM_EVERY_S) + 1)
                if start < s * SYSTEM_EVERY_S <= end
            ]
            if samples:
                rows = [
                    (
                        s,
                        base_ms + int(s * SYSTEM_EVERY_S * 1000),
                        {n: 50.0 + k for k, n in enumerate(system_names)},
                    )
                    for s in samples
                ]
                chunks.append(_encode("system", system_seq, rows, end))
                system_seq += 1
    return chunks


# -- one run on the wire ------------------------------------------------------------------------------------
@dataclass
class Tally:
    requests: Counter[str] = field(default_factory=Counter)  # op -> successful requests
    errors: Counter[str] = field(default_factory=Counter)  # "op: reason" -> tries refused or retried
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    put_bytes: Counter[str] = field(default_factory=Counter)
    finished_at: dict[str, float] = field(default_factory=dict)  # run id -> monotonic finish time
    drain_s: list[float] = field(default_factory=list)  # last chunk cut -> finish accepted, per run
    reopened: int = 0  # runs the server marked crashed while they lived (heartbeats starved), then resumed
    pending: int = 0  # uploads cut and not yet sent, across runs, right now


class Transient(Exception):
    pass


class Refused(Exception):
    def __init__(self, op: str, status: int, body: bytes) -> None:
        super().__init__(f"{op} refused: {status} {body[:200]!r}")
        self.status = status


class SimRun:
    def __init__(
        self, index: int, chunks: list[Chunk], session: aiohttp.ClientSession, tally: Tally, flush_s: float
    ) -> None:
        self.index = index
        self.id = f"sc{index:06d}{secrets.token_hex(2)}"
        self.chunks = chunks
        self.session = session
        self.tally = tally
        self.flush_s = flush_s
        self.project_id = ""
        self.pending: list[tuple[dict[str, Any], bytes]] = []  # upload items and their bytes, in order
        self.ops: list[tuple[str, str, dict[str, Any]]] = []  # (op, path, body) not yet sent
        self.wake = asyncio.Event()

    async def call(self, op: str, method: str, url: str, **kwargs: Any) -> Any:
        """One request with the SDK's retry policy: network errors, 5xx and 429 back off, full jitter."""
        tries = 0
        while True:
            started = time.perf_counter()
            try:
                async with self.session.request(method, url, **kwargs) as resp:
                    body = await resp.read()
                    if resp.status == 429 or resp.status >= 500:
                        raise Transient(f"HTTP {resp.status}")
                    if resp.status >= 400:
                        self.tally.errors[f"{op}: HTTP {resp.status}"] += 1
                        raise Refused(op, resp.status, body)
            except (TimeoutError, aiohttp.ClientError, Transient) as exc:
                self.tally.errors[f"{op}: {exc if isinstance(exc, Transient) else type(exc).__name__}"] += 1
                tries += 1
                await asyncio.sleep(random.uniform(0, min(5.0, 0.25 * 2**tries)))
                continue
            self.tally.requests[op] += 1
            self.tally.latency[op].append(time.perf_counter() - started)
            return json.loads(body) if body else None

    async def init(self) -> None:
        project = await self.call("ensure project", "POST", "/api/projects", json={"name": PROJECT})
        self.project_id = project["id"]
        body = {
            "id": self.id,
            "name": f"scale-{self.index}",
            "config": {"lr": 0.001, "batch": 64, "layers": [64, 64]},
            "metadata": {"host": f"node{self.index % 64}", "os": "Linux", "python": "3.11"},
            "resume": "never",
            "resume_token": secrets.token_urlsafe(16),
        }
        await self.call("create run", "POST", f"/api/projects/{self.project_id}/runs", json=body)
        for path, data in INIT_FILES.items():
            self._add_file(path, data)

    def _add_file(self, path: str, data: bytes) -> None:
        item = {"kind": "file", "path": path, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        self.pending.append((item, data))
        self.tally.pending += 1

    def _query(self) -> dict[str, str]:
        return {"project_id": self.project_id}

    async def upload(self) -> None:
        """The uploader's drain: ops in order, then every pending blob, 100 per grant."""
        if self.ops:  # consecutive summaries go as one PATCH, as the SDK's uploader sends them
            op, path, _ = self.ops[-1]
            merged: dict[str, Any] = {}
            for _, _, body in self.ops:
                merged.update(body["summary"])
            self.ops.clear()
            await self.call(op, "PATCH", path, json={"summary": merged}, params=self._query())
        while self.pending:
            batch = self.pending[:100]
            items = {"items": [i for i, _ in batch]}
            try:
                answer = await self.call(
                    "grant", "POST", f"/api/runs/{self.id}/uploads", json=items, params=self._query()
                )
            except Refused as exc:
                if exc.status != 409:
                    raise
                await self.reopen()  # as the SDK does: the server closed the run; a resume reopens it
                continue
            for grant, (item, data) in zip(answer["grants"], batch, strict=True):
                headers = {**grant["headers"], "Content-Length": str(len(data))}
                await self.call("PUT", grant["method"], grant["url"], data=data, headers=headers)
                self.tally.put_bytes[item["kind"]] += len(data)
                self.tally.pending -= 1
            del self.pending[: len(batch)]

    async def reopen(self) -> None:
        body = {"id": self.id, "resume": "allow", "resume_token": secrets.token_urlsafe(16)}
        await self.call("reopen", "POST", f"/api/projects/{self.project_id}/runs", json=body)
        self.tally.reopened += 1

    async def uploader(self, stop: asyncio.Event) -> None:
        while True:
            self.wake.clear()  # before the drain: a chunk cut during it wakes the next one
            await self.upload()
            if stop.is_set():
                return
            await self.wake.wait()

    async def heartbeat(self, stop: asyncio.Event) -> None:
        while True:
            try:
                await asyncio.wait_for(stop.wait(), HEARTBEAT_S)
                return
            except TimeoutError:
                await self.call("heartbeat", "POST", f"/api/runs/{self.id}/heartbeat", params=self._query())

    async def live(self, start_delay_s: float) -> None:
        await asyncio.sleep(start_delay_s)  # runs start at their own moments, not as one burst
        await self.init()
        started = time.monotonic()
        stop, done = asyncio.Event(), asyncio.Event()
        tasks = [asyncio.create_task(self.uploader(stop)), asyncio.create_task(self.heartbeat(done))]
        step = 0
        for chunk in self.chunks:
            await asyncio.sleep(max(0.0, started + chunk.due_s - time.monotonic()))
            item = {
                "kind": chunk.kind,
                "size": len(chunk.data),
                "sha256": chunk.sha256,
                "seq": chunk.seq,
                "attempt": 0,
            }
            self.pending.append((item, chunk.data))
            self.tally.pending += 1
            if chunk.kind == "history":
                step += chunk.values
                summary = {"summary": {"train/metric_0": math.sin(step / 50) + self.index, "_step": step}}
                self.ops.append(("summary", f"/api/runs/{self.id}/summary", summary))
            self.wake.set()
        self._add_file("output.log", OUTPUT_LOG)
        cut = time.monotonic()
        stop.set()
        self.wake.set()
        await tasks[0]
        await self.upload()  # anything that arrived as the uploader stopped
        finish = {"state": "finished"}
        try:
            await self.call("finish", "PATCH", f"/api/runs/{self.id}", json=finish, params=self._query())
        except Refused as exc:
            if exc.status != 409:
                raise
            await self.reopen()
            await self.call("finish", "PATCH", f"/api/runs/{self.id}", json=finish, params=self._query())
        self.tally.finished_at[self.id] = time.monotonic()
        self.tally.drain_s.append(time.monotonic() - cut)
        done.set()  # heartbeats go on until finish() returns, as the SDK's thread does
        await tasks[1]


# -- a backend under load ----------------------------------------------------------------------------------
@dataclass
class Backend:
    name: str
    url: str
    key: str
    pid: int
    blobs: BlobStore
    aws_stats: Any = None  # () -> the counting moto server's stats, for the aws backend


class CountingBlobs:
    """The checker's view of the lake, counting its own calls so they can be taken out of the AWS count."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs
        self.calls: Counter[str] = Counter()

    def list(self, prefix: str) -> Iterator[BlobInfo]:
        self.calls["s3:ListObjectsV2"] += 1
        found = list(self._blobs.list(prefix))
        self.calls["s3:ListObjectsV2"] += max(0, (len(found) - 1) // 1000)
        return iter(found)

    def get(self, key: str) -> bytes:
        self.calls["s3:GetObject"] += 1
        return self._blobs.get(key)


def _cpu_s(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return float(times.user + times.system + times.children_user + times.children_system)


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


async def _drive(
    backend: Backend, chunks: list[list[Chunk]], flush_s: float
) -> tuple[Tally, list[SimRun], float]:
    tally = Tally()
    connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=120)
    headers = {"Authorization": f"Bearer {backend.key}"}
    async with aiohttp.ClientSession(
        backend.url, headers=headers, connector=connector, timeout=timeout
    ) as session:
        sims = [SimRun(i, c, session, tally, flush_s) for i, c in enumerate(chunks)]
        started = time.monotonic()
        monitor = asyncio.create_task(_progress(tally, len(sims), started))
        await asyncio.gather(*(sim.live(random.uniform(0, flush_s)) for sim in sims))
        monitor.cancel()
        wall = time.monotonic() - started
    return tally, sims, wall


async def _progress(tally: Tally, runs: int, started: float) -> None:
    """A line every 30 s: how far the load got, and how far uploads lag behind it."""
    while True:
        await asyncio.sleep(30)
        done = sum(tally.requests.values())
        print(
            f"  {time.monotonic() - started:4.0f} s: {done} requests, {tally.pending} uploads waiting, "
            f"{len(tally.finished_at)}/{runs} runs finished, {tally.reopened} reopened",
            flush=True,
        )


def _compaction_lag(
    checker: CountingBlobs, sims: list[SimRun], tally: Tally, timeout_s: float
) -> dict[str, float]:
    """Poll every run until its history stream is one compacted file; lag = that moment - its finish."""
    from wanllmdb_functions.lake.visible import list_stream

    lags: dict[str, float] = {}
    deadline = time.monotonic() + timeout_s
    left = {sim.id: sim for sim in sims}
    while left and time.monotonic() < deadline:
        for run_id, sim in list(left.items()):
            visible = list_stream(checker, sim.project_id, run_id, "history")  # type: ignore[arg-type]
            if len(visible.compacted) == 1 and not visible.chunks:
                lags[run_id] = time.monotonic() - tally.finished_at[run_id]
                del left[run_id]
        if left:
            time.sleep(0.5)
    found = list(lags.values())
    return {
        "compacted": len(lags),
        "not_compacted": len(left),
        "p50_s": _pct(found, 50),
        "p95_s": _pct(found, 95),
        "max_s": max(found, default=float("nan")),
    }


def measure(backend: Backend, chunks: list[list[Chunk]], args: argparse.Namespace) -> dict[str, Any]:
    flush_s = args.flush
    cpu0, t0 = _cpu_s(backend.pid), time.monotonic()
    tally, sims, wall = asyncio.run(_drive(backend, chunks, flush_s))
    cpu_load, t_load = _cpu_s(backend.pid) - cpu0, time.monotonic() - t0
    checker = CountingBlobs(backend.blobs)
    cpu1 = _cpu_s(backend.pid)
    lag = _compaction_lag(checker, sims, tally, timeout_s=max(120.0, len(sims) * 0.5))
    cpu_compact = _cpu_s(backend.pid) - cpu1
    aws_calls: Counter[str] = Counter(backend.aws_stats()["calls"]) if backend.aws_stats else Counter()
    aws_calls.subtract(checker.calls)  # the polling above is the benchmark's, not the tenant's

    lost = duplicated = rows = expected = 0
    compacted_bytes = compacted_values = 0
    for sim, run_chunks in zip(sims, chunks, strict=True):
        history = [c for c in run_chunks if c.kind == "history"]
        steps = sum(c.values for c in history) // args.keys
        keys = [f"train/metric_{k}" for k in range(args.keys)]
        lake = count_rows(backend.blobs, sim.project_id, sim.id)
        lost += lake.lost(range(steps), keys)
        duplicated += lake.duplicated
        rows += lake.rows
        expected += steps * args.keys
        if lake.objects == 1 and lake.chunks == 0:
            from wanllmdb_functions.lake.visible import list_stream

            (info,) = list_stream(backend.blobs, sim.project_id, sim.id, "history").objects
            compacted_bytes += info.size
            compacted_values += lake.rows
    run_minutes = len(sims) * args.duration / 60
    chunk_values = sum(c.values for cs in chunks for c in cs if c.kind == "history")
    chunk_bytes = sum(len(c.data) for cs in chunks for c in cs if c.kind == "history")
    per_min = {op: n / run_minutes for op, n in sorted(tally.requests.items())}
    return {
        "backend": backend.name,
        "runs": len(sims),
        "duration_s": args.duration,
        "keys": args.keys,
        "hz": args.hz,
        "run_minutes": run_minutes,
        "wall_s": wall,
        "requests_per_run_minute": per_min,
        "grant_calls_per_run_minute": per_min.get("grant", 0.0),
        "puts_per_run_minute": per_min.get("PUT", 0.0),
        "errors": dict(tally.errors),
        "grant_latency_ms": {str(q): _pct(tally.latency["grant"], q) * 1000 for q in (50, 95, 99)},
        "latency_p95_ms": {op: _pct(v, 95) * 1000 for op, v in sorted(tally.latency.items())},
        "server_cpu": {
            "while_logging_cores": cpu_load / t_load,
            "while_logging_cpu_s_per_run_minute": cpu_load / run_minutes,
            "compaction_cpu_s": cpu_compact,
            "compaction_cpu_s_per_run": cpu_compact / max(1, len(sims)),
        },
        "lake": {"rows": rows, "expected": expected, "lost": lost, "duplicated": duplicated},
        "bytes_per_value": {
            "history_chunks": chunk_bytes / max(1, chunk_values),
            "compacted": compacted_bytes / compacted_values if compacted_values else None,
        },
        "put_bytes": dict(tally.put_bytes),
        "compaction_lag": lag,
        "finish_drain_s": {
            "p50": _pct(tally.drain_s, 50),
            "p95": _pct(tally.drain_s, 95),
            "max": max(tally.drain_s),
        },
        "reopened_runs": tally.reopened,
        "aws_calls_per_run_minute": {op: n / run_minutes for op, n in sorted(aws_calls.items()) if n > 0},
        "aws_calls": {op: n for op, n in sorted(aws_calls.items()) if n > 0},
        "load_average": os.getloadavg(),
        "cpu_count": os.cpu_count(),
    }


# -- the two backends ---------------------------------------------------------------------------------------
@contextmanager
def local_backend(tmp: Path) -> Iterator[Backend]:
    from wanllmdb_functions.app.storage import build_storage
    from wanllmdb_functions.core.settings import load_settings

    data_dir = tmp / "local" / "data"
    server = start_local_server(data_dir)
    try:
        key = (data_dir / "admin-api-key").read_text().strip()
        blobs = build_storage(load_settings(data_dir=data_dir, public_url=server.url)).blobs
        yield Backend("local", server.url, key, server.process.pid, blobs)
    finally:
        server.stop()


@contextmanager
def aws_backend(tmp: Path) -> Iterator[Backend]:
    from wanllmdb_functions.identity.credentials import CredentialService
    from wanllmdb_functions.identity.users import UserService

    table, bucket, region = "wanllmdb-scale", "wanllmdb-scale-lake", "us-east-1"
    with faulty_moto() as moto:
        items, blobs = created_aws_stores(moto.endpoint, table=table, bucket=bucket, region=region)
        user = UserService(items).create("scale", password=None)
        key = CredentialService(items, session_ttl_s=3600).create_key(user.id, "scale").key
        env = aws_backend_env(
            moto.endpoint, table=table, bucket=bucket, region=region,
            AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
        )  # fmt: skip
        server = start_local_server(tmp / "aws" / "data", env=env)
        try:
            moto.reset()  # setup is not the tenant's traffic
            yield Backend("aws (moto)", server.url, key, server.process.pid, blobs, aws_stats=moto.stats)
        finally:
            server.stop()


def encode_all(runs: int, args: argparse.Namespace) -> list[list[Chunk]]:
    work = [(i, args.duration, args.keys, args.system_keys, args.hz, args.flush) for i in range(runs)]
    with ProcessPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as pool:
        return list(pool.map(encode_run, work, chunksize=16))


def report(result: dict[str, Any]) -> None:
    load = ", ".join(f"{x:.1f}" for x in result["load_average"])
    print(
        f"\n== {result['backend']}: {result['runs']} runs x {result['duration_s']:.0f} s, "
        f"{result['keys']} keys at {result['hz']:g} Hz ({result['run_minutes']:.0f} run-minutes, "
        f"wall {result['wall_s']:.0f} s, load {load})"
    )
    per_min = result["requests_per_run_minute"]
    print("requests per run-minute: " + ", ".join(f"{op} {n:.2f}" for op, n in per_min.items()))
    g = result["grant_latency_ms"]
    print(
        f"grant latency ms: p50 {g['50']:.0f}, p95 {g['95']:.0f}, p99 {g['99']:.0f}; "
        f"retried or refused tries: {result['errors'] or 'none'}"
    )
    cpu = result["server_cpu"]
    print(
        f"server CPU: {cpu['while_logging_cores']:.2f} cores while logging "
        f"({cpu['while_logging_cpu_s_per_run_minute']:.3f} CPU-s per run-minute); compaction "
        f"{cpu['compaction_cpu_s']:.1f} CPU-s ({cpu['compaction_cpu_s_per_run'] * 1000:.0f} ms a run)"
    )
    lake = result["lake"]
    print(
        f"lake: {lake['rows']} rows of {lake['expected']} expected; "
        f"lost {lake['lost']}, duplicated {lake['duplicated']}"
    )
    b = result["bytes_per_value"]
    compacted = f"{b['compacted']:.2f}" if b["compacted"] else "n/a"
    print(f"bytes per value: history chunks {b['history_chunks']:.2f}, compacted {compacted}")
    lag = result["compaction_lag"]
    print(
        f"compaction lag after finish: p50 {lag['p50_s']:.1f} s, p95 {lag['p95_s']:.1f} s, "
        f"max {lag['max_s']:.1f} s ({lag['compacted']} compacted, {lag['not_compacted']} not)"
    )
    drain = result["finish_drain_s"]
    print(
        f"finish() wait for uploads after the last log: p50 {drain['p50']:.1f} s, p95 {drain['p95']:.1f} s, "
        f"max {drain['max']:.1f} s; runs marked crashed while alive (reopened): {result['reopened_runs']}"
    )
    aws = result["aws_calls_per_run_minute"]
    if aws:
        print("AWS calls per run-minute: " + ", ".join(f"{op} {n:.2f}" for op, n in aws.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds each run logs")
    parser.add_argument("--keys", type=int, default=10)
    parser.add_argument("--hz", type=float, default=10.0)
    parser.add_argument("--flush", type=float, default=5.0, help="the SDK's flush_interval_s")
    parser.add_argument(
        "--system-keys", type=int, default=15, help="system metrics per sample; 0 turns them off"
    )
    parser.add_argument("--backend", choices=["local", "aws", "both"], default="both")
    parser.add_argument("--aws-runs", type=int, default=50)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        for name, runs, backend in (("local", args.runs, local_backend), ("aws", args.aws_runs, aws_backend)):
            if args.backend not in (name, "both"):
                continue
            t0 = time.monotonic()
            chunks = encode_all(runs, args)
            took = time.monotonic() - t0
            print(
                f"{name}: encoded {sum(map(len, chunks))} chunks for {runs} runs in {took:.0f} s", flush=True
            )
            with backend(tmp) as server:
                result = measure(server, chunks, args)
            del chunks
            report(result)
            results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
