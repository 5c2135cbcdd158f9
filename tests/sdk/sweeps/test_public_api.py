"""The engine's surface, which the controller, the agents and the analysis code are written against."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import wanllmdb.sweeps

REPO = Path(__file__).resolve().parents[3]


def test_the_engine_surface_is_pinned() -> None:
    assert sorted(wanllmdb.sweeps.__all__) == [
        "RUN_STATES",
        "SweepConfig",
        "SweepConfigError",
        "SweepRun",
        "expand_command",
        "load_config",
        "next_runs",
        "parse_config",
        "run_metric",
        "stop_runs",
    ]


def test_grid_random_and_hyperband_never_import_numpy_or_scipy() -> None:
    code = (
        "import sys, wanllmdb.sweeps as s\n"
        "c = s.load_config({'method': 'random', 'metric': {'name': 'l'}, 'parameters': {'x': {'min': 0.0, "
        "'max': 1.0}}, 'early_terminate': {'type': 'hyperband', 'min_iter': 1}})\n"
        "s.next_runs(c, [], 2); s.stop_runs(c, [s.SweepRun('a', 'running', {'x': 0.5}, (1.0,))])\n"
        "bad = [m for m in ('numpy', 'scipy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(REPO / "sdk")}, timeout=60
    )
