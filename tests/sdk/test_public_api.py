from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import wanllmdb

REPO = Path(__file__).resolve().parents[2]


def test_public_surface_is_pinned() -> None:
    assert sorted(wanllmdb.__all__) == sorted(
        [
            "Config",
            "ConfigChangeError",
            "InvalidValue",
            "MetricRule",
            "NotYetSupported",
            "Run",
            "ServerRefused",
            "Settings",
            "Summary",
            "UsageError",
            "WanllmdbError",
            "__version__",
            "config",
            "define_metric",
            "finish",
            "init",
            "log",
            "run",
            "save",
            "summary",
        ]
    )


def test_a_wandb_script_runs_unchanged_offline(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(
        "import wanllmdb as wandb\n"
        "wandb.init(project='p', config={'lr': 0.1}, mode='offline', settings={'system_metrics': False})\n"
        "wandb.config.update({'epochs': 2})\n"
        "wandb.define_metric('acc', summary='max')\n"
        "for i in range(10):\n"
        "    wandb.log({'loss': 1 / (i + 1), 'acc': i / 10})\n"
        "assert wandb.run is not None and wandb.summary['acc'] == {'max': 0.9}\n"
        "wandb.finish()\n"
        "assert wandb.run is None\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{REPO / 'sdk'}",
        "HOME": str(tmp_path),
        "WANLLMDB_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert len(list((tmp_path / "wanllmdb").glob("run-*/chunks/history-*.parquet"))) == 1


def test_sdk_import_pulls_in_no_server_stack() -> None:
    code = (
        "import sys, wanllmdb, wanllmdb.cli; "
        "bad = [m for m in ('fastapi', 'pynamodb', 'boto3', 'polars') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, env={"PYTHONPATH": str(REPO / "sdk")}, timeout=60
    )


def test_an_uncaught_exception_marks_the_run_failed(tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(
        "import wanllmdb\n"
        "run = wanllmdb.init(project='p', mode='offline', settings={'system_metrics': False})\n"
        "run.log({'a': 1.0})\n"
        "raise ValueError('diverged')\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{REPO / 'sdk'}",
        "HOME": str(tmp_path),
        "WANLLMDB_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1 and "ValueError: diverged" in proc.stderr
    ops = next((tmp_path / "wanllmdb").glob("run-*/ops.jsonl")).read_text()
    assert '"op":"state","body":{"state":"failed","exit_code":1}' in ops
