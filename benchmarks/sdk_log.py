"""log() cost and end-to-end ingest, against a baseline measured in the same run.

    python benchmarks/sdk_log.py [--steps 100000] [--rss-steps 1000000] [--wandb-python PATH]

Starts a local `wanllmdb server` on a free port, then measures, for STEPS steps x 10 float scalars:
  baseline   append to Python lists, then one pyarrow zstd Parquet write (+ fsync)
  wanllmdb   run.log() online against the server; end to end = loop + finish() (durable in the lake)
  wandb      wandb offline, when importable here or in --wandb-python (else the brief's 216 us reference)
It also measures the background threads' CPU at 1,000 steps/s, the peak RSS growth while
logging RSS_STEPS steps, and the whole process's peak RSS while a fresh training process logs STEPS
steps (with what `import wanllmdb` alone costs). Ratios are against the baseline of this run; the
machine's load is printed, because on a shared 2-core box wall-clock figures move with it (CPU-time
figures much less).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.conftest import LocalServer, start_local_server  # noqa: E402 - the one server starter

KEYS = [f"metric_{i}" for i in range(10)]
WANDB_REFERENCE_US = 216.0  # the brief: wandb 0.31 offline on this machine kind
WANDB_REFERENCE_RSS_MB = 124.0  # the brief: wandb's whole process tree, peak, logging 100k x 10


def start_server(data_dir: Path) -> LocalServer:
    return start_local_server(data_dir)


def baseline(steps: int, out_dir: Path) -> dict[str, float]:
    """The raw limit: lists, then one long-format zstd Parquet write, fsynced."""
    cols: dict[str, list[float]] = {k: [] for k in KEYS}
    step_col: list[int] = []
    ts_col: list[int] = []
    t0, c0 = time.perf_counter(), time.thread_time()
    for step in range(steps):
        row = {k: step * 0.001 + i for i, k in enumerate(KEYS)}
        step_col.append(step)
        ts_col.append(time.time_ns() // 1_000_000)
        for k, v in row.items():
            cols[k].append(v)
    loop_s, loop_cpu = time.perf_counter() - t0, time.thread_time() - c0
    n = len(step_col)
    table = pa.table({
        "step": pa.concat_arrays([pa.array(step_col, pa.int64())] * len(KEYS)),
        "ts": pa.concat_arrays([pa.array(ts_col, pa.int64())] * len(KEYS)).cast(pa.timestamp("ms", tz="UTC")),
        "key": pa.DictionaryArray.from_arrays(
            pa.concat_arrays([pa.repeat(pa.scalar(i, pa.int32()), n) for i in range(len(KEYS))]),
            pa.array(KEYS)),
        "value": pa.concat_arrays([pa.array(cols[k], pa.float64()) for k in KEYS]),
    })  # fmt: skip
    path = out_dir / "baseline.parquet"
    pq.write_table(table, path, compression="zstd")
    with path.open("rb+") as f:
        os.fsync(f.fileno())
    return {"us_per_step": loop_s / steps * 1e6, "cpu_us_per_step": loop_cpu / steps * 1e6,
            "end_to_end_s": time.perf_counter() - t0}  # fmt: skip


def wanllmdb_run(steps: int, url: str, key: str, spool: Path) -> dict[str, float]:
    import wanllmdb

    settings = {"base_url": url, "api_key": key, "system_metrics": False, "console": "off", "git": False}
    run = wanllmdb.init(project="bench", dir=spool, settings=settings)
    t0, c0, p0 = time.perf_counter(), time.thread_time(), time.process_time()
    for step in range(steps):
        run.log({k: step * 0.001 + i for i, k in enumerate(KEYS)})
    loop_s, loop_cpu = time.perf_counter() - t0, time.thread_time() - c0
    background_cpu = (time.process_time() - p0) - loop_cpu
    run.finish()
    end = time.perf_counter() - t0
    return {
        "us_per_step": loop_s / steps * 1e6,
        "cpu_us_per_step": loop_cpu / steps * 1e6,
        "end_to_end_s": end,
        "background_cpu_s": background_cpu,
        "synced": float(bool(run.synced)),
    }


def paced_background(url: str, key: str, spool: Path, *, rate: int = 1000, seconds: float = 8.0) -> float:
    """Share of one core the SDK's threads use while training logs 10 scalars at ``rate`` steps/s."""
    import wanllmdb

    run = wanllmdb.init(project="bench", dir=spool, settings={"base_url": url, "api_key": key, "git": False})
    main = threading.get_ident()
    steps = int(rate * seconds)
    t0, p0, c0 = time.perf_counter(), time.process_time(), time.thread_time()
    for step in range(steps):
        run.log({k: step * 0.001 + i for i, k in enumerate(KEYS)})
        target = t0 + (step + 1) / rate
        delay = target - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
    elapsed = time.perf_counter() - t0
    background = (time.process_time() - p0) - (time.thread_time() - c0)
    assert threading.get_ident() == main
    run.finish()
    return background / elapsed


def rss_child(steps: int, url: str, key: str, spool: Path) -> float:
    """Peak RSS growth while logging ``steps`` x 10 scalars, in a fresh process (earlier phases do not count).

    Measured from after the first flush, so the one-time setup of pyarrow's writer is not counted as growth.
    """
    code = (
        "import threading, time, wanllmdb\n"
        "KEYS=[f'metric_{i}' for i in range(10)]\n"
        f"run = wanllmdb.init(project='bench', dir={str(spool)!r}, settings={{'base_url': {url!r}, "
        f"'api_key': {key!r}, 'system_metrics': False, 'console': 'off', 'git': False}})\n"
        "for s in range(200): run.log({k: s * 0.001 + i for i, k in enumerate(KEYS)})\n"
        # One flush first: pyarrow's Parquet/zstd/compute setup is a one-time cost, not growth.
        "run._pipeline.kick()\n"
        "while not list((run.dir / 'chunks').glob('history-*')): time.sleep(0.05)\n"
        "time.sleep(0.5)\n"
        "rss = lambda: int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20\n"
        # Sampled, not ru_maxrss: Linux carries ru_maxrss across exec, so a child of a big parent
        # would report the parent's peak.
        "rss0, peak, stop = rss(), [0.0], threading.Event()\n"
        "def watch():\n"
        "    while not stop.wait(0.01): peak[0] = max(peak[0], rss() - rss0)\n"
        "threading.Thread(target=watch, daemon=True).start()\n"
        f"for s in range({steps}): run.log({{k: s * 0.001 + i for i, k in enumerate(KEYS)}})\n"
        "run.finish()\n"
        "stop.set(); peak[0] = max(peak[0], rss() - rss0)\n"
        "print(peak[0])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "sdk")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def peak_rss_child(steps: int, url: str, key: str, spool: Path) -> dict[str, Any]:
    """A training process from scratch: RSS of bare Python, after `import wanllmdb`, and its peak (MB).

    The peak is the kernel's VmHWM: exact, no sampling thread, and it starts afresh at exec (unlike
    ru_maxrss, which a child inherits from a larger parent).
    """
    code = (
        "import sys\n"
        "def status(field):\n"
        "    for line in open('/proc/self/status'):\n"
        "        if line.startswith(field + ':'): return int(line.split()[1]) / 1024\n"
        "bare = status('VmRSS')\n"
        "import wanllmdb\n"
        "imported = status('VmRSS')\n"
        "heavy = [m for m in ('pyarrow', 'httpx', 'numpy') if m in sys.modules]\n"
        "KEYS=[f'metric_{i}' for i in range(10)]\n"
        f"run = wanllmdb.init(project='bench', dir={str(spool)!r}, settings={{'base_url': {url!r}, "
        f"'api_key': {key!r}, 'system_metrics': False, 'console': 'off', 'git': False}})\n"
        f"for s in range({steps}): run.log({{k: s * 0.001 + i for i, k in enumerate(KEYS)}})\n"
        "run.finish()\n"
        "print(bare, imported, status('VmHWM'), ','.join(heavy) or '-')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "sdk")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    bare, imported, peak, heavy = out.stdout.strip().splitlines()[-1].split()
    return {"bare": float(bare), "imported": float(imported), "peak": float(peak), "heavy": heavy}


def wandb_offline(steps: int, python: str | None, work: Path) -> tuple[float, float] | None:
    """(wall, caller CPU) us per log() of wandb offline, or None when wandb is not importable."""
    code = (
        "import time, os, wandb\n"
        "KEYS=[f'metric_{i}' for i in range(10)]\n"
        f"run = wandb.init(mode='offline', project='bench', dir={str(work)!r})\n"
        "t0, c0 = time.perf_counter(), time.thread_time()\n"
        f"for s in range({steps}): run.log({{k: s * 0.001 + i for i, k in enumerate(KEYS)}})\n"
        f"print((time.perf_counter() - t0) / {steps} * 1e6, (time.thread_time() - c0) / {steps} * 1e6)\n"
        "run.finish()\n"
    )
    exe = python or sys.executable
    try:
        out = subprocess.run([exe, "-c", code], capture_output=True, text=True, timeout=1800,
                             env={**os.environ, "WANDB_SILENT": "true"})  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    wall, cpu = out.stdout.strip().splitlines()[0].split()
    return float(wall), float(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=100_000)
    ap.add_argument("--rss-steps", type=int, default=1_000_000)
    ap.add_argument("--wandb-python", default=None, help="a python with wandb installed (a throwaway venv)")
    args = ap.parse_args()
    sys.path.insert(0, str(REPO / "sdk"))

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = start_server(work / "data")
        url = server.url
        try:
            key = (work / "data" / "admin-api-key").read_text().strip()
            load = os.getloadavg()[0]
            print(f"load average: {load:.2f} on {os.cpu_count()} cores; {args.steps} steps x 10 scalars")
            base = baseline(args.steps, work)
            ours = wanllmdb_run(args.steps, url, key, work / "spool")
            bg_share = paced_background(url, key, work / "spool-paced")
            peak = peak_rss_child(args.steps, url, key, work / "spool-peak")
            rss = rss_child(args.rss_steps, url, key, work / "spool-rss") if args.rss_steps else float("nan")
            wandb_us = wandb_offline(min(args.steps, 100_000), args.wandb_python, work / "wandb")
        finally:
            server.stop()

    print()
    print(f"{'':28}{'baseline':>12}{'wanllmdb':>12}{'ratio':>9}")
    rows = [
        ("log() us/step (wall)", "us_per_step"),
        ("log() us/step (CPU, caller)", "cpu_us_per_step"),
        ("end to end s (durable)", "end_to_end_s"),
    ]
    for label, k in rows:
        print(f"{label:28}{base[k]:12.2f}{ours[k]:12.2f}{ours[k] / base[k]:9.2f}")
    if wandb_us is not None:
        wandb_wall, wandb_cpu = wandb_us
        print(f"wandb offline: {wandb_wall:.1f} us/log wall, {wandb_cpu:.1f} us CPU (measured in this run)")
    else:
        wandb_wall = wandb_cpu = WANDB_REFERENCE_US
        print(f"wandb offline: {WANDB_REFERENCE_US:.0f} us/log (the brief's reference; wandb not installed)")
    print(
        f"wanllmdb log() vs wandb: 1/{wandb_wall / ours['us_per_step']:.0f} wall, "
        f"1/{wandb_cpu / ours['cpu_us_per_step']:.0f} caller CPU"
    )
    print(f"all chunks in the lake at finish(): {bool(ours['synced'])}")
    print(f"background threads during the 100k loop: {ours['background_cpu_s']:.2f} s CPU")
    print(
        f"background threads at 1,000 steps/s: {bg_share * 100:.2f} % of one core (system sampler included)"
    )
    print(f"peak RSS growth, {args.rss_steps} steps x 10 scalars: {rss:.1f} MB")
    print(
        f"peak RSS of a training process, {args.steps} steps x 10 scalars: {peak['peak']:.1f} MB "
        f"(wandb's process tree: {WANDB_REFERENCE_RSS_MB:.0f} MB, the brief's reference)"
    )
    print(
        f"`import wanllmdb`: {peak['imported'] - peak['bare']:.1f} MB over bare Python "
        f"({peak['bare']:.1f} MB); heavy modules loaded by it: {peak['heavy']}"
    )
    print()
    checks = [
        ("log() <= 1/20 of wandb offline (wall)", ours["us_per_step"] <= wandb_wall / 20),
        ("log() <= 1/20 of wandb offline (caller CPU)", ours["cpu_us_per_step"] <= wandb_cpu / 20),
        ("log() <= 3x baseline loop (wall)", ours["us_per_step"] <= 3 * base["us_per_step"]),
        ("log() <= 3x baseline loop (caller CPU)", ours["cpu_us_per_step"] <= 3 * base["cpu_us_per_step"]),
        ("end to end <= 3x baseline", ours["end_to_end_s"] <= 3 * base["end_to_end_s"]),
        ("background <= 5% of a core at 1k steps/s", bg_share <= 0.05),
        ("peak RSS growth <= 50 MB", rss <= 50),
        ("peak RSS of the training process <= 100 MB", peak["peak"] <= 100),
    ]
    for name, ok in checks:
        print(f"  [{'ok' if ok else 'MISS'}] {name}")


if __name__ == "__main__":
    main()
