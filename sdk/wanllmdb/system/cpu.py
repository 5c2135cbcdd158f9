"""Host and process metrics through psutil, named like wandb's ``system.*`` keys."""

from __future__ import annotations

import os
from pathlib import Path

import psutil

__all__ = ["HostSource"]

_MB = 1024 * 1024


class HostSource:
    """CPU (total and per core), memory, this process, disk and network I/O, and the run dir's disk."""

    def __init__(self, run_dir: Path) -> None:
        self._run_dir = run_dir
        self._proc = psutil.Process(os.getpid())
        psutil.cpu_percent(percpu=True)  # the first call primes the counters and returns nothing useful
        self._proc.cpu_percent()
        self._disk0 = _disk_counters()
        self._net0 = _net_counters()

    def sample(self) -> dict[str, float]:
        out: dict[str, float] = {}
        cores = psutil.cpu_percent(percpu=True)
        if cores:
            out["system.cpu"] = sum(cores) / len(cores)
            for i, pct in enumerate(cores):
                out[f"system.cpu.{i}.cpu_percent"] = pct
        vm = psutil.virtual_memory()
        out["system.memory_percent"] = vm.percent
        out["system.proc.memory.availableMB"] = vm.available / _MB
        with self._proc.oneshot():
            out["system.proc.memory.rssMB"] = self._proc.memory_info().rss / _MB
            out["system.proc.memory.percent"] = self._proc.memory_percent()
            out["system.proc.cpu.threads"] = float(self._proc.num_threads())
            out["system.proc.cpu.percent"] = self._proc.cpu_percent()
        disk = _disk_counters()
        if disk is not None and self._disk0 is not None:
            out["system.disk.in"] = (disk[0] - self._disk0[0]) / _MB
            out["system.disk.out"] = (disk[1] - self._disk0[1]) / _MB
        net = _net_counters()
        if net is not None and self._net0 is not None:
            out["system.network.sent"] = float(net[0] - self._net0[0])
            out["system.network.recv"] = float(net[1] - self._net0[1])
        try:
            usage = psutil.disk_usage(str(self._run_dir))
            out["system.disk.usagePercent"] = usage.percent
            out["system.disk.usageGB"] = usage.used / (1024 * _MB)
        except OSError:
            pass
        return out


def _disk_counters() -> tuple[int, int] | None:
    try:
        c = psutil.disk_io_counters()
    except (OSError, RuntimeError):
        return None
    return (c.read_bytes, c.write_bytes) if c is not None else None


def _net_counters() -> tuple[int, int] | None:
    try:
        c = psutil.net_io_counters()
    except (OSError, RuntimeError):
        return None
    return (c.bytes_sent, c.bytes_recv) if c is not None else None
