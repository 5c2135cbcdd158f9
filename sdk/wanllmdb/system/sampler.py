"""The system-metrics sampler thread: writes the ``system`` stream, and measures what it costs."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Protocol

from wanllmdb.ingest.buffer import MetricBuffer
from wanllmdb.system.cpu import HostSource

__all__ = ["SystemSampler", "gpu_sources"]

log = logging.getLogger("wanllmdb")


class Source(Protocol):
    def sample(self) -> dict[str, float]: ...


def gpu_sources() -> list[Source]:
    sources: list[Source] = []
    try:
        from wanllmdb.system.nvidia import NvidiaSource

        sources.append(NvidiaSource())
    except Exception:  # noqa: S110 - no NVIDIA GPU is the common case, not an error
        pass
    try:
        from wanllmdb.system.amd import AmdSource

        sources.append(AmdSource())
    except Exception:  # noqa: S110
        pass
    return sources


class SystemSampler:
    """Every ``interval_s``, one row in the system stream; its step is the sample number."""

    def __init__(self, buffer: MetricBuffer, run_dir: Path, *, interval_s: float = 10.0) -> None:
        self.buffer = buffer
        self.interval_s = interval_s
        self.run_dir = run_dir
        self.sources: list[Source] = []
        self.samples = 0
        self.cpu_seconds = 0.0  # the sampler thread's own CPU time, sources included
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wanllmdb-system", daemon=True)
        self._started = 0.0

    def start(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def stop(self) -> None:
        """Stop, with one last sample: even a run shorter than the interval gets its averages."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
            if self.sources:
                self.sample_once()

    def cost_fraction(self) -> float:
        """Share of one core the sampler used since start (0.01 == 1 %)."""
        elapsed = time.monotonic() - self._started
        return self.cpu_seconds / elapsed if elapsed > 0 else 0.0

    def _loop(self) -> None:
        t0 = time.thread_time()
        self.sources = [HostSource(self.run_dir), *gpu_sources()]
        self.cpu_seconds += time.thread_time() - t0
        while not self._stop.wait(self.interval_s):
            self.sample_once()

    def sample_once(self) -> None:
        t0 = time.thread_time()
        row: dict[str, float] = {}
        for source in self.sources:
            try:
                row.update(source.sample())
            except Exception as exc:
                log.debug("wanllmdb: system source %s failed: %s", type(source).__name__, exc)
        if row:
            self.buffer.add(self.samples, time.time_ns() // 1_000_000, row)
            self.samples += 1
        self.cpu_seconds += time.thread_time() - t0
