"""The agent's parts without a server: sweep paths, wandb's failure guards, trial files and
environment, the metric tap and its reader, and init() inside a trial."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

import wanllmdb
from wanllmdb.agents import guards, in_run
from wanllmdb.agents.client import parse_sweep_path
from wanllmdb.agents.guards import FailureGuard
from wanllmdb.agents.trial import ProcessTrial, TrialFiles, trial_environment
from wanllmdb.ingest.spool import RunDir

SWEEP = {"id": "abcd1234", "project": "mnist", "entity": "alice", "config": {"metric": {"name": "loss"}}}


def test_a_sweep_is_named_by_id_project_id_or_entity_project_id() -> None:
    assert parse_sweep_path("abc") == (None, None, "abc")
    assert parse_sweep_path("mnist/abc") == (None, "mnist", "abc")
    assert parse_sweep_path("alice/mnist/abc") == ("alice", "mnist", "abc")
    with pytest.raises(ValueError, match="not a sweep id"):
        parse_sweep_path("a/b/c/d")


def test_three_failures_in_the_first_minute_are_flapping() -> None:
    guard = FailureGuard()
    assert guard.record(1) is None and guard.record(1) is None
    assert "first 60 s" in (guard.record(1) or "")


def test_flapping_can_be_turned_off_as_in_wandb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_AGENT_DISABLE_FLAPPING", "true")
    guard = FailureGuard()
    assert [guard.record(1) for _ in range(4)] == [None] * 4
    assert "all failed" in (guard.record(1) or "")  # the initial-failures rule still holds


def test_initial_failures_stop_the_agent_only_while_nothing_succeeded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WANLLMDB_AGENT_MAX_INITIAL_FAILURES", "2")
    past_flapping = time.monotonic() - guards.FLAPPING_MAX_SECONDS
    failing = FailureGuard(started=past_flapping)
    assert failing.record(1) is None
    assert "all failed" in (failing.record(1) or "")
    recovered = FailureGuard(started=past_flapping)
    assert [recovered.record(code) for code in (0, 1, 1, 1)] == [None] * 4
    stopped = FailureGuard(started=past_flapping)
    assert [stopped.record(143, stopped=True) for _ in range(6)] == [None] * 6  # stops are never failures


def test_trial_files_are_wandbs_and_init_reads_them_back(tmp_path: Path) -> None:
    files = TrialFiles.under(tmp_path, SWEEP["id"], "run1")
    params = {"lr": 0.1, "optimizer": {"name": "adam", "beta": 0.9}, "flag": False}
    files.write(params)
    assert files.params_yaml == tmp_path / "sweep-abcd1234" / "config-run1.yaml"
    doc = yaml.safe_load(files.params_yaml.read_text())
    assert doc["lr"] == {"value": 0.1} and doc["wandb_version"] == 1
    assert json.loads(files.params_json.read_text()) == params
    env = trial_environment(files, SWEEP, metric="loss")
    for ours, wandbs in (
        ("SWEEP_ID", "abcd1234"),
        ("RUN_ID", "run1"),
        ("PROJECT", "mnist"),
        ("ENTITY", "alice"),
    ):
        assert env[f"WANLLMDB_{ours}"] == env[f"WANDB_{ours}"] == wandbs
    context = in_run.sweep_context(env)
    assert context is not None and context.params == params and context.run_id == "run1"
    assert context.tap() is not None and context.tap().path == files.metric  # type: ignore[union-attr]


def test_the_metric_file_is_read_in_whole_lines_as_it_grows(tmp_path: Path) -> None:
    files = TrialFiles.under(tmp_path, "s", "r")
    files.write({})
    trial = ProcessTrial("r", files)
    with files.metric.open("a") as out:
        out.write("1.5\n0.5\nnan\n0.2")
    assert trial.new_values() == [1.5, 0.5, None]
    with files.metric.open("a") as out:
        out.write("5\n")
    assert trial.new_values() == [0.25]


def test_init_inside_a_trial_takes_its_run_id_project_params_and_taps_the_metric(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = TrialFiles.under(tmp_path / "agent", SWEEP["id"], "trial7")
    files.write({"lr": 0.3, "layers": 4})
    for name, value in trial_environment(files, SWEEP, metric="loss").items():
        monkeypatch.setenv(name, value)
    run = wanllmdb.init(
        project="ignored", config={"lr": 0.01, "epochs": 2}, mode="offline", dir=tmp_path,
        settings={"system_metrics": False, "console": "off"},
    )  # fmt: skip
    assert (run.id, run.project, run.entity, run.sweep_id) == ("trial7", "mnist", "alice", "abcd1234")
    assert dict(run.config.items()) == {"lr": 0.3, "epochs": 2, "layers": 4}
    for step in range(3):
        run.log({"loss": 1.0 / (step + 1), "acc": 0.5})
    run.finish()
    assert files.metric.read_text().split() == ["1.0", "0.5", "0.3333333333333333"]
    create = RunDir(Path(run.dir or "")).read_ops()[0]
    assert create["body"]["run"]["sweep_id"] == "abcd1234"
