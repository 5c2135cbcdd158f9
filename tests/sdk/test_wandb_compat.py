"""Behaviour of the wandb API that public training scripts rely on, beyond log()'s hot path."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

import wanllmdb
from tests.sdk.conftest import OfflineRun, rows


def test_bare_log_commits_the_row_built_with_commit_false(offline_run: OfflineRun) -> None:
    run = offline_run()
    wanllmdb.log({"a": 1.0}, commit=False)
    wanllmdb.log({"b": 2.0}, commit=False)
    wanllmdb.log()
    wanllmdb.log({"c": 3.0})
    run.finish()
    assert run.dir is not None
    assert rows(run.dir) == [(0, "a", 1.0), (0, "b", 2.0), (1, "c", 3.0)]


def test_bare_log_without_a_pending_row_moves_no_step(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0})
    run.log()
    run.log()
    run.log({"a": 2.0}, commit=False)
    run.log(commit=False)  # commit=False and no data: nothing to do
    run.log()
    run.log({"a": 3.0})
    run.finish()
    assert run.dir is not None
    assert rows(run.dir) == [(0, "a", 1.0), (1, "a", 2.0), (2, "a", 3.0)]


def test_bare_log_commits_a_row_already_flushed(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"flush_max_values": 1})  # the pending row may be drained already
    run.log({"a": 1.0}, commit=False)
    assert run._pipeline is not None
    run._pipeline.flush_once()
    run.log()
    run.log({"a": 2.0})
    run.finish()
    assert run.dir is not None
    assert rows(run.dir) == [(0, "a", 1.0), (1, "a", 2.0)]


def test_silent_hides_our_warnings_and_quiet_keeps_them(capsys: pytest.CaptureFixture[str]) -> None:
    termlog = importlib.import_module("wanllmdb.termlog")  # the module; wanllmdb.termlog is the function
    termlog.configure(silent=True, quiet=False)
    wanllmdb.termwarn("hidden")
    wanllmdb.termerror("hidden too")
    termlog.configure(silent=False, quiet=True)
    wanllmdb.termlog("info hidden")
    wanllmdb.termwarn("shown")
    termlog.configure(silent=False, quiet=False)
    wanllmdb.termlog("info shown")
    err = capsys.readouterr().err
    assert "hidden" not in err and "wanllmdb: WARNING shown" in err and "wanllmdb: info shown" in err


def test_silent_init_prints_nothing_when_the_server_is_away(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    run = wanllmdb.init(
        project="p",
        dir=tmp_path,
        settings=wanllmdb.Settings(
            base_url="http://127.0.0.1:9",
            silent=True,
            init_timeout=0.2,
            finish_timeout_s=0.5,
            _disable_stats=True,
            console="off",
        ),
    )
    run.finish()
    assert capfd.readouterr().err == ""


def test_disable_meta_sends_no_host_metadata(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"x_disable_meta": True})
    run.finish()
    assert run.dir is not None
    create = json.loads((run.dir / "ops.jsonl").read_text().splitlines()[0])
    assert "metadata" not in create["body"]["run"] or not create["body"]["run"]["metadata"]
    assert not (run.dir / "files" / "wanllmdb-metadata.json").exists()


# -- module-level names ----------------------------------------------------------------------------
def test_every_error_the_api_raises_is_exported() -> None:
    from wanllmdb.rest import ApiError

    assert wanllmdb.ApiError is ApiError
    assert issubclass(ApiError, wanllmdb.CommError) and issubclass(wanllmdb.CommError, wanllmdb.Error)
    assert wanllmdb.errors.CommError is wanllmdb.CommError and wanllmdb.Error is wanllmdb.WanllmdbError
    assert issubclass(wanllmdb.ServerRefused, wanllmdb.CommError)
    assert issubclass(wanllmdb.NotAvailableYet, wanllmdb.UsageError)
    assert issubclass(wanllmdb.NotAvailableYet, NotImplementedError)


def test_api_against_a_closed_port_raises_an_exported_comm_error() -> None:
    api = wanllmdb.Api({"base_url": "http://127.0.0.1:9", "api_key": "wl_x", "entity": "e"}, timeout=1)
    with pytest.raises(wanllmdb.CommError, match="unreachable"):
        api.run("e/p/abc")


def test_util_generate_id_makes_a_valid_run_id(offline_run: OfflineRun) -> None:
    run_id = wanllmdb.util.generate_id()
    assert len(run_id) == 8
    run = offline_run(id=run_id)
    assert run.id == run_id


def test_require_accepts_what_wanllmdb_always_does_and_refuses_the_rest() -> None:
    wanllmdb.require("service")
    wanllmdb.require("core")
    with pytest.raises(wanllmdb.UsageError, match="unknown requirement"):
        wanllmdb.require("nonsense")


def test_setup_settings_apply_to_later_inits_until_teardown(tmp_path: Path) -> None:
    wanllmdb.setup(wanllmdb.Settings(mode="offline", dir=tmp_path, system_metrics=False))
    try:
        run = wanllmdb.init(project="p")
        assert run.mode == "offline" and run.dir is not None and run.dir.parent == tmp_path / "wanllmdb"
        wanllmdb.teardown()
        assert wanllmdb.run is None and run.final_state == "finished"
        from wanllmdb.lifecycle import process_settings

        assert process_settings() == {}
    finally:
        wanllmdb.teardown()


def test_login_stores_a_key_and_finds_it_again(monkeypatch: pytest.MonkeyPatch) -> None:
    from wanllmdb.credentials import find_api_key

    assert wanllmdb.login(key="wl_stored", host="http://example.test:1") is True
    found = find_api_key("http://example.test:1", env_key=None, data_dir=Path("/nonexistent"))
    assert found[0] == "wl_stored"
    assert wanllmdb.login(host="http://example.test:1") is True
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert wanllmdb.login(host="http://nokey.test:1") is False
    with pytest.raises(wanllmdb.AuthenticationError, match="no API key"):
        wanllmdb.login(host="http://nokey.test:1", force=True)


def test_names_of_later_features_raise_naming_the_feature(offline_run: OfflineRun) -> None:
    offline_run()  # reinit="create_new" is refused only while a run is active
    with pytest.raises(wanllmdb.NotAvailableYet, match="forking"):
        wanllmdb.init(project="p", fork_from="abc?_step=3", mode="offline")
    with pytest.raises(wanllmdb.NotAvailableYet, match="several runs at once"):
        wanllmdb.init(project="p", reinit="create_new", mode="offline")


# -- init arguments ---------------------------------------------------------------------------------
def test_config_include_and_exclude_keys(offline_run: OfflineRun) -> None:
    run = offline_run(config={"lr": 0.1, "bs": 8, "secret": "x"}, config_exclude_keys=["secret"])
    assert run.config.as_dict() == {"lr": 0.1, "bs": 8}
    run.finish()
    run = offline_run(config={"lr": 0.1, "bs": 8}, config_include_keys=["lr"])
    assert run.config.as_dict() == {"lr": 0.1}


def test_init_allow_val_change_lets_config_values_change(offline_run: OfflineRun) -> None:
    run = offline_run(config={"lr": 0.1}, allow_val_change=True)
    run.config.lr = 0.2
    assert run.config.lr == 0.2
    run.finish()
    run = offline_run(config={"lr": 0.1})
    with pytest.raises(wanllmdb.ConfigChangeError):
        run.config.lr = 0.2


def test_reinit_true_finishes_the_active_run(offline_run: OfflineRun) -> None:
    first = offline_run()
    second = offline_run(reinit=True)
    assert first.final_state == "finished" and wanllmdb.run is second


# -- the run object ------------------------------------------------------------------------------------
def test_run_identity_attributes(offline_run: OfflineRun) -> None:
    import time

    before = time.time()
    run = offline_run(group="g", job_type="train", entity="me")
    assert run.path == f"me/tests/{run.id}"
    assert run.group == "g" and run.job_type == "train"
    assert before <= run.start_time <= time.time()
    assert run.resumed is False and run.sweep_id is None and run.offline is True
    assert run.url is None and run.get_project_url() is None  # offline: no dashboard page yet
    run.display_name = "nice"
    assert run.name == "nice" and run.display_name == "nice"


def test_log_code_saves_source_files_as_run_files(offline_run: OfflineRun, tmp_path: Path) -> None:
    src = tmp_path / "proj"
    (src / "pkg").mkdir(parents=True)
    (src / "train.py").write_text("print('hi')\n")
    (src / "pkg" / "model.py").write_text("x = 1\n")
    (src / "notes.txt").write_text("not code\n")
    (src / ".venv").mkdir()
    (src / ".venv" / "site.py").write_text("# not ours\n")
    run = offline_run()
    saved = run.log_code(src)
    assert sorted(saved) == ["code/pkg/model.py", "code/train.py"]
    run.finish()
    assert run.dir is not None
    assert (run.dir / "files" / "code" / "train.py").read_text() == "print('hi')\n"
    assert (run.dir / "files" / "code" / "pkg" / "model.py").is_file()


def test_save_code_setting_saves_the_main_script(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = tmp_path / "train.py"
    script.write_text(
        "import wanllmdb\n"
        "run = wanllmdb.init(project='p', mode='offline', settings={'save_code': True,"
        " 'system_metrics': False})\n"
        "run.finish()\n"
        "print(run.dir)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    env = {"PYTHONPATH": str(repo / "sdk"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(proc.stdout.strip().splitlines()[-1])
    assert (run_dir / "files" / "code" / "train.py").read_text() == script.read_text()


def test_mark_preempting_turns_a_failure_into_paused(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.mark_preempting()
    assert run.dir is not None
    assert json.loads((run.dir / "run.json").read_text())["preempting"] is True
    run.finish(exit_code=1)
    assert run.final_state == "paused"
    last = json.loads((run.dir / "ops.jsonl").read_text().splitlines()[-1])
    assert last["body"]["state"] == "paused"


def test_without_mark_preempting_a_failure_stays_failed(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.finish(exit_code=1)
    assert run.final_state == "failed"


def test_finish_quiet_and_exit_code(offline_run: OfflineRun) -> None:
    run = offline_run()
    wanllmdb.finish(exit_code=2, quiet=True)
    assert run.final_state == "failed" and wanllmdb.run is None


@pytest.mark.parametrize("run_id", ["Run-A.1", "x" * 128, "..a"])
def test_run_ids_follow_the_servers_rule(offline_run: OfflineRun, run_id: str) -> None:
    assert offline_run(id=run_id).id == run_id


@pytest.mark.parametrize("run_id", [".", "..", "a/b", "x" * 129, "has space"])
def test_run_ids_outside_the_rule_are_refused_naming_it(tmp_path: Path, run_id: str) -> None:
    with pytest.raises(wanllmdb.UsageError, match="run ids are 1-128"):
        wanllmdb.init(id=run_id, mode="offline", dir=tmp_path)
