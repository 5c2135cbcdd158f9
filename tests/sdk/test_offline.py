from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

import wanllmdb
from tests.sdk.conftest import OfflineRun, read_stream


def test_env_mode_offline_spools_everything_under_wanllmdb_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WANLLMDB_MODE", "offline")
    monkeypatch.setenv("WANLLMDB_DIR", str(tmp_path / "spool"))
    monkeypatch.setenv("WANLLMDB_PROJECT", "from-env")
    run = wanllmdb.init(settings={"system_metrics": False})
    assert run.mode == "offline" and run.project == "from-env"
    run.log({"a": 1.0})
    run.finish()
    assert run.dir is not None and run.dir.parent == tmp_path / "spool" / "wanllmdb"
    record = json.loads((run.dir / "run.json").read_text())
    assert record["id"] == run.id and record["attempt"] == 0 and record["mode"] == "offline"


def test_explicit_arguments_win_over_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANLLMDB_PROJECT", "from-env")
    monkeypatch.setenv("WANLLMDB_MODE", "online")
    run = wanllmdb.init(project="explicit", mode="disabled", dir=tmp_path)
    assert run.project == "explicit" and run.mode == "disabled"
    run.log({"a": 1.0})  # disabled: accepted, nothing written
    run.finish()
    assert not (tmp_path / "wanllmdb").exists()


def test_console_lines_are_captured_with_timestamps_and_still_printed(
    offline_run: OfflineRun, capsys: pytest.CaptureFixture[str]
) -> None:
    run = offline_run()
    t0 = time.time()
    print("epoch 1 done")
    print("warning: lr high", file=sys.stderr)
    sys.stdout.write("partial ")
    sys.stdout.write("line\n")
    run.finish()
    out, err = capsys.readouterr()
    assert "epoch 1 done" in out and "warning: lr high" in err  # the terminal still sees everything
    assert run.dir is not None
    logs = read_stream(run.dir, "logs").to_pylist()
    texts = [(r["stream"], r["text"]) for r in logs]
    assert ("stdout", "epoch 1 done") in texts
    assert ("stderr", "warning: lr high") in texts
    assert ("stdout", "partial line") in texts
    assert [r["line"] for r in logs] == list(range(len(logs)))
    assert all(r["ts"].timestamp() >= t0 - 1 for r in logs)
    assert sys.stdout is not None and type(sys.stdout).__name__ != "_Tee"


def test_save_policies_copy_files_into_the_run(offline_run: OfflineRun, tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "ckpt").mkdir(parents=True)
    (work / "ckpt" / "a.txt").write_text("v1")
    (work / "notes.md").write_text("end")
    run = offline_run(settings={"flush_interval_s": 0.1})
    assert run.save(str(work / "ckpt" / "*.txt"), policy="live") == ["a.txt"]
    assert run.save(str(work / "notes.md"), base_path=work, policy="end") == ["notes.md"]
    assert run.dir is not None
    dest = run.dir / "files" / "a.txt"
    deadline = time.monotonic() + 5
    while not dest.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert dest.read_text() == "v1"
    assert not (run.dir / "files" / "notes.md").exists()  # policy=end waits for finish
    time.sleep(0.05)
    (work / "ckpt" / "a.txt").write_text("v2, changed")
    run.finish()
    assert dest.read_text() == "v2, changed"  # live: the change was picked up
    assert (run.dir / "files" / "notes.md").read_text() == "end"


def test_run_metadata_records_host_python_and_git(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.finish()
    assert run.dir is not None
    meta = json.loads((run.dir / "files" / "wanllmdb-metadata.json").read_text())
    for key in ("host", "user", "os", "python", "executable", "argv", "cwd", "gpu_count"):
        assert key in meta
    create = json.loads((run.dir / "ops.jsonl").read_text().splitlines()[0])
    assert create["body"]["run"]["metadata"] == meta


def test_offline_resume_continues_the_step_counter_with_a_new_attempt(offline_run: OfflineRun) -> None:
    first = offline_run(id="resumeme")
    for i in range(3):
        first.log({"a": float(i)})
    first.finish()
    second = offline_run(id="resumeme", resume="allow")
    assert second.attempt == 1 and second.step == 3
    with pytest.warns(UserWarning, match="below the run's current step 3"):
        second.log({"a": 9.0}, step=1)  # an earlier step after the resume: kept, tagged with the attempt
    second.finish()
    assert second.dir is not None
    t = read_stream(second.dir, "history")
    assert t["attempt"].to_pylist() == [1] and t["step"].to_pylist() == [1]
