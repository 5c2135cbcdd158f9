"""NVIDIA GPUs through nvidia-ml-py (pynvml). A machine without the driver gets no source and no error."""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["NvidiaSource", "nvidia_inventory"]


def _nvml() -> Any | None:
    try:
        import pynvml

        pynvml.nvmlInit()
    except Exception:  # no library, no driver, no device: all mean "no NVIDIA GPU here"
        return None
    return pynvml


def nvidia_inventory() -> dict[str, Any]:
    """GPU names, count and CUDA driver version for the run's metadata; empty without NVIDIA GPUs."""
    nv = _nvml()
    if nv is None:
        return {}
    try:
        count = nv.nvmlDeviceGetCount()
        names = [_text(nv.nvmlDeviceGetName(nv.nvmlDeviceGetHandleByIndex(i))) for i in range(count)]
        info: dict[str, Any] = {"gpu_count": count, "gpu_names": names, "gpu_vendor": "nvidia"}
        try:
            v = nv.nvmlSystemGetCudaDriverVersion()
            info["cuda_version"] = f"{v // 1000}.{(v % 1000) // 10}"
        except Exception:  # noqa: S110 - older drivers lack the call; the rest is still useful
            pass
        with contextlib.suppress(Exception):
            info["gpu_driver"] = _text(nv.nvmlSystemGetDriverVersion())
        return info
    except Exception:
        return {}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class NvidiaSource:
    def __init__(self) -> None:
        nv = _nvml()
        if nv is None:
            raise RuntimeError("NVML unavailable")
        self._nv = nv
        self._handles = [nv.nvmlDeviceGetHandleByIndex(i) for i in range(nv.nvmlDeviceGetCount())]
        if not self._handles:
            raise RuntimeError("no NVIDIA GPU")

    def sample(self) -> dict[str, float]:
        nv = self._nv
        out: dict[str, float] = {}
        for i, h in enumerate(self._handles):
            p = f"system.gpu.{i}."
            # Each query can fail on its own (e.g. power on some boards); one gap must not lose the rest.
            self._put(out, p + "gpu", lambda h=h: nv.nvmlDeviceGetUtilizationRates(h).gpu)
            self._put(out, p + "memory", lambda h=h: nv.nvmlDeviceGetUtilizationRates(h).memory)
            try:
                mem = nv.nvmlDeviceGetMemoryInfo(h)
                out[p + "memoryAllocated"] = 100.0 * mem.used / mem.total if mem.total else 0.0
                out[p + "memoryAllocatedBytes"] = float(mem.used)
            except Exception:  # noqa: S110
                pass
            self._put(out, p + "temp", lambda h=h: nv.nvmlDeviceGetTemperature(h, nv.NVML_TEMPERATURE_GPU))
            self._put(out, p + "powerWatts", lambda h=h: nv.nvmlDeviceGetPowerUsage(h) / 1000.0)
            self._put(
                out,
                p + "powerPercent",
                lambda h=h: 100.0 * nv.nvmlDeviceGetPowerUsage(h) / nv.nvmlDeviceGetEnforcedPowerLimit(h),
            )
            self._put(out, p + "smClock", lambda h=h: nv.nvmlDeviceGetClockInfo(h, nv.NVML_CLOCK_SM))
            self._put(out, p + "memoryClock", lambda h=h: nv.nvmlDeviceGetClockInfo(h, nv.NVML_CLOCK_MEM))
        return out

    @staticmethod
    def _put(out: dict[str, float], key: str, read: Any) -> None:
        with contextlib.suppress(Exception):  # unsupported on this board
            out[key] = float(read())
