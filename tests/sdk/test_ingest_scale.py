"""The tenant-scale benchmark in small (issue 22, part 6): 100 runs speaking the SDK's ingest protocol at once
(grants, presigned PUTs of the SDK's own chunks, summaries, heartbeats) into one local server for 30 s;
every run's rows are in the lake exactly once and every run is compacted after its finish.

`python benchmarks/scale.py` is the full version (1,000 runs, and the aws backend on moto)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.slow

RUNS, SECONDS, KEYS, HZ = 100, 30, 10, 10


def test_100_runs_for_30_s_land_every_row_exactly_once(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "scale.py"),
            *("--runs", str(RUNS), "--duration", str(SECONDS), "--keys", str(KEYS), "--hz", str(HZ)),
            *("--backend", "local", "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (result,) = json.loads(out.read_text())
    assert result["runs"] == RUNS
    assert result["lake"] == {"rows": RUNS * SECONDS * HZ * KEYS, "expected": RUNS * SECONDS * HZ * KEYS,
                              "lost": 0, "duplicated": 0}  # fmt: skip
    assert result["compaction_lag"]["compacted"] == RUNS and result["compaction_lag"]["not_compacted"] == 0
    # The SDK's pace: a grant batch and a summary per 5 s flush (12 a run-minute) plus the files' grants,
    # fewer when uploads bunch up on a loaded machine (a backlog goes in one grant and one summary).
    assert 0 < result["grant_calls_per_run_minute"] <= 12 + 60 / SECONDS * 2
    assert 0 < result["requests_per_run_minute"]["summary"] <= 12.01
    assert result["puts_per_run_minute"] == pytest.approx(18 + 60 / SECONDS * 4, rel=0.01)
