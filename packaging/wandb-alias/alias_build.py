"""The alias's build backend: hatchling's, after a check that the environment pip installs into has no
real wandb. A wheel cannot run code when it is installed, so the check runs when pip builds it from this
source; ``-C wanllmdb-alias=build-only`` skips it to build a wheel for an index (the alias still refuses
to import over a real wandb)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from hatchling.build import (
    build_editable,
    build_sdist,
    get_requires_for_build_editable,
    get_requires_for_build_sdist,
    get_requires_for_build_wheel,
)
from hatchling.build import build_wheel as _hatchling_build_wheel

__all__ = [
    "build_editable",
    "build_sdist",
    "build_wheel",
    "get_requires_for_build_editable",
    "get_requires_for_build_sdist",
    "get_requires_for_build_wheel",
]

# Run by the target interpreter in isolated mode (-I): its own site-packages, never pip's build
# environment, which PYTHONPATH adds. Prints where a wandb is that is not this alias.
_FIND_REAL_WANDB = """
import importlib.util, pathlib
spec = importlib.util.find_spec("wandb")
if spec is not None and spec.origin:
    source = pathlib.Path(spec.origin).read_text(errors="replace")
    if "wanllmdb.wandb_compat" not in source:
        print(pathlib.Path(spec.origin).parent)
"""


def _refuse_over_real_wandb() -> None:
    found = subprocess.run(
        [sys.executable, "-I", "-c", _FIND_REAL_WANDB], capture_output=True, text=True, check=False
    )
    real = found.stdout.strip()
    if real:
        raise SystemExit(
            f"refusing to install wanllmdb's wandb alias: a real wandb is installed at {real}, and the "
            "alias would replace it. Uninstall it first (pip uninstall wandb) to run unmodified wandb "
            "code on wanllmdb, or keep it and `import wanllmdb as wandb` in your own code."
        )


def build_wheel(
    wheel_directory: str, config_settings: dict[str, Any] | None = None, metadata_directory: str | None = None
) -> str:
    if (config_settings or {}).get("wanllmdb-alias") != "build-only":
        _refuse_over_real_wandb()
    return _hatchling_build_wheel(wheel_directory, config_settings, metadata_directory)
