from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import wanllmdb

REPO = Path(__file__).resolve().parents[2]


def test_public_surface_is_pinned() -> None:
    assert sorted(wanllmdb.__all__) == sorted(
        [
            "AlertLevel",
            "Api",
            "ApiError",
            "Artifact",
            "ArtifactTTL",
            "Audio",
            "AuthenticationError",
            "CommError",
            "Config",
            "ConfigChangeError",
            "Error",
            "Histogram",
            "Html",
            "Image",
            "InvalidValue",
            "MetricRule",
            "NotAvailableYet",
            "NotYetSupported",
            "Object3D",
            "Plotly",
            "Run",
            "ServerRefused",
            "Settings",
            "Summary",
            "Table",
            "UsageError",
            "Video",
            "WanllmdbError",
            "__version__",
            "agent",
            "alert",
            "config",
            "data_types",
            "define_metric",
            "ensure_configured",
            "errors",
            "finish",
            "init",
            "log",
            "log_artifact",
            "log_code",
            "login",
            "mark_preempting",
            "plot",
            "plot_table",
            "require",
            "run",
            "save",
            "setup",
            "summary",
            "sweep",
            "teardown",
            "termerror",
            "termlog",
            "termwarn",
            "unwatch",
            "use_artifact",
            "util",
            "watch",
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
    proc = _run_script(tmp_path, script)
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
    proc = _run_script(tmp_path, script)
    assert proc.returncode == 1 and "ValueError: diverged" in proc.stderr
    ops = next((tmp_path / "wanllmdb").glob("run-*/ops.jsonl")).read_text()
    assert '"op":"state","body":{"state":"failed","exit_code":1}' in ops


def _script_env(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{REPO / 'sdk'}",
        "HOME": str(tmp_path),
        "WANLLMDB_DIR": str(tmp_path),
    }


def _run_script(tmp_path: Path, script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `script` in a clean environment that sees only the SDK, with tmp_path as home and run dir."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        env=_script_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def _run_offline_script(tmp_path: Path, body: str) -> tuple[int, str, str]:
    """Run `body` after an offline init; return (exit code, stderr, the run's ops log)."""
    script = tmp_path / "script.py"
    script.write_text(
        "import sys, wanllmdb\n"
        "run = wanllmdb.init(project='p', mode='offline', settings={'system_metrics': False})\n" + body
    )
    proc = _run_script(tmp_path, script)
    ops = next((tmp_path / "wanllmdb").glob("run-*/ops.jsonl")).read_text()
    return proc.returncode, proc.stderr, ops


def test_a_script_that_never_calls_finish_is_finished_at_exit(tmp_path: Path) -> None:
    code, stderr, ops = _run_offline_script(tmp_path, "run.log({'a': 1.0})\n")
    assert code == 0, stderr
    assert '"op":"state","body":{"state":"finished","exit_code":0}' in ops


def test_sys_exit_code_marks_the_run_failed(tmp_path: Path) -> None:
    code, stderr, ops = _run_offline_script(tmp_path, "sys.exit(3)\n")
    assert code == 3, stderr
    assert '"op":"state","body":{"state":"failed","exit_code":3}' in ops


def test_sigterm_flushes_then_exits_with_status_143(tmp_path: Path) -> None:
    import signal
    import time

    script = tmp_path / "preempted.py"
    script.write_text(
        "import time, wanllmdb\n"
        "run = wanllmdb.init(project='p', mode='offline',\n"
        "                    settings={'system_metrics': False, 'flush_interval_s': 3600})\n"
        "for i in range(100):\n"
        "    run.log({'a': float(i)})\n"
        "print('READY', flush=True)\n"
        "while True:\n"
        "    time.sleep(0.05)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_script_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "READY"
    time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    assert proc.returncode == 128 + signal.SIGTERM
    run_dir = next((tmp_path / "wanllmdb").glob("run-*"))
    assert '"op":"state","body":{"state":"crashed","exit_code":143}' in (run_dir / "ops.jsonl").read_text()
    import pyarrow.parquet as pq

    t = pq.read_table(next((run_dir / "chunks").glob("history-*.parquet")))
    assert sorted(t["step"].to_pylist()) == list(range(100))  # the interval never came: SIGTERM flushed


def test_resume_auto_picks_up_a_run_that_died(tmp_path: Path) -> None:
    script = tmp_path / "auto.py"
    script.write_text(
        "import os, sys, wanllmdb\n"
        "run = wanllmdb.init(project='p', mode='offline', resume='auto',\n"
        "                    settings={'system_metrics': False})\n"
        "print(run.id, run.attempt, run.step, flush=True)\n"
        "for i in range(3):\n"
        "    run.log({'a': float(i)})\n"
        "if sys.argv[1] == 'die':\n"
        "    run._pipeline.flush_once()\n"
        "    os._exit(9)\n"
        "run.finish()\n"
    )
    first = _run_script(tmp_path, script, "die")
    assert first.returncode == 9, first.stderr
    second = _run_script(tmp_path, script, "finish")
    assert second.returncode == 0, second.stderr
    run_id, attempt, step = second.stdout.split()
    assert run_id == first.stdout.split()[0] and (attempt, step) == ("1", "3")
    assert not (tmp_path / "wanllmdb" / "resume.json").exists()  # a clean finish clears it
