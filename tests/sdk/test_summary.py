from __future__ import annotations

import json

import pytest

import wanllmdb
from tests.sdk.conftest import OfflineRun, rows
from wanllmdb.errors import InvalidValue


def test_summary_holds_the_last_value_by_default(offline_run: OfflineRun) -> None:
    run = offline_run()
    for i in range(5):
        run.log({"loss": 5.0 - i, "nested": {"x": float(i)}})
    assert run.summary["loss"] == 1.0
    assert wanllmdb.summary is not None and wanllmdb.summary["nested.x"] == 4.0
    assert run.summary["_step"] == 4


def test_define_metric_summaries_with_globs(offline_run: OfflineRun) -> None:
    run = offline_run(settings={"flush_max_values": 4})  # force several drains so folding is exercised
    run.define_metric("val/*", summary="max")
    run.define_metric("loss", summary="min,mean")
    run.define_metric("lr", summary="none")
    for v in [3.0, 1.0, 2.0, float("nan")]:
        run.log({"loss": v, "val/acc": v, "lr": 0.1})
    s = run.summary.as_dict()
    assert s["val/acc"] == {"max": 3.0}
    assert s["loss"] == {"min": 1.0, "mean": 2.0}  # NaN is stored but does not poison min/mean
    assert "lr" not in s
    run.finish()


def test_step_metric_syncs_into_rows_and_definitions_are_saved(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch", goal="maximize")
    run.log({"epoch": 1.0, "train/loss": 0.5})
    run.log({"val/acc": 0.7})
    run.finish()
    assert run.dir is not None
    assert (1, "epoch", 1.0) in rows(run.dir)  # synced into the val row
    assert (1, "val/acc", 0.7) in rows(run.dir)
    saved = json.loads((run.dir / "files" / "wanllmdb-metrics.json").read_text())
    assert {
        "name": "val/*",
        "step_metric": "epoch",
        "step_sync": True,
        "summary": ["last"],
        "goal": "maximize",
        "hidden": False,
    } in saved


def test_define_metric_rejects_unknown_summary_and_goal(offline_run: OfflineRun) -> None:
    run = offline_run()
    with pytest.raises(InvalidValue, match="summary='median'"):
        run.define_metric("x", summary="median")
    with pytest.raises(InvalidValue, match="goal='up'"):
        run.define_metric("x", goal="up")


def test_explicit_summary_values_win_and_are_spooled(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"acc": 0.5})
    run.summary["best_acc"] = 0.9
    run.finish()
    assert run.dir is not None
    ops = [json.loads(line) for line in (run.dir / "ops.jsonl").read_text().splitlines()]
    merged: dict[str, object] = {}
    for o in ops:
        if o["op"] == "summary":
            merged.update(o["body"]["summary"])
    assert merged == {"acc": 0.5, "best_acc": 0.9, "_step": 0}


def test_summary_last_follows_the_step_not_the_call_order(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"loss": 5.0}, step=5)
    with pytest.warns(UserWarning, match="below the run's current step"):
        run.log({"loss": 3.0}, step=3)
    assert run.summary["loss"] == 5.0  # still in the buffer
    assert run._pipeline is not None
    run._pipeline.flush_once()
    assert run.summary["loss"] == 5.0  # folded
    run.log({"loss": 2.0}, step=2)
    assert run.summary["loss"] == 5.0  # folded value at step 5 beats a buffered one at step 2
    run.log({"loss": 6.0}, step=5)
    assert run.summary["loss"] == 6.0  # the same step logged again: the later value wins
    run.log({"loss": 7.0, "other": 1.0}, step=6)
    run._pipeline.flush_once()
    run.log({"loss": 4.0}, step=4)
    run._pipeline.flush_once()
    assert run.summary["loss"] == 7.0 and run.summary["_step"] == 6


def test_summary_last_of_a_sparse_key_follows_its_own_steps(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.log({"a": 1.0}, step=10)
    with pytest.warns(UserWarning, match="below the run's current step"):
        run.log({"b": 1.0, "sparse": 9.0}, step=9)
    run.log({"b": 2.0, "sparse": 8.0}, step=8)  # warned once per key already
    assert run._pipeline is not None
    run._pipeline.flush_once()
    assert run.summary["sparse"] == 9.0 and run.summary["b"] == 1.0


def test_step_metrics_reach_the_run_summary_for_the_charts(offline_run: OfflineRun) -> None:
    run = offline_run()
    run.define_metric("epoch")
    run.define_metric("val/*", step_metric="epoch")
    run.define_metric("val/acc", step_metric="epoch", summary="max")
    run.define_metric("test/*", step_metric="epoch")
    run.define_metric("test/*")  # redefined without an axis: it plots against the step again
    run.log({"epoch": 0.0, "val/acc": 0.5})
    s = run.summary.as_dict()
    assert s["_step_metrics"] == {"val/*": "epoch", "val/acc": "epoch"}
    run.finish()
    assert run.dir is not None
    merged: dict[str, object] = {}
    for line in (run.dir / "ops.jsonl").read_text().splitlines():
        op = json.loads(line)
        if op["op"] == "summary":
            merged.update(op["body"]["summary"])
    assert merged["_step_metrics"] == {"val/*": "epoch", "val/acc": "epoch"}  # what the server stores
