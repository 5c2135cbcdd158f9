"""The value the search uses for a run: best of history and summary, impute rules as wandb's."""

from __future__ import annotations

from wanllmdb.sweeps import SweepRun, load_config, run_metric


def _config(goal: str = "minimize", impute: str = "worst", while_running: str = "false") -> object:
    return load_config(
        {
            "method": "random",
            "parameters": {"x": {"value": 1}},
            "metric": {"name": "loss", "goal": goal, "impute": impute, "impute_while_running": while_running},
        }
    )


def test_a_finished_run_counts_its_best_value_history_and_summary() -> None:
    run = SweepRun("a", "finished", {}, (3.0, 1.0, 2.0), summary=2.0)
    assert run_metric(_config(), run) == 1.0  # type: ignore[arg-type]
    assert run_metric(_config("maximize"), run) == 3.0  # type: ignore[arg-type]
    assert run_metric(_config(), SweepRun("b", "finished", {}, (), summary=0.5)) == 0.5  # type: ignore[arg-type]


def test_failed_runs_are_imputed_worst_best_or_latest() -> None:
    runs = [SweepRun("a", "finished", {}, (1.0, 4.0)), SweepRun("b", "crashed", {}, (3.0, 2.0))]
    assert run_metric(_config(), runs[1], runs=runs) == 4.0  # type: ignore[arg-type]
    assert run_metric(_config(impute="best"), runs[1]) == 2.0  # type: ignore[arg-type]
    assert run_metric(_config(impute="latest"), SweepRun("c", "failed", {}, (1.0, 3.0))) == 3.0  # type: ignore[arg-type]


def test_nothing_to_impute_from_leaves_the_run_out() -> None:
    assert run_metric(_config(), SweepRun("a", "failed", {}, ()), runs=[]) is None  # type: ignore[arg-type]


def test_running_runs_are_pending_unless_impute_while_running() -> None:
    run = SweepRun("a", "running", {}, (5.0, 4.0))
    assert run_metric(_config(), run) is None  # type: ignore[arg-type]
    assert run_metric(_config(while_running="best"), run) == 4.0  # type: ignore[arg-type]
    assert run_metric(_config(), SweepRun("p", "pending", {})) is None  # type: ignore[arg-type]


def test_non_finite_values_are_ignored() -> None:
    run = SweepRun("a", "finished", {}, (float("nan"), 2.0, float("inf")))
    assert run_metric(_config(), run) == 2.0  # type: ignore[arg-type]


def test_run_metrics_equals_run_metric_run_by_run() -> None:
    from wanllmdb.sweeps.metric import run_metrics

    runs = [
        SweepRun("a", "finished", {}, (1.0, 4.0)),
        SweepRun("b", "crashed", {}, (3.0, 2.0)),
        SweepRun("c", "failed", {}, ()),
        SweepRun("d", "running", {}, (0.5,)),
    ]
    config = _config()
    assert run_metrics(config, runs) == [run_metric(config, r, runs=runs) for r in runs]  # type: ignore[arg-type]
    assert run_metrics(config, runs) == [1.0, 4.0, 4.0, None]  # type: ignore[arg-type]
