"""AMD GPUs through amdsmi, used only when the ``amdsmi`` module is importable (ROCm installs it)."""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["AmdSource"]


class AmdSource:
    def __init__(self) -> None:
        import amdsmi  # ImportError means no ROCm here; the sampler skips this source

        amdsmi.amdsmi_init()
        self._smi: Any = amdsmi
        self._handles = list(amdsmi.amdsmi_get_processor_handles())
        if not self._handles:
            raise RuntimeError("no AMD GPU")

    def sample(self) -> dict[str, float]:
        smi = self._smi
        out: dict[str, float] = {}
        for i, h in enumerate(self._handles):
            p = f"system.gpu.{i}."
            self._put(out, p + "gpu", lambda h=h: smi.amdsmi_get_gpu_activity(h)["gfx_activity"])
            self._put(out, p + "memory", lambda h=h: smi.amdsmi_get_gpu_activity(h)["umem_activity"])
            self._put(
                out,
                p + "memoryAllocatedBytes",
                lambda h=h: smi.amdsmi_get_gpu_memory_usage(h, smi.AmdSmiMemoryType.VRAM),
            )
            self._put(
                out,
                p + "temp",
                lambda h=h: smi.amdsmi_get_temp_metric(
                    h, smi.AmdSmiTemperatureType.EDGE, smi.AmdSmiTemperatureMetric.CURRENT
                ),
            )
            self._put(out, p + "powerWatts", lambda h=h: smi.amdsmi_get_power_info(h)["average_socket_power"])
            self._put(
                out, p + "smClock", lambda h=h: smi.amdsmi_get_clock_info(h, smi.AmdSmiClkType.GFX)["clk"]
            )
            self._put(
                out, p + "memoryClock", lambda h=h: smi.amdsmi_get_clock_info(h, smi.AmdSmiClkType.MEM)["clk"]
            )
        return out

    @staticmethod
    def _put(out: dict[str, float], key: str, read: Any) -> None:
        with contextlib.suppress(Exception):  # amdsmi differs across ROCm releases
            out[key] = float(read())
