from __future__ import annotations

import time
from pathlib import Path

from tests.sdk.conftest import OfflineRun, read_stream
from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.system.cpu import HostSource
from wanllmdb.system.sampler import SystemSampler, gpu_sources


def test_sampler_writes_wandb_style_keys(tmp_path: Path) -> None:
    buf = MetricBuffer()
    sampler = SystemSampler(buf, tmp_path, interval_s=1.0)
    sampler.start()
    deadline = time.monotonic() + 5
    while sampler.samples < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    sampler.stop()
    drained = buf.drain()
    assert drained is not None
    keys = set(drained.columns)
    for key in (
        "system.cpu",
        "system.cpu.0.cpu_percent",
        "system.memory_percent",
        "system.proc.memory.rssMB",
        "system.proc.cpu.threads",
        "system.disk.usagePercent",
    ):
        assert key in keys, key
    assert drained.columns["system.proc.memory.rssMB"][1][0] > 1.0


def test_sampler_costs_under_one_percent_of_a_core_at_the_default_rate(tmp_path: Path) -> None:
    buf = MetricBuffer()
    sampler = SystemSampler(buf, tmp_path, interval_s=10.0)
    sampler.sources = [HostSource(tmp_path), *gpu_sources()]
    for _ in range(20):
        sampler.sample_once()
    per_sample = sampler.cpu_seconds / 20
    assert per_sample / 10.0 < 0.01, f"{per_sample * 1000:.1f} ms CPU per sample"


def test_system_stream_lands_in_its_own_chunks(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"system_metrics": True, "system_interval_s": 1.0})
    time.sleep(1.3)
    run.finish()
    assert run.dir is not None
    t = read_stream(run.dir, "system")
    assert "system.cpu" in t["key"].to_pylist()
    assert t["step"].to_pylist()[0] == 0
